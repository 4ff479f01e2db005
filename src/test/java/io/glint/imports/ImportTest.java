package io.glint.imports;

import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The interoperable import over HTTP, single-store: staging, glance-direct, web-download from a local origin
 * (allowed explicitly: loopback is otherwise refused), the checks of {@code POST /import}, the tasks of an image,
 * discovery and the create headers.
 */
@DisplayName("Interoperable import: stage, glance-direct, web-download")
class ImportTest extends ImportTestBase {
  private Api bob;
  private Api admin;

  @BeforeAll
  static void start() throws Exception {
    startServer(Map.of());
  }

  @BeforeEach
  void clean() {
    bob = Api.as(server, "project-b", "member");
    admin = Api.as(server, "project-admin", "admin,member");
  }

  @Test
  @DisplayName("create advertises the import methods; /v2/info/import lists them")
  void discovery() {
    Api.Response created = alice.post("/v2/images", new JsonObject().put("name", "x"));
    assertEquals(201, created.status());
    assertEquals("glance-direct,web-download,copy-image", created.header("OpenStack-image-import-methods"));
    assertNull(created.header("OpenStack-image-store-ids"));
    JsonObject info = alice.get("/v2/info/import").json();
    assertEquals(new JsonObject().put("import-methods", new JsonObject().put("description", "Import methods available.")
        .put("type", "array").put("value", new JsonArray().add("glance-direct").add("web-download").add("copy-image"))),
        info);
  }

  @Test
  @DisplayName("glance-direct: stage (queued → uploading, 409 when staged), import (202), active with the data's digests")
  void glanceDirect() throws Exception {
    byte[] data = Bytes.random(3 * 1024 * 1024 + 17, 1);
    String id = create(alice, "raw");
    assertEquals(204, stage(alice, id, data).status());
    JsonObject staged = image(alice, id);
    assertEquals("uploading", staged.getString("status"));
    assertEquals(data.length, staged.getLong("size"));
    assertNull(staged.getString("checksum"));
    assertTrue(server.server().staging().has(id), "staged file");
    Api.Response again = stage(alice, id, data);
    assertEquals(409, again.status(), again.body());

    Api.Response accepted = importImage(alice, id, method("glance-direct"));
    assertEquals(202, accepted.status(), accepted.body());
    JsonObject task = awaitTask(alice, id);
    assertEquals("success", task.getString("status"), task.encode());
    assertEquals("api_image_import", task.getString("type"));
    assertEquals(new JsonObject().put("image_id", id), task.getJsonObject("result"));
    assertEquals("Copied 3 MiB", task.getString("message"));
    assertEquals("project-a", task.getString("owner"));
    JsonObject active = image(alice, id);
    assertEquals("active", active.getString("status"));
    assertEquals(Bytes.md5(data), active.getString("checksum"));
    assertEquals(Bytes.sha512(data), active.getString("os_hash_value"));
    assertEquals(data.length, active.getLong("virtual_size"));
    assertFalse(active.containsKey("os_glance_import_task"), active.encode());
    assertFalse(active.containsKey("os_glance_stage_host"));
    assertArrayEquals(data, alice.download(id, Map.of()).body());
    assertFalse(server.server().staging().has(id), "staged data removed after the import");
  }

  @Test
  @DisplayName("every check of POST /import answers Glance's status and message")
  void importChecks() {
    String id = create(alice, "raw");
    assertError(400, "Import request requires a 'method' field.", importImage(alice, id, new JsonObject()));
    assertError(400, "Import request requires a 'name' field.",
        importImage(alice, id, new JsonObject().put("method", new JsonObject())));
    assertError(400, "Unknown import method name 'glance-upload'.", importImage(alice, id, method("glance-upload")));
    assertError(400, "'all_stores' must be boolean value only",
        importImage(alice, id, method("web-download").put("all_stores", "yes")));
    assertError(400, "'all_stores_must_succeed' must be boolean value only",
        importImage(alice, id, method("web-download").put("all_stores_must_succeed", 1)));
    assertError(409, "Image needs to be staged before 'glance-direct' method can be used",
        importImage(alice, id, method("glance-direct")));
    assertError(409, "Only images with status active can be targeted for copying",
        importImage(admin, id, method("copy-image")));
    assertError(400, "All_stores_must_succeed can only be set with enabled_backends " + origin.url("/x"),
        importImage(alice, id, method("glance-direct").put("all_stores_must_succeed", false)).status() == 409
            ? importImage(alice, id, webDownload(origin.url("/x")).put("all_stores_must_succeed", false))
            : null);
    assertError(400, "URI for web-download does not pass filtering: None", importImage(alice, id, method("web-download")));
    assertError(404, "No image found with ID " + id, importImage(bob, id, method("web-download")));
    String noFormats = alice.create(new JsonObject().put("name", "bare")).getString("id");
    assertError(409, "'container_format' needs to be set before import",
        importImage(alice, noFormats, webDownload(origin.url("/x"))));
    alice.upload(id, Bytes.random(10, 2));
    assertError(409, "Image with status active cannot be target for import",
        importImage(alice, id, webDownload(origin.url("/x"))));
    String queued = create(alice, "raw");
    assertError(409, "Image needs to be in 'queued' state to use 'web-download' method",
        stage(alice, queued, Bytes.random(10, 3)).status() == 204
            ? importImage(alice, queued, webDownload(origin.url("/x"))) : null);
  }

