package io.glint.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Vert.x metrics SPI that {@code scripts/run} builds (Glint's main entry point): only the pools are measured;
 * the HTTP server's requests are Glint's own meters (route templates), so Vert.x must not count them a second time
 * on the hot path.
 */
@DisplayName("Vert.x metrics: HTTP server, client, net and event bus categories disabled")
class VertxMetricsCategoriesTest {

  @Test
  @DisplayName("requests served by a metrics-enabled Vert.x leave no vertx_http_server_* or vertx_net_* meters")
  void httpServerNotMeasuredByVertx() throws Exception {
    GlintMetrics metrics = GlintMetrics.create();
    Vertx vertx = metrics.vertx(new VertxOptions());
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response().end("ok"))
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      HttpClient client = HttpClient.newHttpClient();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.actualPort() + "/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
      }
      String scrape = metrics.scrape();
      assertFalse(scrape.contains("vertx_http_server"), scrape);
      assertFalse(scrape.contains("vertx_net_server"), scrape);
      assertTrue(scrape.contains("jvm_memory_used_bytes"), scrape);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
