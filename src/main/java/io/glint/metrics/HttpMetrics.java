package io.glint.metrics;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code glint_http_server_requests_seconds}: every API request's latency (head received to response ended), by
 * method, route template and status; its {@code _count} is the request count. One timer per label set, looked up
 * in a map on the hot path (no allocation once the label set has been seen).
 */
public final class HttpMetrics {
  static final String NAME = "glint_http_server_requests";

  private final GlintMetrics metrics;
  private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();

  public HttpMetrics(GlintMetrics metrics) {
    this.metrics = metrics;
  }

  private record Key(String method, String route, int status) {}

  /** Records one request. */
  public void record(String method, String route, int status, long nanos) {
    Key key = new Key(method, route, status);
    Timer timer = timers.get(key);
    if (timer == null) {
      timer = timers.computeIfAbsent(key, k -> metrics.timer(NAME, "API requests by method, route and status",
          "method", k.method(), "route", k.route(), "status", Integer.toString(k.status())));
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }
}
