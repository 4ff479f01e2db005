package io.glint.metrics;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.concurrent.TimeUnit;

/**
 * {@code glint_event_loop_delay_seconds}: how late a timer set for every {@link #PERIOD_MS} ms fires on an event
 * loop, the time a ready task waits for the loop (a blocked or saturated loop shows here first). Deployed once per
 * event loop.
 */
public final class EventLoopDelay extends VerticleBase {
  static final long PERIOD_MS = 100;

  private final Timer delay;
  private long timer;

  public EventLoopDelay(GlintMetrics metrics) {
    this.delay = metrics.timer("glint_event_loop_delay", "Lateness of a periodic event-loop timer");
  }

  @Override
  public Future<?> start() {
    long[] expected = {System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PERIOD_MS)};
    timer = vertx.setPeriodic(PERIOD_MS, id -> {
      long now = System.nanoTime();
      delay.record(Math.max(0, now - expected[0]), TimeUnit.NANOSECONDS);
      expected[0] = now + TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
