package io.glint.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GET /metrics: Prometheus text whose numbers match a known workload")
class MetricsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Pattern SAMPLE = Pattern.compile(
      "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");
  private static TestServer server;
  private static int warnings;

  @BeforeAll
  static void start() {
    warnings = BlockedThreadWatch.mark();
    server = TestServer.start(Map.of("metrics_bind_port", "0"));
  }

  @AfterAll
  static void stop() {
    server.close();
    BlockedThreadWatch.assertNoneSince(warnings);
  }

  private static String scrape() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.server().metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    return r.body();
  }

  /** Every sample line by name and labels; also checks the exposition's syntax line by line. */
  static Map<String, Double> parse(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(
          m.group(3).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
    }
    return samples;
  }

  /**
   * {@code promtool check metrics} (Debian's prometheus package; .ci/run installs it) on a scrape: exit 0 and
   * nothing to say, or the test fails with promtool's words. A missing promtool fails too.
   */
  static void promtoolCheck(String text) throws Exception {
    java.nio.file.Path promtool = java.nio.file.Path.of(System.getProperty("glint.promtool", "/usr/bin/promtool"));
    assertTrue(java.nio.file.Files.isExecutable(promtool),
        promtool + " is missing: install Debian's prometheus package (.ci/run does)");
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (java.io.OutputStream in = p.getOutputStream()) {
      in.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, p.exitValue(), "promtool check metrics:\n" + said);
    assertEquals("", said.strip(), "promtool check metrics:\n" + said);
  }

  private static double sum(Map<String, Double> samples, String name, String... labelParts) {
    return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{") || e.getKey().equals(name))
        .filter(e -> {
          for (String part : labelParts) {
            if (!e.getKey().contains(part)) {
              return false;
            }
          }
          return true;
        }).mapToDouble(Map.Entry::getValue).sum();
  }

  @Test
  @DisplayName("requests by route template and status, bytes by store, digests, JVM, pool, event-loop delay")
  void knownWorkload() throws Exception {
    Map<String, Double> before = parse(scrape());
    Api alice = Api.as(server, "project-a", "member");
    byte[] data = Bytes.random(100_000, 5);
    String id = alice.create(new JsonObject().put("name", "m").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    assertEquals(204, alice.upload(id, data).status());
    for (int i = 0; i < 3; i++) {
      assertEquals(200, alice.get("/v2/images/" + id).status());
    }
    assertEquals(404, alice.get("/v2/images/00000000-0000-0000-0000-000000000000").status());
    for (int i = 0; i < 2; i++) {
      assertEquals(200, alice.download(id, Map.of()).status());
    }
    Thread.sleep(300); // end handlers run after the client saw the last byte
    String text = scrape();
    promtoolCheck(text);
    Map<String, Double> after = parse(text);

    String get = "glint_http_server_requests_seconds_count";
    assertEquals(3, sum(after, get, "method=\"GET\"", "route=\"/v2/images/:id\"", "status=\"200\"")
        - sum(before, get, "method=\"GET\"", "route=\"/v2/images/:id\"", "status=\"200\""));
    assertEquals(1, sum(after, get, "route=\"/v2/images/:id\"", "status=\"404\"")
        - sum(before, get, "route=\"/v2/images/:id\"", "status=\"404\""));
    assertEquals(1, sum(after, get, "method=\"PUT\"", "route=\"/v2/images/:id/file\"", "status=\"204\""));
    assertEquals(2, sum(after, get, "method=\"GET\"", "route=\"/v2/images/:id/file\"", "status=\"200\""));
    assertEquals(1, sum(after, get, "method=\"POST\"", "route=\"/v2/images\"", "status=\"201\""));
    // Histogram buckets: the +Inf bucket counts every request.
    assertEquals(3, sum(after, "glint_http_server_requests_seconds_bucket", "route=\"/v2/images/:id\"",
        "status=\"200\"", "le=\"+Inf\"") - sum(before, "glint_http_server_requests_seconds_bucket",
        "route=\"/v2/images/:id\"", "status=\"200\"", "le=\"+Inf\""));
    assertEquals(100_000, sum(after, "glint_image_upload_bytes_total", "store=\"file\"")
        - sum(before, "glint_image_upload_bytes_total", "store=\"file\""));
    assertEquals(200_000, sum(after, "glint_image_download_bytes_total", "store=\"file\"")
        - sum(before, "glint_image_download_bytes_total", "store=\"file\""));
    assertTrue(sum(after, "glint_upload_digest_bytes_total", "algorithm=\"md5\"")
        - sum(before, "glint_upload_digest_bytes_total", "algorithm=\"md5\"") >= 100_000);
    assertTrue(sum(after, "glint_upload_digest_bytes_total", "algorithm=\"sha512\"") >= 100_000);
    assertEquals(0, sum(after, "glint_transfers_in_flight"));
    assertTrue(after.containsKey("glint_db_pool_max_connections"));
    assertTrue(sum(after, "glint_event_loop_delay_seconds_count") > 0);
    assertTrue(sum(after, "jvm_memory_used_bytes") > 0);
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_gc_")));
    // Ids never become labels.
    assertTrue(after.keySet().stream().noneMatch(k -> k.contains(id)));
  }

  @Test
  @DisplayName("on the API port /metrics is for admins only: 403 for members, 200 for admins; with the cache's "
      + "meters too, promtool is content")
  void apiPortNeedsAdmin() throws Exception {
    java.nio.file.Path cacheDir = java.nio.file.Files.createTempDirectory("glint-metrics-cache");
    TestServer other = TestServer.start(Map.of("image_cache_dir", cacheDir.toString()));
    try {
      assertEquals(403, Api.as(other, "project-a", "member").get("/metrics").status());
      Api.Response ok = Api.as(other, "project-admin", "admin").get("/metrics");
      assertEquals(200, ok.status());
      promtoolCheck(ok.body());
      Map<String, Double> samples = parse(ok.body());
      assertTrue(samples.containsKey("glint_db_pool_max_connections"));
      assertTrue(samples.containsKey("glint_image_cache_hits_total"));
      assertTrue(samples.get("process_cpu_seconds_total") > 0);
    } finally {
      other.close();
    }
  }
}
