package io.glint.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("gzip of the API's JSON answers (Glance's gzip filter), never of image data")
class ResponseGzipTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestServer server;
  private static int warnings;
  private static final String PROJECT = "gzip-" + UUID.randomUUID();

  @BeforeAll
  static void start() {
    warnings = BlockedThreadWatch.mark();
    server = TestServer.start(Map.of());
    Api owner = Api.as(server, PROJECT, "member");
    for (int i = 0; i < 5; i++) {
      owner.create(new JsonObject().put("name", "gzip-" + i).put("disk_format", "raw").put("container_format", "bare"));
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    BlockedThreadWatch.assertNoneSince(warnings);
  }

  private static HttpResponse<byte[]> send(TestServer on, String method, String path, Map<String, String> extra)
      throws Exception {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-Identity-Status", "Confirmed");
    h.put("X-Project-Id", PROJECT);
    h.put("X-User-Id", "user");
    h.put("X-Roles", "member");
    h.put("Accept", "application/json");
    h.putAll(extra);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(on.base() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    h.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] gunzip(byte[] body) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    }
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  @Test
  @DisplayName("a JSON list asked with Accept-Encoding: gzip is gzipped, smaller, and decodes to the same JSON")
  void listGzipped() throws Exception {
    HttpResponse<byte[]> plain = send(server, "GET", "/v2/images?sort_key=name&sort_dir=asc", Map.of());
    HttpResponse<byte[]> zipped = send(server, "GET", "/v2/images?sort_key=name&sort_dir=asc",
        Map.of("Accept-Encoding", "deflate, gzip;q=0.8"));
    assertEquals(200, zipped.statusCode());
    assertEquals("gzip", header(zipped, "Content-Encoding"));
    assertEquals("Accept-Encoding", header(zipped, "Vary"));
    assertEquals("application/json", header(zipped, "Content-Type"));
    assertEquals(Long.toString(zipped.body().length), header(zipped, "Content-Length"));
    assertTrue(zipped.body().length < plain.body().length, zipped.body().length + " >= " + plain.body().length);
    JsonObject decoded = new JsonObject(new String(gunzip(zipped.body()), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(new JsonObject(new String(plain.body(), java.nio.charset.StandardCharsets.UTF_8)), decoded);
    assertTrue(decoded.getJsonArray("images").size() >= 5);
  }

  @Test
  @DisplayName("not asked, identity, or gzip;q=0: sent as is (with Vary, since the answer depends on it)")
  void notAsked() throws Exception {
    for (Map<String, String> h : java.util.List.of(Map.<String, String>of(), Map.of("Accept-Encoding", "identity"),
        Map.of("Accept-Encoding", "gzip;q=0, br"))) {
      HttpResponse<byte[]> r = send(server, "GET", "/v2/images", h);
      assertEquals(200, r.statusCode());
      assertNull(header(r, "Content-Encoding"), h.toString());
      assertEquals("Accept-Encoding", header(r, "Vary"), h.toString());
      assertTrue(new JsonObject(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
          .getJsonArray("images").size() >= 5);
    }
  }

  @Test
  @DisplayName("image data is never gzipped, even when asked: same bytes, Content-Length and Content-MD5 kept")
  void downloadNeverGzipped() throws Exception {
    Api owner = Api.as(server, PROJECT, "member");
    String id = owner.create(new JsonObject().put("name", "zz-data").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    byte[] data = new byte[300_000]; // compressible: a compressor in the way would shrink it
    System.arraycopy(Bytes.random(1000, 3), 0, data, 0, 1000);
    assertEquals(204, owner.upload(id, data).status());
    HttpResponse<byte[]> r = send(server, "GET", "/v2/images/" + id + "/file", Map.of("Accept-Encoding", "gzip"));
    assertEquals(200, r.statusCode());
    assertNull(header(r, "Content-Encoding"));
    assertEquals("application/octet-stream", header(r, "Content-Type"));
    assertEquals("300000", header(r, "Content-Length"));
    assertArrayEquals(data, r.body());
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)), header(r, "Content-MD5"));
    HttpResponse<byte[]> range = send(server, "GET", "/v2/images/" + id + "/file",
        Map.of("Accept-Encoding", "gzip", "Range", "bytes=0-99"));
    assertEquals(206, range.statusCode());
    assertNull(header(range, "Content-Encoding"));
    assertEquals(100, range.body().length);
  }

  @Test
  @DisplayName("HEAD, 204 and small bodies: no encoding trouble")
  void headAndNoContent() throws Exception {
    String id = Api.as(server, PROJECT, "member").create(new JsonObject().put("name", "zz-tag")
        .put("disk_format", "raw").put("container_format", "bare")).getString("id");
    HttpResponse<byte[]> tag = send(server, "PUT", "/v2/images/" + id + "/tags/t", Map.of("Accept-Encoding", "gzip"));
    assertEquals(204, tag.statusCode());
    assertNull(header(tag, "Content-Encoding"));
    assertEquals(0, tag.body().length);
    HttpResponse<byte[]> head = send(server, "HEAD", "/v2/images/" + id + "/file", Map.of("Accept-Encoding", "gzip"));
    assertNull(header(head, "Content-Encoding"));
    assertEquals(0, head.body().length);
    HttpResponse<byte[]> schemaHead = send(server, "HEAD", "/v2/schemas/image", Map.of("Accept-Encoding", "gzip"));
    assertEquals(0, schemaHead.body().length);
    // a 404's JSON error body is below the threshold: sent as is
    HttpResponse<byte[]> missing = send(server, "GET", "/v2/images/" + UUID.randomUUID(),
        Map.of("Accept-Encoding", "gzip"));
    assertEquals(404, missing.statusCode());
    assertNull(header(missing, "Content-Encoding"));
    assertTrue(new String(missing.body(), java.nio.charset.StandardCharsets.UTF_8).contains("\"code\""));
  }

  @Test
  @DisplayName("error bodies are gzipped as Glance's filter does, when large enough")
  void errorsGzipped() throws Exception {
    TestServer small = TestServer.start(Map.of("gzip_min_length", "0"));
    try {
      HttpResponse<byte[]> missing = send(small, "GET", "/v2/images/" + UUID.randomUUID(),
          Map.of("Accept-Encoding", "gzip"));
      assertEquals(404, missing.statusCode());
      assertEquals("gzip", header(missing, "Content-Encoding"));
      assertTrue(new String(gunzip(missing.body()), java.nio.charset.StandardCharsets.UTF_8).contains("404 Not Found"));
    } finally {
      small.close();
    }
  }

  @Test
  @DisplayName("gzip_responses = false: never compressed, no Vary")
  void off() throws Exception {
    TestServer plain = TestServer.start(Map.of("gzip_responses", "false"));
    try {
      HttpResponse<byte[]> r = send(plain, "GET", "/v2/images", Map.of("Accept-Encoding", "gzip"));
      assertEquals(200, r.statusCode());
      assertNull(header(r, "Content-Encoding"));
      assertFalse(r.headers().firstValue("Vary").isPresent());
    } finally {
      plain.close();
    }
  }
}
