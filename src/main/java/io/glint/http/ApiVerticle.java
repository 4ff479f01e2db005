package io.glint.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.function.Function;

/** One HTTP server instance on one event loop; Glint deploys one per worker (event loop). */
public final class ApiVerticle extends VerticleBase {
  private final HttpServerOptions options;
  private final ConnectionGuard.Limits limits;
  private final Function<io.vertx.core.Vertx, io.vertx.ext.web.Router> routerFactory;
  private HttpServer server;

  public ApiVerticle(HttpServerOptions options, ConnectionGuard.Limits limits,
      Function<io.vertx.core.Vertx, io.vertx.ext.web.Router> routerFactory) {
    this.options = options;
    this.limits = limits;
    this.routerFactory = routerFactory;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> ConnectionGuard.install(connection, limits))
        .invalidRequestHandler(ConnectionGuard::answerInvalid)
        .requestHandler(routerFactory.apply(vertx));
    return server.listen();
  }

  /**
   * Stops accepting connections and closes the idle ones; each busy connection is closed once its response is
   * done, or when {@code grace} runs out (then what it carried fails as a client abort would).
   */
  public Future<Void> shutdown(java.time.Duration grace) {
    return server == null ? Future.succeededFuture()
        : server.shutdown(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }
}
