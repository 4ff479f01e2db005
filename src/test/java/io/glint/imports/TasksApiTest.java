package io.glint.imports;

import static io.glint.imports.ImportTest.assertError;
import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code /v2/tasks}: access policy, list and show, the legacy import task, schemas, expiry. */
@DisplayName("Tasks API")
class TasksApiTest extends ImportTestBase {
  private Api admin;

  @BeforeAll
  static void start() throws Exception {
    startServer(Map.of());
  }

  @BeforeEach
  void clean() {
    admin = Api.as(server, "project-a", "admin,member");
  }

  private String imported() throws Exception {
    String id = create(alice, "raw");
    assertEquals(204, stage(alice, id, Bytes.random(1000, 31)).status());
    assertEquals(202, importImage(alice, id, method("glance-direct")).status());
    assertEquals("success", awaitTask(alice, id).getString("status"));
    return id;
  }

  @Test
  @DisplayName("tasks_api_access: admins list and show tasks; members get 403; DELETE is 405")
  void listShowDelete() throws Exception {
    String image = imported();
    assertError(403, "You are not authorized to complete tasks_api_access action.", alice.get("/v2/tasks"));
    JsonObject list = admin.get("/v2/tasks").json();
    assertEquals("/v2/tasks", list.getString("first"));
    assertEquals("/v2/schemas/tasks", list.getString("schema"));
    JsonArray tasks = list.getJsonArray("tasks");
    assertEquals(1, tasks.size());
    JsonObject stub = tasks.getJsonObject(0);
    assertEquals("api_image_import", stub.getString("type"));
    assertFalse(stub.containsKey("input"));
    assertFalse(stub.containsKey("message"));
    assertNotNull(stub.getString("expires_at"));
    String id = stub.getString("id");
    JsonObject task = admin.get("/v2/tasks/" + id).json();
    assertEquals("success", task.getString("status"));
    assertEquals(image, task.getString("image_id"));
    assertEquals("/v2/tasks/" + id, task.getString("self"));
    assertEquals(new JsonObject().put("image_id", image), task.getJsonObject("result"));
    assertTrue(task.getString("created_at").endsWith("Z"));
    assertEquals("glance-direct", task.getJsonObject("input").getJsonObject("import_req").getJsonObject("method")
        .getString("name"));
    assertError(403, "You are not authorized to complete tasks_api_access action.", alice.get("/v2/tasks/" + id));
    Api.Response delete = admin.delete("/v2/tasks/" + id);
    assertEquals(405, delete.status());
    assertEquals("GET", delete.header("Allow"));
    assertError(404, "Task with the given id 0f1ee2e8-0000-4000-8000-000000000000 was not found",
        admin.get("/v2/tasks/0f1ee2e8-0000-4000-8000-000000000000"));
    assertError(400, "Invalid marker format", admin.get("/v2/tasks?marker=x"));
    assertError(400, "Invalid sort direction: up", admin.get("/v2/tasks?sort_dir=up"));
    assertError(400, "Invalid status value: done", admin.get("/v2/tasks?status=done"));
    assertError(400, "limit param must be an integer", admin.get("/v2/tasks?limit=a"));
    assertEquals(0, admin.get("/v2/tasks?status=failure").json().getJsonArray("tasks").size());
    JsonObject page = admin.get("/v2/tasks?limit=1").json();
    assertEquals("/v2/tasks?limit=1&marker=" + id, page.getString("next"));
    assertEquals(0, admin.get(page.getString("next").substring(0)).json().getJsonArray("tasks").size());
    assertEquals("task", admin.get("/v2/schemas/task").json().getString("name"));
    assertEquals("tasks", admin.get("/v2/schemas/tasks").json().getString("name"));
  }

  @Test
  @DisplayName("legacy POST /v2/tasks (type import) creates an image from import_from; bad input is a 400")
  void legacyImport() throws Exception {
    byte[] data = Bytes.random(200_000, 32);
    origin.file("/legacy.raw", data);
    JsonObject input = new JsonObject().put("import_from", origin.url("/legacy.raw"))
        .put("import_from_format", "raw")
        .put("image_properties", new JsonObject().put("name", "legacy").put("disk_format", "raw")
            .put("container_format", "bare"));
    Api.Response created = admin.post("/v2/tasks", new JsonObject().put("type", "import").put("input", input));
    assertEquals(201, created.status(), created.body());
    String id = created.json().getString("id");
    assertEquals("/v2/tasks/" + id, created.header("Location"));
    JsonObject[] done = new JsonObject[1];
    Await.until(() -> {
      done[0] = admin.get("/v2/tasks/" + id).json();
      return !done[0].getString("status").equals("pending") && !done[0].getString("status").equals("processing");
    }, Duration.ofSeconds(30), "legacy import finished");
    assertEquals("success", done[0].getString("status"), done[0].encode());
    String image = done[0].getJsonObject("result").getString("image_id");
    assertEquals("active", image(admin, image).getString("status"));
    assertArrayEquals(data, admin.download(image, Map.of()).body());

    assertError(400, "Task 'input' is required", admin.post("/v2/tasks", new JsonObject().put("type", "import")));
    assertError(400, "File based imports are not allowed. Please use a non-local source of image data.",
        admin.post("/v2/tasks", new JsonObject().put("type", "import")
            .put("input", new JsonObject().put("import_from", "file:///etc/passwd"))));
    assertError(400, "URI for legacy import task does not pass filtering: http://169.254.169.254/x",
        admin.post("/v2/tasks", new JsonObject().put("type", "import")
            .put("input", new JsonObject().put("import_from", "http://169.254.169.254/x"))));
    assertError(403, "You are not authorized to complete tasks_api_access action.",
        alice.post("/v2/tasks", new JsonObject().put("type", "import").put("input", input)));
  }

  @Test
  @DisplayName("expired tasks are neither shown nor listed, and are purged")
  void expiry() throws Exception {
    String image = imported();
    assertEquals(1, TestServer.execute("UPDATE tasks SET expires_at = now() - interval '1 second'"));
    assertEquals(0, admin.get("/v2/tasks").json().getJsonArray("tasks").size());
    assertEquals(0, admin.get("/v2/images/" + image + "/tasks").json().getJsonArray("tasks").size());
    assertEquals("0", TestServer.executeString("SELECT count(*) FROM tasks WHERE expires_at > now()"));
  }
}
