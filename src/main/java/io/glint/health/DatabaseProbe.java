package io.glint.health;

import io.vertx.core.Future;
import java.util.function.Supplier;

/** Whether the database answers a trivial query (and how long it took). */
public final class DatabaseProbe implements HealthProbe {
  private final Supplier<Future<Void>> ping;

  public DatabaseProbe(Supplier<Future<Void>> ping) {
    this.ping = ping;
  }

  @Override
  public String name() {
    return "DatabaseProbe";
  }

  @Override
  public Future<Result> check() {
    long t0 = System.nanoTime();
    return ping.get()
        .map(v -> Result.ok("database answered in " + (System.nanoTime() - t0) / 1_000_000 + " ms"))
        .otherwise(e -> Result.failed("DATABASE UNAVAILABLE", String.valueOf(e.getMessage())));
  }
}
