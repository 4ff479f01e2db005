package io.glint.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling waits for conditions that become true asynchronously. */
public final class Await {
  private Await() {}

  /** Waits until {@code condition} holds, at most {@code limit}; fails naming {@code what} otherwise. */
  public static void until(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within " + limit.toMillis() + " ms: " + what);
      }
      Thread.sleep(10);
    }
  }
}
