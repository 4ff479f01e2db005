package io.glint.http;

import io.glint.auth.RequestContext;
import io.glint.metrics.HttpMetrics;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees every request end (completed or cut): records it in the request metrics and writes its access-log line on
 * the {@code glint.access} logger: method, path (never the query string), status, bytes sent, duration, request id,
 * project and user; with {@code log_format = json} the same fields are JSON keys. A request whose connection was
 * cut before its answer ended is marked {@code aborted}.
 */
final class RequestObserver {
  static final Logger ACCESS = LoggerFactory.getLogger("glint.access");

  private final HttpMetrics metrics;
  private final boolean accessLog;

  /** {@code metrics} may be null (metrics off). */
  RequestObserver(HttpMetrics metrics, boolean accessLog) {
    this.metrics = metrics;
    this.accessLog = accessLog;
  }

  boolean active() {
    return metrics != null || accessLog;
  }

  void handle(RoutingContext ctx) {
    long t0 = System.nanoTime();
    ctx.addEndHandler(ar -> done(ctx, t0, ar.failed()));
    ctx.next();
  }

  /** In the v2 sub-router: note the route template once the feature route wrote its head. */
  void inV2(RoutingContext ctx) {
    if (metrics != null) {
      ctx.addHeadersEndHandler(v -> RouteTemplate.capture(ctx));
    }
    ctx.next();
  }

  private void done(RoutingContext ctx, long t0, boolean aborted) {
    long nanos = System.nanoTime() - t0;
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    int status = response.getStatusCode();
    if (metrics != null) {
      RouteTemplate.capture(ctx);
      metrics.record(request.method().name(), RouteTemplate.of(ctx), status, nanos);
    }
    if (accessLog && ACCESS.isInfoEnabled()) {
      RequestContext caller = AuthHandler.context(ctx);
      String project = caller == null || caller.projectId() == null ? "-" : caller.projectId();
      String user = caller == null || caller.userId() == null ? "-" : caller.userId();
      String id = RequestIds.get(ctx);
      long bytes = response.bytesWritten();
      double ms = nanos / 1e6;
      ACCESS.atInfo()
          .addKeyValue("method", request.method().name())
          .addKeyValue("path", request.path())
          .addKeyValue("status", status)
          .addKeyValue("bytes", bytes)
          .addKeyValue("duration_ms", Math.round(ms * 1000) / 1000.0)
          .addKeyValue("request_id", id)
          .addKeyValue("project", project)
          .addKeyValue("user", user)
          .addKeyValue("aborted", aborted)
          .log("{} {} {} {}B {}ms {} project={} user={}{}", request.method().name(), request.path(), status, bytes,
              String.format(java.util.Locale.ROOT, "%.1f", ms), id, project, user, aborted ? " aborted" : "");
    }
  }
}
