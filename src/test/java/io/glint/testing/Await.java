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

  /**
   * Waits until {@code condition} has held without a break for {@code hold}, all within {@code limit};
   * fails naming {@code what} otherwise.
   */
  public static void stable(BooleanSupplier condition, Duration hold, Duration limit, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    long since = -1;
    while (true) {
      long now = System.nanoTime();
      if (condition.getAsBoolean()) {
        if (since < 0) {
          since = now;
        } else if (now - since >= hold.toNanos()) {
          return;
        }
      } else {
        since = -1;
      }
      if (now > deadline) {
        throw new AssertionError("Not held for " + hold.toMillis() + " ms within " + limit.toMillis() + " ms: " + what);
      }
      Thread.sleep(10);
    }
  }
}
