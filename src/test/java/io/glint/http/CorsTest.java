package io.glint.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("[cors] as oslo.middleware's CORS filter with Glance's defaults")
class CorsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestServer server;
  private static int warnings;

  @BeforeAll
  static void start() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "origin");
    warnings = BlockedThreadWatch.mark();
    server = TestServer.start(Map.of("cors.allowed_origin", "https://horizon.example", "cors.max_age", "600"));
  }

  @AfterAll
  static void stop() {
    server.server().undeploy().await();
    BlockedThreadWatch.assertNoneSince(warnings);
  }

  private static HttpResponse<String> send(String method, String path, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("a preflight from an allowed origin: 200, no body, the allow headers")
  void preflight() throws Exception {
    HttpResponse<String> r = send("OPTIONS", "/v2/images", Map.of("Origin", "https://horizon.example",
        "Access-Control-Request-Method", "PATCH", "Access-Control-Request-Headers", "X-Auth-Token, Content-Type"));
    assertEquals(200, r.statusCode());
    assertEquals("", r.body());
    assertEquals("https://horizon.example", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals("true", r.headers().firstValue("Access-Control-Allow-Credentials").orElse(null));
    assertEquals("600", r.headers().firstValue("Access-Control-Max-Age").orElse(null));
    assertEquals("PATCH", r.headers().firstValue("Access-Control-Allow-Methods").orElse(null));
    assertEquals("X-Auth-Token,Content-Type", r.headers().firstValue("Access-Control-Allow-Headers").orElse(null));
    assertEquals("Origin", r.headers().firstValue("Vary").orElse(null));
  }

  @Test
  @DisplayName("a preflight from another origin, for a refused method or header: 200 without allow headers")
  void refusedPreflights() throws Exception {
    for (Map<String, String> h : new Map[] {
        Map.of("Origin", "https://evil.example", "Access-Control-Request-Method", "GET"),
        Map.of("Origin", "https://horizon.example", "Access-Control-Request-Method", "TRACE"),
        Map.of("Origin", "https://horizon.example", "Access-Control-Request-Method", "GET",
            "Access-Control-Request-Headers", "X-Evil")}) {
      HttpResponse<String> r = send("OPTIONS", "/v2/images", h);
      assertEquals(200, r.statusCode());
      assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent(), h.toString());
    }
  }

  @Test
  @DisplayName("an actual request from an allowed origin gets Allow-Origin and Expose-Headers, on errors too")
  void actualRequest() throws Exception {
    HttpResponse<String> r = send("GET", "/v2/images", Map.of("Origin", "https://horizon.example",
        "X-Identity-Status", "Confirmed", "X-Project-Id", "p", "X-Roles", "member"));
    assertEquals(200, r.statusCode());
    assertEquals("https://horizon.example", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertTrue(r.headers().firstValue("Access-Control-Expose-Headers").orElse("").contains("X-OpenStack-Request-ID"));
    HttpResponse<String> unauthorized = send("GET", "/v2/images", Map.of("Origin", "https://horizon.example"));
    assertEquals(401, unauthorized.statusCode());
    assertEquals("https://horizon.example",
        unauthorized.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    HttpResponse<String> other = send("GET", "/v2/images", Map.of("Origin", "https://evil.example",
        "X-Identity-Status", "Confirmed", "X-Project-Id", "p", "X-Roles", "member"));
    assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent());
  }
}
