package io.glint.metrics;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;

/**
 * Serves the scrape: on the API port ({@code GET /metrics}, for admins: the API router calls {@link #send}), or
 * on its own {@code metrics_bind_port} without authentication ({@link #listen}), for a Prometheus that reaches
 * only an internal interface. The scrape is formatted on a worker thread, never on an event loop.
 */
public final class MetricsEndpoint {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final GlintMetrics metrics;
  private HttpServer server;

  public MetricsEndpoint(GlintMetrics metrics) {
    this.metrics = metrics;
  }

  /** Sends the scrape as the answer. */
  public void send(Vertx vertx, HttpServerResponse response) {
    vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
      if (ar.succeeded()) {
        response.putHeader("Content-Type", CONTENT_TYPE).end(ar.result());
      } else {
        response.setStatusCode(500).end();
      }
    });
  }

  /** A server of its own on {@code host:port} (0: any free port) answering {@code GET /metrics} only. */
  public Future<Integer> listen(Vertx vertx, String host, int port) {
    server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(request -> {
          if (!"/metrics".equals(request.path())) {
            request.response().setStatusCode(404).end();
          } else {
            send(vertx, request.response());
          }
        });
    return server.listen().map(HttpServer::actualPort);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