  @Test
  @DisplayName("web-download from a local origin: active with the origin's bytes; the task says how much was copied")
  void webDownloadEndToEnd() throws Exception {
    byte[] data = Bytes.random(5 * 1024 * 1024 + 3, 4);
    origin.file("/image.raw", data);
    String id = create(alice, "raw");
    Api.Response accepted = importImage(alice, id, webDownload(origin.url("/image.raw")));
    assertEquals(202, accepted.status(), accepted.body());
    JsonObject task = awaitTask(alice, id);
    assertEquals("success", task.getString("status"), task.encode());
    assertEquals("Copied 5 MiB", task.getString("message"));
    JsonObject active = image(alice, id);
    assertEquals("active", active.getString("status"));
    assertEquals(Bytes.md5(data), active.getString("checksum"));
    assertEquals(data.length, active.getLong("size"));
    assertArrayEquals(data, alice.download(id, Map.of()).body());
  }

  @Test
  @DisplayName("web-download through a redirect to a metadata address: the task fails, the image is queued again")
  void webDownloadRedirectRefused() throws Exception {
    origin.redirect("/redirect", "http://169.254.169.254/latest/meta-data/");
    String id = create(alice, "raw");
    assertEquals(202, importImage(alice, id, webDownload(origin.url("/redirect"))).status());
    JsonObject task = awaitTask(alice, id);
    assertEquals("failure", task.getString("status"));
    assertTrue(task.getString("message").contains("not allowed"), task.getString("message"));
    JsonObject back = image(alice, id);
    assertEquals("queued", back.getString("status"));
    assertFalse(back.containsKey("os_glance_import_task"));
    assertEquals(List.of(), files(server.imageDirectory()));
  }

  @Test
  @DisplayName("web-download from a refused address is a 400 before any task")
  void webDownloadRefusedAddress() {
    String id = create(alice, "raw");
    assertError(400, "URI for web-download does not pass filtering: http://169.254.169.254/x",
        importImage(alice, id, webDownload("http://169.254.169.254/x")));
    assertError(400, "URI for web-download does not pass filtering: file:///etc/passwd",
        importImage(alice, id, webDownload("file:///etc/passwd")));
    assertEquals("queued", image(alice, id).getString("status"));
    assertEquals(0, alice.get("/v2/images/" + id + "/tasks").json().getJsonArray("tasks").size());
  }

  @Test
  @DisplayName("an origin that dies mid-body fails the task; no data is left and the image is queued")
  void originDiesMidBody() throws Exception {
    byte[] data = Bytes.random(4 * 1024 * 1024, 5);
    origin.cut("/cut.raw", data, 1024 * 1024);
    String id = create(alice, "raw");
    assertEquals(202, importImage(alice, id, webDownload(origin.url("/cut.raw"))).status());
    JsonObject task = awaitTask(alice, id);
    assertEquals("failure", task.getString("status"), task.encode());
    JsonObject back = image(alice, id);
    assertEquals("queued", back.getString("status"));
    assertNull(back.getValue("size"));
    assertEquals(List.of(), files(server.imageDirectory()));
    assertEquals(List.of(), files(server.server().staging().directory()));
  }

  @Test
  @DisplayName("two concurrent imports of one staged image: one 202, one 409")
  void concurrentImports() throws Exception {
    String id = create(alice, "raw");
    assertEquals(204, stage(alice, id, Bytes.random(2 * 1024 * 1024, 6)).status());
    CompletableFuture<Api.Response> a = CompletableFuture.supplyAsync(() -> importImage(alice, id, method("glance-direct")));
    CompletableFuture<Api.Response> b = CompletableFuture.supplyAsync(() -> importImage(alice, id, method("glance-direct")));
    List<Integer> statuses = new java.util.ArrayList<>(List.of(a.get().status(), b.get().status()));
    java.util.Collections.sort(statuses);
    assertEquals(List.of(202, 409), statuses, a.get() + " / " + b.get());
    assertEquals("success", awaitTask(alice, id).getString("status"));
    assertEquals("active", image(alice, id).getString("status"));
  }

  @Test
  @DisplayName("deleting a staged image removes its staged data")
  void deleteStaged() {
    String id = create(alice, "raw");
    assertEquals(204, stage(alice, id, Bytes.random(1000, 7)).status());
    assertTrue(server.server().staging().has(id));
    assertEquals(204, alice.delete("/v2/images/" + id).status());
    assertFalse(server.server().staging().has(id));
  }

  @Test
  @DisplayName("stage: wrong media type 415, another project's image 404, over the size cap 413 (queued again)")
  void stageChecks() throws Exception {
    String id = create(alice, "raw");
    assertEquals(415, alice.sendBytes("PUT", "/v2/images/" + id + "/stage", new byte[] {1}, "text/plain", Map.of())
        .status());
    assertEquals(404, stage(bob, id, new byte[] {1}).status());
    try (TestServer small = TestServer.start(Map.of("image_size_cap", "1000"))) {
      Api a = Api.as(small, "project-a", "member");
      String big = create(a, "raw");
      assertEquals(413, stage(a, big, Bytes.random(2000, 8)).status());
      assertEquals("queued", image(a, big).getString("status"));
      assertEquals(List.of(), files(small.server().staging().directory()));
    }
  }

  @Test
  @DisplayName("GET /v2/images/{id}/tasks: 404 for an image the caller cannot see")
  void imageTasksHidden() {
    String id = create(alice, "raw");
    assertEquals(404, bob.get("/v2/images/" + id + "/tasks").status());
    assertEquals(new JsonObject().put("tasks", new JsonArray()), alice.get("/v2/images/" + id + "/tasks").json());
  }

  static void assertError(int status, String message, Api.Response r) {
    assertTrue(r != null, "precondition failed");
    assertEquals(status, r.status(), r.body());
    assertEquals(message, r.message());
  }
}
