package io.glint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Multiple stores: enabled_backends, X-Image-Meta-Store, /v2/info/stores, per-store delete")
class MultiStoreTest extends ApiTestBase {
  private static TestServer multi;
  private static Path fastDir;
  private static Path cheapDir;

  private static com.sun.net.httpserver.HttpServer origin;
  private static final byte[] REMOTE = Bytes.random(3000, 33);

  @BeforeAll
  static void start() throws Exception {
    origin = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    origin.createContext("/remote.img", exchange -> {
      exchange.getResponseHeaders().add("Content-Length", Integer.toString(REMOTE.length));
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(200, head ? -1 : REMOTE.length);
      try (var out = exchange.getResponseBody()) {
        if (!head) {
          out.write(REMOTE);
        }
      }
    });
    origin.start();
    fastDir = Files.createTempDirectory("glint-fast");
    cheapDir = Files.createTempDirectory("glint-cheap");
    multi = TestServer.start(Map.of(
        "enabled_backends", "fast:file, cheap:file, web:http",
        "glance_store.default_backend", "fast",
        "fast.filesystem_store_datadir", fastDir.toString(),
        "fast.store_description", "NVMe",
        "cheap.filesystem_store_datadir", cheapDir.toString(),
        "show_multiple_locations", "true",
        "import_filtering_opts.allowed_hosts", "127.0.0.1",
        "import_filtering_opts.allowed_ports", ""));
  }

  @AfterAll
  static void stop() {
    multi.close();
    origin.stop(0);
  }

  @Test
  @DisplayName("an http location added by PATCH is recorded in the http store, which serves it")
  void httpLocationInMultiStore() {
    Api a = Api.as(multi, "project-a", "member");
    String id = image(a);
    String url = "http://127.0.0.1:" + origin.getAddress().getPort() + "/remote.img";
    JsonArray add = new JsonArray().add(new JsonObject().put("op", "add").put("path", "/locations/-")
        .put("value", new JsonObject().put("url", url).put("metadata", new JsonObject())));
    Response r = a.patch("/v2/images/" + id, add);
    assertEquals(200, r.status(), r.body());
    assertEquals("web", r.json().getString("stores"));
    assertEquals("web", r.json().getJsonArray("locations").getJsonObject(0).getJsonObject("metadata")
        .getString("store"));
    assertArrayEquals(REMOTE, a.download(id, Map.of()).body());
  }

  private static String image(Api api) {
    return api.create(new JsonObject().put("name", "m").put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  @Test
  @DisplayName("/v2/info/stores lists the stores with the default and read-only marks; detail is admin-only")
  void discovery() {
    Api a = Api.as(multi, "project-a", "member");
    JsonArray stores = a.get("/v2/info/stores").json().getJsonArray("stores");
    assertEquals(new JsonObject().put("id", "fast").put("description", "NVMe").put("default", "true"),
        stores.getJsonObject(0));
    assertEquals(new JsonObject().put("id", "cheap"), stores.getJsonObject(1));
    assertEquals(new JsonObject().put("id", "web").put("read-only", "true"), stores.getJsonObject(2));
    assertEquals(403, a.get("/v2/info/stores/detail").status());
    JsonArray detail = Api.as(multi, "p", "admin").get("/v2/info/stores/detail").json().getJsonArray("stores");
    assertEquals("file", detail.getJsonObject(0).getString("type"));
    assertEquals(fastDir.toString(), detail.getJsonObject(0).getJsonObject("properties").getString("data_dir"));
    assertEquals("http", detail.getJsonObject(2).getString("type"));
    // Single-store deployments have no store discovery, as in Glance.
    assertEquals(404, alice.get("/v2/info/stores").status());
    assertEquals(404, alice.delete("/v2/stores/file/" + image(alice)).status());
    // The versions document lists the multi-store versions.
    JsonArray versions = Api.anonymous(multi).get("/versions").json().getJsonArray("versions");
    assertTrue(versions.stream().anyMatch(v -> ((JsonObject) v).getString("id").equals("v2.13")));
  }

  @Test
  @DisplayName("uploads go to the default store or to the one X-Image-Meta-Store names; stores shows where")
  void uploadsChooseStores() throws Exception {
    Api a = Api.as(multi, "project-a", "member");
    byte[] data = Bytes.random(5000, 31);
    String toDefault = image(a);
    assertEquals(204, a.upload(toDefault, data).status());
    assertEquals("fast", a.get("/v2/images/" + toDefault).json().getString("stores"));
    assertTrue(Files.exists(fastDir.resolve(toDefault)));

    String toCheap = image(a);
    Response r = a.sendBytes("PUT", "/v2/images/" + toCheap + "/file", data, "application/octet-stream",
        Map.of("X-Image-Meta-Store", "cheap"));
    assertEquals(204, r.status(), r.body());
    assertEquals("cheap", a.get("/v2/images/" + toCheap).json().getString("stores"));
    assertTrue(Files.exists(cheapDir.resolve(toCheap)));
    assertArrayEquals(data, a.download(toCheap, Map.of()).body());

    String unknown = image(a);
    assertEquals(400, a.sendBytes("PUT", "/v2/images/" + unknown + "/file", data, "application/octet-stream",
        Map.of("X-Image-Meta-Store", "nowhere")).status());
    Response readOnly = a.sendBytes("PUT", "/v2/images/" + unknown + "/file", data, "application/octet-stream",
        Map.of("X-Image-Meta-Store", "web"));
    assertEquals(410, readOnly.status());
    assertEquals("queued", a.get("/v2/images/" + unknown).json().getString("status"));
    assertFalse(a.post("/v2/images", new JsonObject()).header("OpenStack-image-store-ids").isEmpty());
  }

  @Test
  @DisplayName("DELETE /v2/stores/{store}/{image}: admin only, active images, never the last copy")
  void deleteFromStore() throws Exception {
    Api a = Api.as(multi, "project-a", "member");
    Api admin = Api.as(multi, "project-admin", "admin");
    byte[] data = Bytes.random(4000, 32);
    String id = image(a);
    assertEquals(204, a.upload(id, data).status());
    assertEquals(403, admin.delete("/v2/stores/fast/" + id).status(), "only copy");
    // A second copy in the cheap store (as copy-image would make).
    Files.write(cheapDir.resolve(id), data);
    TestServer.execute("INSERT INTO image_locations (image_id, url, metadata, status, position, created_at, "
        + "updated_at) VALUES ($1, $2, '{\"store\": \"cheap\"}'::jsonb, 'active', 1, now(), now())",
        id, "file://" + cheapDir.resolve(id));
    assertEquals("fast,cheap", admin.get("/v2/images/" + id).json().getString("stores"));
    assertEquals(403, a.delete("/v2/stores/cheap/" + id).status(), "policy delete_image_location is admin");
    assertEquals(409, admin.delete("/v2/stores/elsewhere/" + id).status());
    assertEquals(404, admin.delete("/v2/stores/web/" + id).status(), "not stored there");
    assertEquals(204, admin.delete("/v2/stores/fast/" + id).status());
    assertFalse(Files.exists(fastDir.resolve(id)));
    assertEquals("cheap", a.get("/v2/images/" + id).json().getString("stores"));
    assertArrayEquals(data, a.download(id, Map.of()).body());
    String queued = image(a);
    assertEquals(409, admin.delete("/v2/stores/fast/" + queued).status());
  }
}
