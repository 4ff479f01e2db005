package io.glint.metrics;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code glint_http_server_requests_seconds}: every API request's latency (head received to response ended), by
 * method, route template and status; its {@code _count} is the request count. The hot path allocates nothing and
 * builds no tags once a label set has been seen: the route's timers are found by the template (a String whose hash
 * is cached), then by method name, then by status in an array; the timer itself is built once per label set.
 */
public final class HttpMetrics {
  static final String NAME = "glint_http_server_requests";
  private static final String HELP = "API requests by method, route and status";
  private static final int FIRST_STATUS = 100;
  private static final int STATUSES = 500; // 100..599

  private final GlintMetrics metrics;
  private final ConcurrentHashMap<String, RouteTimers> routes = new ConcurrentHashMap<>();

  public HttpMetrics(GlintMetrics metrics) {
    this.metrics = metrics;
  }

  /** Records one request. */
  public void record(String method, String route, int status, long nanos) {
    RouteTimers timers = routes.get(route);
    if (timers == null) {
      timers = routes.computeIfAbsent(route, RouteTimers::new);
    }
    timers.timer(method, status).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One route template's timers: per method, an array by status (odd statuses in a map). */
  private final class RouteTimers {
    private final String route;
    private final ConcurrentHashMap<String, AtomicReferenceArray<Timer>> byMethod = new ConcurrentHashMap<>(4);
    private final ConcurrentHashMap<String, Timer> odd = new ConcurrentHashMap<>(1);

    RouteTimers(String route) {
      this.route = route;
    }

    Timer timer(String method, int status) {
      int slot = status - FIRST_STATUS;
      if (slot < 0 || slot >= STATUSES) {
        return odd.computeIfAbsent(method + " " + status, k -> build(method, status));
      }
      AtomicReferenceArray<Timer> byStatus = byMethod.get(method);
      if (byStatus == null) {
        byStatus = byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(STATUSES));
      }
      Timer timer = byStatus.get(slot);
      if (timer == null) {
        timer = build(method, status); // the registry returns the same timer to a racing second builder
        byStatus.set(slot, timer);
      }
      return timer;
    }

    private Timer build(String method, int status) {
      return metrics.timer(NAME, HELP, "method", method, "route", route, "status", Integer.toString(status));
    }
  }
}
