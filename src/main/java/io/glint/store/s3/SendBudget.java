package io.glint.store.s3;

import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of request bodies that all S3 requests of this JVM hold on the heap between the moment a body is given
 * a buffer and the moment that buffer is on its socket: copies of upload batches waiting in Vert.x's write queue,
 * mostly. A bound per connection ({@link VertxSdkHttpClient#MAX_UNWRITTEN}) alone grows with the number of
 * uploads: 48 uploads to an S3 server that took nothing for a few seconds held 17 MiB of them in a 96 MiB heap,
 * beside the upload pump's own 24 MiB, and ran it out. Here a body asks for a buffer only while the budget has
 * room, and counts what it is given; that comes back as its writes reach the socket, or when its request ends
 * whatever way. Whoever holds the budget is writing to a socket, so it always comes back.
 */
final class SendBudget {
  /** What all S3 request bodies of this JVM may hold at once (plus at most one buffer per body). */
  static final long LIMIT = 8L << 20;
  static final SendBudget SHARED = new SendBudget(LIMIT);

  private final long limit;
  private final List<Runnable> waiters = new ArrayList<>();
  private long used;

  SendBudget(long limit) {
    this.limit = limit;
  }

  /**
   * Whether a body may ask for its next buffer: true while less than the limit is held; else {@code wake} runs once
   * some comes back, and the caller asks again then. Nothing is reserved for the buffer asked for: a body waiting
   * for its client's bytes then holds nothing that the bodies holding those bytes would wait for (a reservation
   * there deadlocked 16 multipart uploads). Past the limit by at most one buffer per body that asked while there
   * was room.
   */
  boolean room(Runnable wake) {
    synchronized (this) {
      if (used < limit) {
        return true;
      }
      waiters.add(wake);
      return false;
    }
  }

  /** Counts {@code bytes} a body was given to write. */
  synchronized void take(long bytes) {
    used += bytes;
  }

  /** Gives {@code bytes} back; once under the limit, the waiters run (outside the lock) to ask again. */
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
