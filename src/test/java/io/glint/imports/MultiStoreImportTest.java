package io.glint.imports;

import static io.glint.imports.ImportTest.assertError;
import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Imports with several stores: copy-image store to store, stores/all_stores, progress properties. */
@DisplayName("Interoperable import with several stores: copy-image, stores, all_stores")
class MultiStoreImportTest extends ImportTestBase {
  private static Path fastDir;
  private static Path cheapDir;
  private Api admin;

  @BeforeAll
  static void start() throws Exception {
    fastDir = Files.createTempDirectory("glint-fast");
    cheapDir = Files.createTempDirectory("glint-cheap");
    startServer(Map.of(
        "enabled_backends", "fast:file, cheap:file, web:http",
        "glance_store.default_backend", "fast",
        "fast.filesystem_store_datadir", fastDir.toString(),
        "cheap.filesystem_store_datadir", cheapDir.toString(),
        "show_multiple_locations", "true"));
  }

  @BeforeEach
  void clean() throws Exception {
    for (Path dir : List.of(fastDir, cheapDir)) {
      for (Path f : files(dir)) {
        Files.deleteIfExists(f);
      }
    }
    admin = Api.as(server, "project-a", "admin,member");
  }

  private String activeIn(String store, byte[] data) {
    String id = create(alice, "raw");
    assertEquals(204, alice.sendBytes("PUT", "/v2/images/" + id + "/file", data, "application/octet-stream",
        Map.of("X-Image-Meta-Store", store)).status());
    return id;
  }

  @Test
  @DisplayName("create names the stores; copy-image copies store to store, verified against the recorded hash")
  void copyImage() throws Exception {
    assertEquals("fast,cheap,web", alice.post("/v2/images", new JsonObject()).header("OpenStack-image-store-ids"));
    byte[] data = Bytes.random(3 * 1024 * 1024 + 5, 21);
    String id = activeIn("fast", data);
    assertError(403, "You are not authorized to complete copy_image action.",
        importImage(alice, id, method("copy-image").put("stores", new JsonArray().add("cheap"))));
    assertError(400, "Image is already present at store 'fast'",
        importImage(admin, id, method("copy-image").put("stores", new JsonArray().add("fast"))));
    assertError(409, "Unknown scheme 'nowhere' found in URI",
        importImage(admin, id, method("copy-image").put("stores", new JsonArray().add("nowhere"))));
    assertError(409, "Unknown scheme 'web' found in URI",
        importImage(admin, id, method("copy-image").put("stores", new JsonArray().add("web"))));
    assertEquals(202, importImage(admin, id, method("copy-image").put("stores", new JsonArray().add("cheap")))
        .status());
    JsonObject task = awaitTask(admin, id);
    assertEquals("success", task.getString("status"), task.encode());
    assertEquals("Copied 3 MiB", task.getString("message"));
    JsonObject copied = image(alice, id);
    assertEquals("active", copied.getString("status"));
    assertEquals("fast,cheap", copied.getString("stores"));
    assertEquals("", copied.getString("os_glance_importing_to_stores"));
    assertEquals("", copied.getString("os_glance_failed_import"));
    assertArrayEquals(data, Files.readAllBytes(cheapDir.resolve(id)));
    // all_stores: every writable store has it now; nothing to do, no new task.
    assertEquals(202, importImage(admin, id, method("copy-image").put("all_stores", true)).status());
    assertEquals(1, admin.get("/v2/images/" + id + "/tasks").json().getJsonArray("tasks").size());
  }

  @Test
  @DisplayName("stores and all_stores are checked as Glance does")
  void storeChecks() {
    String id = create(alice, "raw");
    assertError(400, "All_stores parameter can't be used with x-image-meta-store header or stores parameter",
        importImage(alice, id, webDownload(origin.url("/a")).put("all_stores", true)
            .put("stores", new JsonArray().add("fast"))));
    Api withHeader = alice.with("X-Image-Meta-Store", "fast");
    assertError(400, "Stores parameter and x-image-meta-store header can't be both specified",
        importImage(withHeader, id, webDownload(origin.url("/a")).put("stores", new JsonArray().add("fast"))));
  }

