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
          .log(line(request.method().name(), request.path(), status, bytes, nanos, id, project, user, aborted));
    }
  }

  /**
   * The access-log line: {@code GET /v2/images 200 1234B 1.2ms req-… project=… user=…}. Built by hand: with
   * {@code String.format} and the logger's placeholders, formatting took a third of the access log's cost.
   */
  static String line(String method, String path, int status, long bytes, long nanos, String id, String project,
      String user, boolean aborted) {
    long tenths = (nanos + 50_000) / 100_000; // milliseconds with one decimal, rounded half up
    StringBuilder b = new StringBuilder(96 + path.length());
    b.append(method).append(' ').append(path).append(' ').append(status).append(' ').append(bytes).append("B ")
        .append(tenths / 10).append('.').append(tenths % 10).append("ms ").append(id)
        .append(" project=").append(project).append(" user=").append(user);
    if (aborted) {
      b.append(" aborted");
    }
    return b.toString();
  }
}
