package io.glint.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many streams at once through the lanes, each from its own thread, against MessageDigest. */
class LaneSchedulerTest {
  private final ExecutorService worker = Executors.newFixedThreadPool(2);
  private final ExecutorService clients = Executors.newFixedThreadPool(24);

  @AfterEach
  void stop() throws InterruptedException {
    clients.shutdownNow();
    worker.shutdownNow();
    assertEquals(true, clients.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void md5OfMoreStreamsThanLanesEachReusingItsBuffer() throws Exception {
    run("MD5", MultiMd5::new, 24);
  }

  @Test
  void sha512OfMoreStreamsThanLanesEachReusingItsBuffer() throws Exception {
    run("SHA-512", MultiSha512::new, 12);
  }

  /**
   * Jobs that end (digest or cancel) while their submissions are still queued for the worker never take a lane
   * again: after thousands of short jobs ended from many threads at once, every lane can be held at the same
   * time. (A finished job seen again through a late queue entry used to take a free lane and keep it forever;
   * uploads then waited for a lane that never came.)
   */
  @Test
  void endedJobsNeverKeepALane() throws Exception {
    LaneScheduler scheduler = new LaneScheduler(MultiSha512::new, worker);
    List<CompletableFuture<Void>> churn = new ArrayList<>();
    for (int t = 0; t < 24; t++) {
      int seed = t;
      churn.add(CompletableFuture.runAsync(() -> {
        byte[] bytes = new byte[200];
        for (int round = 0; round < 2_000; round++) {
          LaneScheduler.Job job = scheduler.open();
          job.update(bytes, 0, (seed + round) % bytes.length);
          if ((seed + round) % 2 == 0) {
            job.cancel();
          } else {
            job.digest().join();
          }
        }
      }, clients));
    }
    CompletableFuture.allOf(churn.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    // Every lane at once: jobs that keep their lanes (no digest yet) each need one to read their bytes.
    byte[] block = new byte[4096];
    List<LaneScheduler.Job> holders = new ArrayList<>();
    List<CompletableFuture<Void>> reads = new ArrayList<>();
    for (int l = 0; l < scheduler.lanes(); l++) {
      LaneScheduler.Job job = scheduler.open();
      holders.add(job);
      reads.add(job.update(block, 0, block.length));
    }
    CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (LaneScheduler.Job job : holders) {
      job.cancel();
    }
    LaneScheduler.Job last = scheduler.open();
    last.update(block, 0, 10);
    MessageDigest expected = MessageDigest.getInstance("SHA-512");
    expected.update(block, 0, 10);
    assertArrayEquals(expected.digest(), last.digest().get(30, TimeUnit.SECONDS));
  }

  /** tryOpen hands out a job only while a lane is free, and again once a job has ended. */
  @Test
  void tryOpenOnlyWhileALaneIsFree() throws Exception {
    LaneScheduler scheduler = new LaneScheduler(MultiSha512::new, worker);
    List<LaneScheduler.Job> jobs = new ArrayList<>();
    for (int l = 0; l < scheduler.lanes(); l++) {
      LaneScheduler.Job job = scheduler.tryOpen();
      assertEquals(true, job != null, "lane " + l);
      jobs.add(job);
    }
    assertEquals(null, scheduler.tryOpen());
    byte[] bytes = new byte[1000];
    CompletableFuture<Void> read = jobs.get(0).update(bytes, 0, bytes.length);
    read.get(30, TimeUnit.SECONDS);
    MessageDigest expected = MessageDigest.getInstance("SHA-512");
    expected.update(bytes);
    assertArrayEquals(expected.digest(), jobs.get(0).digest().get(30, TimeUnit.SECONDS));
    LaneScheduler.Job again = scheduler.tryOpen();
    assertEquals(true, again != null, "a lane is free after a digest");
    assertEquals(null, scheduler.tryOpen());
    jobs.get(1).cancel();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    LaneScheduler.Job afterCancel;
    while ((afterCancel = scheduler.tryOpen()) == null) { // the worker frees the lane asynchronously
      assertEquals(true, System.nanoTime() < deadline, "a cancelled job freed its lane");
      Thread.sleep(5);
    }
    // every lane-holding job reads its bytes at once: none waits for another
    List<LaneScheduler.Job> holders = new ArrayList<>(jobs.subList(2, jobs.size()));
    holders.add(again);
    holders.add(afterCancel);
    List<CompletableFuture<Void>> reads = new ArrayList<>();
    for (LaneScheduler.Job job : holders) {
      reads.add(job.update(bytes, 0, bytes.length));
    }
    CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (LaneScheduler.Job job : holders) {
      job.cancel();
    }
  }

  private void run(String algo, Supplier<MultiBufferDigest> engine, int streams) throws Exception {
    LaneScheduler scheduler = new LaneScheduler(engine, worker);
    List<CompletableFuture<byte[][]>> results = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      long seed = s;
      results.add(CompletableFuture.supplyAsync(() -> stream(algo, scheduler, seed), clients));
    }
    for (int s = 0; s < streams; s++) {
      byte[][] got = results.get(s).get(120, TimeUnit.SECONDS);
      assertArrayEquals(got[0], got[1], algo + " stream " + s);
    }
    assertEquals(0, scheduler.openJobs());
  }

  /** Sends a random message in random chunks through one buffer; returns {expected, got}. */
  private static byte[][] stream(String algo, LaneScheduler scheduler, long seed) {
    try {
      Random rnd = new Random(seed);
      MessageDigest expected = MessageDigest.getInstance(algo);
      LaneScheduler.Job job = scheduler.open();
      int total = seed % 5 == 0 ? 0 : seed % 3 == 0 ? rnd.nextInt(300) : 200_000 + rnd.nextInt(600_000);
      byte[] buffer = new byte[70_000];
      int sent = 0;
      while (sent < total) {
        int n = Math.min(total - sent, 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : buffer.length - 1));
        rnd.nextBytes(buffer); // the buffer is rewritten only after its previous bytes were consumed
        expected.update(buffer, 0, n);
        job.update(buffer, 0, n).get(60, TimeUnit.SECONDS);
        sent += n;
        if (rnd.nextInt(10) == 0) {
          Thread.sleep(1); // a slow client: its lane idles while the others go on
        }
      }
      return new byte[][] {expected.digest(), job.digest().get(60, TimeUnit.SECONDS)};
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
