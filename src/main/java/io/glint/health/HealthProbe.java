package io.glint.health;

import io.vertx.core.Future;

/**
 * One check of the detailed health view (oslo.middleware's healthcheck backends): the database, each store, and
 * whatever other features register ({@link HealthCheck#register}: the notification broker's connection, say).
 * A probe's future may fail; that counts as unavailable with the failure as details.
 */
public interface HealthProbe {

  /** The {@code class} shown for this probe's result, e.g. {@code DatabaseProbe}, {@code StoreProbe(file)}. */
  String name();

  /** Checks once. Never blocks the calling event loop. */
  Future<Result> check();

  /** A probe's answer, oslo's {@code HealthcheckResult}. */
  record Result(boolean available, String reason, String details) {
    public static Result ok(String details) {
      return new Result(true, "OK", details);
    }

    public static Result failed(String reason, String details) {
      return new Result(false, reason, details);
    }
  }
}
