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