  @Test
  @DisplayName("web-download into two stores (staged once, read twice); a copy from the HTTP store into a file store")
  void webDownloadTwoStoresThenCopyFromHttp() throws Exception {
    byte[] data = Bytes.random(2 * 1024 * 1024 + 9, 22);
    origin.file("/two.raw", data);
    String id = create(alice, "raw");
    assertEquals(202, importImage(alice, id, webDownload(origin.url("/two.raw"))
        .put("stores", new JsonArray().add("fast").add("cheap"))).status());
    assertEquals("success", awaitTask(alice, id).getString("status"));
    JsonObject both = image(alice, id);
    assertEquals("active", both.getString("status"));
    assertEquals("fast,cheap", both.getString("stores"));
    assertEquals(Bytes.md5(data), both.getString("checksum"));
    assertArrayEquals(data, Files.readAllBytes(fastDir.resolve(id)));
    assertArrayEquals(data, Files.readAllBytes(cheapDir.resolve(id)));
    assertEquals(List.of(), files(server.server().staging().directory()));

    byte[] remote = Bytes.random(1024 * 1024 + 1, 23);
    origin.file("/remote.raw", remote);
    String fromHttp = create(alice, "raw");
    assertEquals(200, admin.patch("/v2/images/" + fromHttp, new JsonArray().add(new JsonObject().put("op", "add")
        .put("path", "/locations/-").put("value", new JsonObject().put("url", origin.url("/remote.raw"))
            .put("metadata", new JsonObject())))).status());
    assertEquals("web", image(alice, fromHttp).getString("stores"));
    assertEquals(202, importImage(admin, fromHttp, method("copy-image").put("stores", new JsonArray().add("cheap")))
        .status());
    assertEquals("success", awaitTask(admin, fromHttp).getString("status"));
    assertEquals("web,cheap", image(alice, fromHttp).getString("stores"));
    assertArrayEquals(remote, Files.readAllBytes(cheapDir.resolve(fromHttp)));
  }

  @Test
  @DisplayName("a web-download into two stores from a missing URL fails its task and leaves nothing staged")
  void webDownloadTwoStoresMissing() throws Exception {
    String id = create(alice, "raw");
    assertEquals(202, importImage(alice, id, webDownload(origin.url("/missing.raw"))
        .put("stores", new JsonArray().add("fast").add("cheap"))).status());
    JsonObject task = awaitTask(alice, id);
    assertEquals("failure", task.getString("status"));
    assertEquals("The remote server answered 404.", task.getString("message"));
    JsonObject image = image(alice, id);
    assertEquals("queued", image.getString("status"));
    assertEquals("cheap,fast", image.getString("os_glance_failed_import"));
    assertEquals("", image.getString("os_glance_importing_to_stores"));
    assertEquals(List.of(), files(server.server().staging().directory()));
  }

  @Test
  @DisplayName("a failing store with all_stores_must_succeed=false is listed in os_glance_failed_import")
  void partialFailure() throws Exception {
    byte[] data = Bytes.random(1024 * 1024, 24);
    origin.file("/ok.raw", data);
    String id = create(alice, "raw");
    Path blocked = cheapDir.resolve(".incoming");
    Files.walk(blocked).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    Files.writeString(blocked, "not a directory: writes to this store fail");
    try {
      assertEquals(202, importImage(alice, id, webDownload(origin.url("/ok.raw"))
          .put("stores", new JsonArray().add("cheap").add("fast")).put("all_stores_must_succeed", false)).status());
      JsonObject task = awaitTask(alice, id);
      assertEquals("success", task.getString("status"), task.encode());
      JsonObject image = image(alice, id);
      assertEquals("active", image.getString("status"));
      assertEquals("fast", image.getString("stores"));
      assertEquals("cheap", image.getString("os_glance_failed_import"));
      assertEquals("", image.getString("os_glance_importing_to_stores"));
    } finally {
      Files.delete(blocked);
      Files.createDirectories(blocked);
    }
    assertTrue(Files.isDirectory(blocked));
  }
}
