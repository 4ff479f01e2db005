package io.glint.store.s3;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of request bodies that all S3 requests of this JVM hold on the heap between the moment a body asks for
 * its next buffer and the moment that buffer is on its socket: copies of upload batches waiting in Vert.x's write
 * queue, mostly. A bound per connection ({@link VertxSdkHttpClient#MAX_UNWRITTEN}) alone grows with the number of
 * uploads: 48 uploads to an S3 server that took nothing for a few seconds held 17 MiB of them in a 96 MiB heap,
 * beside the upload pump's own 24 MiB, and ran it out. Here a body takes its share before it asks for a buffer,
 * and waits in arrival order when the budget is spent; the share comes back as its writes reach the socket, or
 * when its request ends whatever way. Whoever holds the budget is writing to a socket, so it always comes back.
 */
final class SendBudget {
  /** What all S3 request bodies of this JVM may hold at once. */
  static final long LIMIT = 8L << 20;
  static final SendBudget SHARED = new SendBudget(LIMIT);

  private final long limit;
  private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();
  private long used;

  SendBudget(long limit) {
    this.limit = limit;
  }

  /**
   * Takes {@code bytes} if they fit (or nothing is held: one body alone always goes); else {@code wake} runs once
   * some comes back, and the caller asks again then.
   */
  boolean take(long bytes, Runnable wake) {
    synchronized (this) {
      if (waiters.isEmpty() && (used == 0 || used + bytes <= limit)) {
        used += bytes;
        return true;
      }
      waiters.add(wake);
      return false;
    }
  }

  /** Changes a share already taken by {@code delta} bytes (a buffer larger or smaller than was reserved). */
  void adjust(long delta) {
    if (delta < 0) {
      give(-delta);
    } else if (delta > 0) {
      synchronized (this) {
        used += delta;
      }
    }
  }

  /** Gives {@code bytes} back; the waiters run (outside the lock) to ask again. */
  void give(long bytes) {
    if (bytes <= 0) {
      return;
    }
    List<Runnable> wake;
    synchronized (this) {
      used -= bytes;
      if (waiters.isEmpty() || used >= limit) {
        return;
      }
      wake = new ArrayList<>(waiters);
      waiters.clear();
    }
    wake.forEach(Runnable::run);
  }

  /** Bytes held now (for tests and logs). */
  synchronized long used() {
    return used;
  }
}
