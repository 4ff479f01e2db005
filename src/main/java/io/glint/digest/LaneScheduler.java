package io.glint.digest;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Hashes the messages of many concurrent streams (uploads) together in the lanes of one
 * {@link MultiBufferDigest}: each stream ({@link Job}) gets a lane while it lasts, its bytes go through the lanes
 * as they arrive, and one worker task on {@code executor} runs the lanes while any has bytes, handing a lane that
 * ran dry its stream's next bytes between steps. A stream with nothing queued leaves its lane idle (masked); a
 * stream opened while every lane is taken waits for one.
 *
 * <p>Callers on any thread; the engine is only touched by the worker (one at a time).
 */
public final class LaneScheduler {
  private final MultiBufferDigest md;
  private final Executor executor;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Job> ready = new ConcurrentLinkedQueue<>();
  private final AtomicInteger open = new AtomicInteger();
  // worker only
  private final Job[] laneJob;
  private final ArrayDeque<Job> waiting = new ArrayDeque<>();

  public LaneScheduler(Supplier<MultiBufferDigest> engine, Executor executor) {
    this.md = engine.get();
    this.executor = executor;
    this.laneJob = new Job[md.lanes()];
  }

  /** Lanes of the engine. */
  public int lanes() {
    return md.lanes();
  }

  /** Jobs opened and not yet digested. */
  public int openJobs() {
    return open.get();
  }

  /** A new message; it waits for a lane if every lane is taken. */
  public Job open() {
    open.incrementAndGet();
    return new Job();
  }

  /**
   * A new message with a lane of its own, or null when every lane is taken by an open job. Such a job never
   * waits for another job to end, so callers that hold resources while they hash (an upload's batch arrays)
   * cannot wait on each other.
   */
  public Job tryOpen() {
    for (int n = open.get(); n < laneJob.length; n = open.get()) {
      if (open.compareAndSet(n, n + 1)) {
        return new Job();
      }
    }
    return null;
  }

  /** One message hashed in a lane. Its calls must come one after another (not concurrently). */
  public final class Job {
    private final ConcurrentLinkedQueue<Segment> segments = new ConcurrentLinkedQueue<>();
    // worker only
    private int lane = -1;
    private Segment current;
    private boolean queued;
    /** Digested or cancelled: its lane is given up for good. */
    private boolean ended;

    private Job() {}

    /**
     * Appends {@code b[off, off+len)}; the future completes once the bytes have been read (the array may be
     * reused then). Updates are hashed in the order given.
     */
    public CompletableFuture<Void> update(byte[] b, int off, int len) {
      Segment s = new Segment(b, off, len);
      submit(s);
      return s.consumed;
    }

    /** The digest of everything given; the job is then closed. */
    public CompletableFuture<byte[]> digest() {
      Segment s = new Segment(null, 0, 0);
      submit(s);
      return s.digest;
    }

    /**
     * Gives up the message: once the updates given so far have been read (their futures complete as usual), the
     * lane is freed; no digest.
     */
    public void cancel() {
      submit(new Segment(null, 0, -1));
    }

    private void submit(Segment s) {
      segments.add(s);
      ready.add(this);
      kick();
    }
  }

  private static final class Segment {
    final byte[] bytes;
    final int off;
    final int len;
    final CompletableFuture<Void> consumed = new CompletableFuture<>();
    final CompletableFuture<byte[]> digest = new CompletableFuture<>();

    Segment(byte[] bytes, int off, int len) {
      this.bytes = bytes;
      this.off = off;
      this.len = len;
    }
  }

  private void kick() {
    if (scheduled.compareAndSet(false, true)) {
      executor.execute(this::run);
    }
  }

  private void run() {
    try {
      while (true) {
        while (step()) {
          // lanes busy
        }
        scheduled.set(false);
        if (ready.isEmpty() || !scheduled.compareAndSet(false, true)) {
          return;
        }
      }
    } catch (Throwable t) {
      failAll(t);
      scheduled.set(false);
    }
  }

  /** Feeds the lanes and runs them once; false when no lane has anything to hash. */
  private boolean step() {
    for (Job j; (j = ready.poll()) != null; ) {
      // An entry can arrive late: a submission made while this step fed the lanes may already have been read,
      // up to the job's end. An ended job, or one with nothing queued, must not take a lane.
      if (j.lane < 0 && !j.queued && !j.ended && !j.segments.isEmpty()) {
        j.queued = true;
        waiting.add(j);
      }
    }
    boolean any = false;
    for (int l = 0; l < laneJob.length; l++) {
      while (true) {
        if (laneJob[l] == null) {
          Job next = waiting.poll();
          if (next == null) {
            break;
          }
          next.queued = false;
          next.lane = l;
          laneJob[l] = next;
          md.reset(l);
        }
        if (feed(l, laneJob[l])) {
          any = true;
          break;
        }
        if (laneJob[l] != null) {
          break; // its job has nothing queued: the lane idles
        }
        // its job is done: the lane takes the next waiting one
      }
    }
    if (!any) {
      return false;
    }
    md.process();
    return true;
  }

  /** Gives the lane its job's next bytes when it is dry, or hands out its digest; true if it has work. */
  private boolean feed(int l, Job j) {
    if (md.hasInput(l)) {
      return true;
    }
    Segment cur = j.current;
    if (cur != null && cur.bytes != null) {
      j.current = null;
      cur.consumed.complete(null); // read to the end (a tail under a block was copied)
    } else if (cur != null) {
      // the finish segment: padding hashed
      j.current = null;
      laneJob[l] = null;
      j.lane = -1;
      j.ended = true;
      byte[] digest = md.digest(l);
      open.decrementAndGet();
      cur.digest.complete(digest);
      return false;
    }
    Segment next = j.segments.poll();
    if (next == null) {
      return false;
    }
    if (next.len < 0) { // cancelled: the lane is free again
      laneJob[l] = null;
      j.lane = -1;
      j.ended = true;
      md.reset(l);
      open.decrementAndGet();
      return false;
    }
    j.current = next;
    if (next.bytes == null) {
      md.finish(l);
    } else {
      md.update(l, next.bytes, next.off, next.len);
    }
    return md.hasInput(l) || next.bytes == null || complete(j);
  }

  /** An update that left nothing for the lane (it went into the tail): consumed at once; the lane is fed again. */
  private boolean complete(Job j) {
    Segment cur = j.current;
    j.current = null;
    cur.consumed.complete(null);
    return feed(j.lane, j);
  }

  private void failAll(Throwable t) {
    for (int l = 0; l < laneJob.length; l++) {
      Job j = laneJob[l];
      if (j != null) {
        failJob(j, t);
        laneJob[l] = null;
      }
    }
    for (Job j; (j = waiting.poll()) != null; ) {
      failJob(j, t);
    }
    md.resetAll();
  }

  private void failJob(Job j, Throwable t) {
    if (j.current != null) {
      j.current.consumed.completeExceptionally(t);
      j.current.digest.completeExceptionally(t);
    }
    for (Segment s; (s = j.segments.poll()) != null; ) {
      s.consumed.completeExceptionally(t);
      s.digest.completeExceptionally(t);
    }
    j.lane = -1;
    j.ended = true;
    open.decrementAndGet();
  }
}
