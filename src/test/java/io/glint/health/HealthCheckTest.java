package io.glint.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.config.GlintConfig;
import io.glint.config.Options;
import io.glint.testing.Api;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("/healthcheck as oslo.middleware's: OK, DISABLED BY FILE, detailed view for admins")
class HealthCheckTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static Path disableFile;
  private static TestServer server;
  private static int warnings;

  @BeforeAll
  static void start() throws Exception {
    warnings = BlockedThreadWatch.mark();
    disableFile = Files.createTempDirectory("glint-health").resolve("disable");
    server = TestServer.start(Map.of("healthcheck.disable_by_file_path", disableFile.toString()));
  }

  @AfterAll
  static void stop() {
    server.server().undeploy().await();
    BlockedThreadWatch.assertNoneSince(warnings);
  }

  private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> head(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.base() + path))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("plain check without a token: 200 OK text, HEAD 204; 503 DISABLED BY FILE while the file exists")
  void plainAndDisabledByFile() throws Exception {
    Files.deleteIfExists(disableFile);
    HttpResponse<String> ok = get("/healthcheck", Map.of());
    assertEquals(200, ok.statusCode());
    assertEquals("OK", ok.body());
    assertTrue(ok.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertEquals(204, head("/healthcheck").statusCode());

    Files.writeString(disableFile, "");
    try {
      HttpResponse<String> off = get("/healthcheck", Map.of());
      assertEquals(503, off.statusCode());
      assertEquals("DISABLED BY FILE", off.body());
      assertEquals(503, head("/healthcheck").statusCode());
      HttpResponse<String> json = get("/healthcheck", Map.of("Accept", "application/json"));
      assertEquals(503, json.statusCode());
      assertEquals(new JsonObject().put("detailed", false).put("reasons", new JsonArray().add("DISABLED BY FILE")),
          new JsonObject(json.body()));
    } finally {
      Files.deleteIfExists(disableFile);
    }
    assertEquals(200, get("/healthcheck", Map.of()).statusCode());
  }

  @Test
  @DisplayName("JSON when Accept prefers it: {\"reasons\": [\"OK\"], \"detailed\": false}")
  void json() throws Exception {
    HttpResponse<String> r = get("/healthcheck", Map.of("Accept", "application/json"));
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertEquals(new JsonObject().put("detailed", false).put("reasons", new JsonArray().add("OK")),
        new JsonObject(r.body()));
    assertEquals("OK", get("/healthcheck", Map.of("Accept", "text/plain, application/json;q=0.5")).body());
  }

  @Test
  @DisplayName("?detailed: admins get database and store probes; members and anonymous callers the plain answer")
  void detailedForAdminsOnly() throws Exception {
    Api admin = Api.as(server, "project-admin", "admin");
    Api.Response detailed = admin.get("/healthcheck?detailed");
    assertEquals(200, detailed.status(), detailed.body());
    JsonObject body = detailed.json();
    assertEquals(true, body.getBoolean("detailed"));
    List<String> classes = body.getJsonArray("reasons").stream().map(o -> ((JsonObject) o).getString("class"))
        .toList();
    assertEquals(List.of("DisableByFileHealthcheck", "DatabaseProbe", "StoreProbe(file)", "StoreProbe(http)"),
        classes);
    body.getJsonArray("reasons").forEach(o -> assertEquals("OK", ((JsonObject) o).getString("reason"), o.toString()));
    assertTrue(((JsonObject) body.getJsonArray("reasons").getValue(2)).getString("details").contains("writable"));
    assertTrue(body.containsKey("gc") && body.containsKey("now") && body.containsKey("java_version"));
    // The store probe leaves nothing behind.
    try (var files = Files.list(server.imageDirectory().resolve(".incoming"))) {
      assertEquals(0, files.count());
    }

    JsonObject member = Api.as(server, "project-a", "member").get("/healthcheck?detailed").json();
    assertEquals(new JsonObject().put("detailed", false).put("reasons", new JsonArray().add("OK")), member);
    HttpResponse<String> anonymous = get("/healthcheck?detailed", Map.of());
    assertEquals(200, anonymous.statusCode());
    assertEquals("OK", anonymous.body());
  }

  @Test
  @DisplayName("a registered probe that fails turns the detailed view to 503 with its reason (the broker hook)")
  void registeredProbe() throws Exception {
    HealthProbe broker = new HealthProbe() {
      @Override
      public String name() {
        return "BrokerProbe";
      }

      @Override
      public io.vertx.core.Future<Result> check() {
        return io.vertx.core.Future.succeededFuture(Result.failed("BROKER UNREACHABLE", "rabbit://x: refused"));
      }
    };
    TestServer other = TestServer.start(Map.of());
    try {
      other.server().health().register(broker);
      Api.Response r = Api.as(other, "project-admin", "admin").get("/healthcheck?detailed");
      assertEquals(503, r.status());
      JsonObject last = (JsonObject) r.json().getJsonArray("reasons").getValue(4);
      assertEquals("BrokerProbe", last.getString("class"));
      assertEquals("BROKER UNREACHABLE", last.getString("reason"));
      assertEquals(200, Api.as(other, "project-a", "member").get("/healthcheck").status(),
          "the plain check does not run the probes");
    } finally {
      other.server().undeploy().await();
    }
  }

  @Test
  @DisplayName("a draining server answers 503 SHUTTING DOWN and closes connections after each answer")
  void draining() throws Exception {
    TestServer other = TestServer.start(Map.of());
    try {
      other.server().health().shuttingDown();
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(other.base() + "/healthcheck")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, r.statusCode());
      assertEquals("SHUTTING DOWN", r.body());
      assertEquals("close", r.headers().firstValue("Connection").orElse(""));
    } finally {
      other.server().undeploy().await();
    }
  }

  @Test
  @DisplayName("GLINT_HEALTHCHECK_DISABLE_BY_FILE_PATH sets [healthcheck] disable_by_file_path")
  void environment() {
    GlintConfig config = GlintConfig.load(List.of(), Map.of("GLINT_HEALTHCHECK_DISABLE_BY_FILE_PATH",
        "/run/glint/disable"));
    assertEquals(Path.of("/run/glint/disable"), config.get(Options.HEALTHCHECK_DISABLE_BY_FILE_PATH));
    assertFalse(config.get(Options.HEALTHCHECK_DETAILED));
  }
}
