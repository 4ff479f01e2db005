package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.glint.testing.BytesHandler;
import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Locations through JSON-patch, and the HTTP store")
class ImageLocationsTest extends ApiTestBase {
  private static final byte[] DATA = Bytes.random(700_000, 21);
  private static HttpServer origin;
  private static TestServer glint;
  private static final AtomicInteger hits = new AtomicInteger();

  @BeforeAll
  static void startOriginAndGlint() throws Exception {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    BytesHandler bytes = new BytesHandler(DATA);
    origin.createContext("/cirros.img", exchange -> {
      hits.incrementAndGet();
      bytes.handle(exchange);
    });
    origin.createContext("/redirect-to-metadata", exchange -> {
      exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
    });
    origin.createContext("/flaky.img", exchange -> {
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().add("Content-Length", "1000");
        exchange.sendResponseHeaders(200, -1);
      } else {
        exchange.sendResponseHeaders(500, -1);
      }
      exchange.close();
    });
    origin.createContext("/missing", exchange -> {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
    });
    origin.start();
    glint = TestServer.start(Map.of(
        "show_multiple_locations", "true",
        "show_image_direct_url", "true",
        "import_filtering_opts.allowed_hosts", "127.0.0.1",
        "import_filtering_opts.allowed_ports", ""));
  }

  @AfterAll
  static void stop() {
    origin.stop(0);
    glint.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + origin.getAddress().getPort() + path;
  }

  private static JsonObject location(String url) {
    return new JsonObject().put("url", url).put("metadata", new JsonObject());
  }

  private static JsonArray add(JsonObject location) {
    return new JsonArray().add(new JsonObject().put("op", "add").put("path", "/locations/-").put("value", location));
  }

  private String queued(Api api) {
    return api.create(new JsonObject().put("name", "remote").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
  }

  @Test
  @DisplayName("adding an http location to a queued image activates it; downloads stream from the origin")
  void httpLocationServesData() {
    Api a = Api.as(glint, "project-a", "member");
    String id = queued(a);
    Response r = a.patch("/v2/images/" + id, add(location(url("/cirros.img"))));
    assertEquals(200, r.status(), r.body());
    JsonObject image = r.json();
    assertEquals("active", image.getString("status"));
    assertEquals(DATA.length, image.getLong("size"));
    assertEquals(url("/cirros.img"), image.getString("direct_url"));
    assertEquals(1, image.getJsonArray("locations").size());
    Api.BytesResponse down = a.download(id, Map.of());
    assertEquals(200, down.status());
    assertArrayEquals(DATA, down.body());
    assertEquals(400, a.download(id, Map.of("Range", "bytes=0-9")).status());
    // Deleting the image forgets the location (the HTTP store cannot delete remote data).
    assertEquals(204, a.delete("/v2/images/" + id).status());
  }

  @Test
  @DisplayName("a remote store that fails to serve the data makes the download a 503")
  void remoteFailure() {
    Api a = Api.as(glint, "project-a", "member");
    String id = queued(a);
    assertEquals(200, a.patch("/v2/images/" + id, add(location(url("/flaky.img")))).status());
    Api.BytesResponse down = a.download(id, Map.of());
    assertEquals(503, down.status());
  }

  @Test
  @DisplayName("user locations that are local files, refused hosts, redirects to metadata or empty are 400s")
  void refusedLocations() {
    Api a = Api.as(glint, "project-a", "member");
    String id = queued(a);
    for (String bad : List.of("file:///etc/passwd", "filesystem:///etc/passwd", "swift+config://ref/c/o",
        "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/", "http://2130706433:1/x",
        url("/redirect-to-metadata"), url("/missing"), "s3://bucket/key", "not a url")) {
      Response r = a.patch("/v2/images/" + id, add(location(bad)));
      assertEquals(400, r.status(), bad + " -> " + r.body());
    }
    assertEquals("queued", a.get("/v2/images/" + id).json().getString("status"));
  }

  @Test
  @DisplayName("location rules: owner only, no empty list, no removing the last, active images admin-only")
  void locationRules() {
    Api a = Api.as(glint, "project-a", "member");
    Api admin = Api.as(glint, "project-admin", "admin");
    String id = queued(a);
    JsonArray emptyReplace = new JsonArray().add(new JsonObject().put("op", "replace").put("path", "/locations")
        .put("value", new JsonArray()));
    assertEquals(403, a.patch("/v2/images/" + id, emptyReplace).status());
    assertEquals(200, a.patch("/v2/images/" + id, add(location(url("/cirros.img")))).status());
    // OSSN-0065: the owner cannot add or swap locations of an active image.
    assertEquals(403, a.patch("/v2/images/" + id, add(location(url("/cirros.img?copy")))).status());
    JsonArray removeFirst = new JsonArray().add(new JsonObject().put("op", "remove").put("path", "/locations/0"));
    assertEquals(403, a.patch("/v2/images/" + id, removeFirst).status());
    assertEquals(403, admin.patch("/v2/images/" + id, removeFirst).status(), "last location");
    assertEquals(200, admin.patch("/v2/images/" + id, add(location(url("/cirros.img?copy")))).status());
    assertEquals(400, admin.patch("/v2/images/" + id, add(location(url("/cirros.img?copy")))).status(), "dup");
    Response removed = admin.patch("/v2/images/" + id, removeFirst);
    assertEquals(200, removed.status(), removed.body());
    assertEquals(url("/cirros.img?copy"), removed.json().getJsonArray("locations").getJsonObject(0).getString("url"));
    assertArrayEquals(DATA, a.download(id, Map.of()).body());
    Api b = Api.as(glint, "project-b", "member");
    String other = queued(a);
    assertEquals(404, b.patch("/v2/images/" + other, add(location(url("/cirros.img")))).status());
  }

  @Test
  @DisplayName("validation_data sets the hashes of a queued image; wrong algorithm or length is 409")
  void validationData() {
    Api a = Api.as(glint, "project-a", "member");
    String id = queued(a);
    JsonObject bad = location(url("/cirros.img")).put("validation_data", new JsonObject()
        .put("os_hash_algo", "sha256").put("os_hash_value", Bytes.sha512(DATA)));
    assertEquals(409, a.patch("/v2/images/" + id, add(bad)).status());
    JsonObject shortHash = location(url("/cirros.img")).put("validation_data", new JsonObject()
        .put("os_hash_algo", "sha512").put("os_hash_value", "abcd"));
    assertEquals(409, a.patch("/v2/images/" + id, add(shortHash)).status());
    JsonObject good = location(url("/cirros.img")).put("validation_data", new JsonObject()
        .put("checksum", Bytes.md5(DATA)).put("os_hash_algo", "sha512").put("os_hash_value", Bytes.sha512(DATA)));
    JsonObject image = a.patch("/v2/images/" + id, add(good)).json();
    assertEquals(Bytes.md5(DATA), image.getString("checksum"));
    assertEquals(Bytes.sha512(DATA), image.getString("os_hash_value"));
  }

  @Test
  @DisplayName("with show_multiple_locations off (the default), location changes are 403 and views have none")
  void hiddenByDefault() {
    String id = alice.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
    int before = hits.get();
    Response r = alice.patch("/v2/images/" + id, add(location(url("/cirros.img"))));
    assertEquals(403, r.status());
    assertEquals(before, hits.get(), "no request may leave Glint before the change is allowed");
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertFalse(image.containsKey("locations"));
    assertFalse(image.containsKey("direct_url"));
    assertTrue(alice.get("/v2/images").ids().contains(id));
  }
}
