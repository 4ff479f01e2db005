package io.glint.task;

import io.glint.image.IsoTime;
import io.glint.schema.SchemasApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Glance's task views ({@code glance/api/v2/tasks.py ResponseSerializer}) and the raw rows of image tasks. */
public final class TaskJson {
  private static final DateTimeFormatter RAW = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")
      .withZone(ZoneOffset.UTC);

  private TaskJson() {}

  /** {@code GET /v2/tasks/{id}}, {@code POST /v2/tasks}. */
  public static JsonObject full(Task t) {
    JsonObject o = new JsonObject()
        .put("id", t.id())
        .put("input", t.input() == null ? null : new JsonObject(t.input()))
        .put("type", t.type())
        .put("status", t.status().wireName())
        .put("owner", t.owner())
        .put("message", t.message() == null ? "" : t.message())
        .put("result", t.result() == null ? null : new JsonObject(t.result()))
        .put("created_at", IsoTime.render(t.createdAt()))
        .put("updated_at", IsoTime.render(t.updatedAt()))
        .put("self", "/v2/tasks/" + t.id())
        .put("schema", "/v2/schemas/task");
    if (t.imageId() != null) {
      o.put("image_id", t.imageId());
    }
    if (t.requestId() != null) {
      o.put("request_id", t.requestId());
    }
    if (t.userId() != null) {
      o.put("user_id", t.userId());
    }
    if (t.expiresAt() != null) {
      o.put("expires_at", IsoTime.render(t.expiresAt()));
    }
    return o;
  }

  /** An item of {@code GET /v2/tasks}: without input, result and message. */
  public static JsonObject stub(Task t) {
    JsonObject o = new JsonObject()
        .put("id", t.id())
        .put("type", t.type())
        .put("status", t.status().wireName())
        .put("owner", t.owner())
        .put("created_at", IsoTime.render(t.createdAt()))
        .put("updated_at", IsoTime.render(t.updatedAt()))
        .put("self", "/v2/tasks/" + t.id())
        .put("schema", "/v2/schemas/task");
    if (t.expiresAt() != null) {
      o.put("expires_at", IsoTime.render(t.expiresAt()));
    }
    return o;
  }

  /** {@code GET /v2/images/{id}/tasks}: Glance dumps the database rows (microsecond times without a zone). */
  public static JsonObject imageTasks(List<Task> tasks) {
    JsonArray list = new JsonArray();
    for (Task t : tasks) {
      list.add(new JsonObject()
          .put("id", t.id())
          .put("type", t.type())
          .put("status", t.status().wireName())
          .put("owner", t.owner())
          .put("expires_at", t.expiresAt() == null ? null : RAW.format(t.expiresAt()))
          .put("created_at", RAW.format(t.createdAt()))
          .put("updated_at", RAW.format(t.updatedAt()))
          .put("deleted_at", null)
          .put("deleted", false)
          .put("image_id", t.imageId())
          .put("request_id", t.requestId())
          .put("user_id", t.userId())
          .put("input", t.input() == null ? null : new JsonObject(t.input()))
          .put("result", t.result() == null ? null : new JsonObject(t.result()))
          .put("message", t.message() == null ? "" : t.message()));
    }
    return new JsonObject().put("tasks", list);
  }

  /** {@code /v2/schemas/task}. */
  public static JsonObject schema() {
    return new JsonObject().put("name", "task").put("properties", properties(true)).put("additionalProperties", false);
  }

  /** {@code /v2/schemas/tasks}. */
  public static JsonObject collectionSchema() {
    JsonObject item = new JsonObject().put("name", "task").put("properties", properties(false))
        .put("additionalProperties", false);
    return SchemasApi.collection("tasks", item);
  }

  private static JsonObject properties(boolean full) {
    JsonObject p = new JsonObject()
        .put("id", new JsonObject().put("description", "An identifier for the task")
            .put("pattern", "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$")
            .put("type", "string"))
        .put("type", new JsonObject().put("description", "The type of task represented by this content")
            .put("enum", new JsonArray().add("import").add("api_image_import").add("location_import"))
            .put("type", "string"))
        .put("status", new JsonObject().put("description", "The current status of this task")
            .put("enum", new JsonArray().add("pending").add("processing").add("success").add("failure"))
            .put("type", "string"));
    if (full) {
      p.put("input", new JsonObject().put("description", "The parameters required by task, JSON blob")
          .put("type", new JsonArray().add("null").add("object")));
      p.put("result", new JsonObject().put("description", "The result of current task, JSON blob")
          .put("type", new JsonArray().add("null").add("object")));
    }
    // Glance says "string"; a task of the unauthenticated pipeline has no owner, which clients validating against
    // this schema (python-glanceclient) would refuse.
    p.put("owner", new JsonObject().put("description", "An identifier for the owner of this task")
        .put("type", new JsonArray().add("null").add("string")));
    if (full) {
      p.put("message", new JsonObject().put("description", "Human-readable informative message only included when "
          + "appropriate (usually on failure)").put("type", "string"));
    }
    p.put("image_id", new JsonObject().put("description", "Image associated with the task").put("type", "string"))
        .put("request_id", new JsonObject().put("description", "Human-readable informative request-id")
            .put("type", "string"))
        .put("user_id", new JsonObject().put("description", "User associated with the task").put("type", "string"))
        .put("expires_at", new JsonObject().put("description", "Datetime when this resource would be subject to "
            + "removal").put("type", new JsonArray().add("null").add("string")))
        .put("created_at", new JsonObject().put("description", "Datetime when this resource was created")
            .put("type", "string"))
        .put("updated_at", new JsonObject().put("description", "Datetime when this resource was updated")
            .put("type", "string"))
        .put("self", new JsonObject().put("readOnly", true).put("type", "string"))
        .put("schema", new JsonObject().put("readOnly", true).put("type", "string"));
    return p;
  }
}
