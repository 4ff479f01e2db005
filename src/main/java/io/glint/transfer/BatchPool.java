package io.glint.transfer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The batch arrays of all uploads together, with a hard bound on how many are in use at once, so that the
 * bytes all uploads hold in memory are bounded whatever their number: {@code max} arrays of {@code size} bytes.
 * An upload that finds none free waits (its client is paused: TCP backpressure), and the next array given back
 * goes straight to the longest waiter. A bounded number of free arrays is kept for reuse; the rest are left to
 * the garbage collector.
 */
final class BatchPool {
  private final int size;
  private final int max;
  private final int keep;
  private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger kept = new AtomicInteger();
  private final AtomicInteger inUse = new AtomicInteger();
  private final ConcurrentLinkedQueue<Consumer<byte[]>> waiters = new ConcurrentLinkedQueue<>();

  BatchPool(int size, int max, int keep) {
    this.size = size;
    this.max = max;
    this.keep = keep;
  }

  int size() {
    return size;
  }

  /** Arrays in use (taken and not given back). */
  int inUse() {
    return inUse.get();
  }

  /** An array, or null when {@code max} are in use. */
  byte[] tryTake() {
    if (inUse.incrementAndGet() > max) {
      inUse.decrementAndGet();
      return null;
    }
    byte[] array = free.poll();
    if (array != null) {
      kept.decrementAndGet();
      return array;
    }
    try {
      return new byte[size];
    } catch (Throwable t) { // OutOfMemoryError: the slot was not taken after all
      inUse.decrementAndGet();
      throw t;
    }
  }

  /**
   * Calls {@code waiter} with an array as soon as one is free (at once, on this thread, if one is now; else on
   * the thread that gives one back). The waiter owns the array and must give it back.
   */
  void await(Consumer<byte[]> waiter) {
    waiters.add(waiter);
    // An array given back between the caller's failed tryTake and the add above found no waiter: try again.
    byte[] array = tryTake();
    if (array != null) {
      if (waiters.remove(waiter)) {
        waiter.accept(array);
      } else {
        give(array); // the waiter was served meanwhile
      }
    }
  }

  /** Gives an array back: to the longest waiter if there is one, else to the free list. */
  void give(byte[] array) {
    Consumer<byte[]> waiter = waiters.poll();
    if (waiter != null) {
      waiter.accept(array);
      return;
    }
    inUse.decrementAndGet();
    if (kept.incrementAndGet() <= keep) {
      free.add(array);
    } else {
      kept.decrementAndGet();
    }
    // A waiter may have registered after the poll above: hand it what is now free.
    if (!waiters.isEmpty()) {
      byte[] again = tryTake();
      if (again != null) {
        give(again);
      }
    }
  }
}
