package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Images v2: create, show, update, delete")
class ImageCrudTest extends ApiTestBase {

  private static final Set<String> BASE_FIELDS = Set.of("id", "name", "status", "visibility", "protected",
      "os_hidden", "checksum", "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "container_format",
      "disk_format", "min_disk", "min_ram", "created_at", "updated_at", "tags", "self", "file", "schema");

  @Test
  @DisplayName("create returns 201, a Location and every base field with Glance's defaults")
  void createDefaults() {
    Response r = alice.post("/v2/images", new JsonObject().put("name", "cirros"));
    assertEquals(201, r.status());
    JsonObject image = r.json();
    assertEquals(BASE_FIELDS, image.fieldNames());
    String id = image.getString("id");
    assertTrue(ImageRules.UUID.matcher(id).matches());
    assertEquals(server.base() + "/v2/images/" + id, r.header("Location"));
    assertEquals("cirros", image.getString("name"));
    assertEquals("queued", image.getString("status"));
    assertEquals("shared", image.getString("visibility"));
    assertEquals("project-a", image.getString("owner"));
    assertFalse(image.getBoolean("protected"));
    assertFalse(image.getBoolean("os_hidden"));
    assertEquals(0, image.getInteger("min_disk"));
    assertEquals(0, image.getInteger("min_ram"));
    assertNull(image.getValue("size"));
    assertNull(image.getValue("checksum"));
    assertNull(image.getValue("disk_format"));
    assertEquals(new JsonArray(), image.getJsonArray("tags"));
    assertEquals("/v2/images/" + id, image.getString("self"));
    assertEquals("/v2/images/" + id + "/file", image.getString("file"));
    assertEquals("/v2/schemas/image", image.getString("schema"));
    assertTrue(image.getString("created_at").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
    assertEquals(image.getString("created_at"), image.getString("updated_at"));
    assertNotNull(r.header("x-openstack-request-id"));
    assertEquals(image, alice.get("/v2/images/" + id).json());
  }

  @Test
  @DisplayName("create keeps a caller-supplied id, custom properties, formats and de-duplicated tags")
  void createWithEverything() {
    String id = UUID.randomUUID().toString();
    JsonObject image = alice.create(new JsonObject()
        .put("id", id).put("name", "ubuntu").put("visibility", "private").put("protected", true)
        .put("os_hidden", true).put("disk_format", "qcow2").put("container_format", "bare")
        .put("min_disk", 10).put("min_ram", 512).put("tags", new JsonArray(List.of("a", "b", "a")))
        .put("os_distro", "ubuntu").put("hw_disk_bus", "virtio"));
    assertEquals(id, image.getString("id"));
    assertEquals("private", image.getString("visibility"));
    assertTrue(image.getBoolean("protected"));
    assertTrue(image.getBoolean("os_hidden"));
    assertEquals("qcow2", image.getString("disk_format"));
    assertEquals("bare", image.getString("container_format"));
    assertEquals(10, image.getInteger("min_disk"));
    assertEquals(512, image.getInteger("min_ram"));
    assertEquals(Set.of("a", "b"), Set.copyOf(image.getJsonArray("tags").getList()));
    assertEquals(2, image.getJsonArray("tags").size());
    assertEquals("ubuntu", image.getString("os_distro"));
    assertEquals("virtio", image.getString("hw_disk_bus"));
    assertEquals(image, alice.get("/v2/images/" + id).json());
  }

  @Test
  @DisplayName("a duplicate id is a 409, also for the id of a deleted image")
  void duplicateId() {
    String id = UUID.randomUUID().toString();
    alice.create(new JsonObject().put("id", id));
    assertEquals(409, alice.post("/v2/images", new JsonObject().put("id", id)).status());
    assertEquals(204, alice.delete("/v2/images/" + id).status());
    assertEquals(409, alice.post("/v2/images", new JsonObject().put("id", id)).status());
  }

  @Test
  @DisplayName("read-only and reserved attributes are refused with 403 on create")
  void createForbiddenAttributes() {
    for (String key : List.of("status", "checksum", "size", "virtual_size", "created_at", "updated_at",
        "os_hash_algo", "os_hash_value", "self", "file", "schema", "direct_url", "stores")) {
      Response r = alice.post("/v2/images", new JsonObject().put(key, "x"));
      assertEquals(403, r.status(), key);
      assertEquals("Attribute '" + key + "' is read-only.", r.message(), key);
    }
    for (String key : List.of("location", "deleted", "deleted_at", "os_glance_import_task", "os_glancefoo")) {
      Response r = alice.post("/v2/images", new JsonObject().put(key, "x"));
      assertEquals(403, r.status(), key);
      assertEquals("Attribute '" + key + "' is reserved.", r.message(), key);
    }
  }

  @Test
  @DisplayName("schema violations on create are 400s")
  void createSchemaViolations() {
    List<JsonObject> bad = List.of(
        new JsonObject().put("id", "not-a-uuid"),
        new JsonObject().put("name", "x".repeat(256)),
        new JsonObject().put("name", 5),
        new JsonObject().put("visibility", "everyone"),
        new JsonObject().put("protected", "yes"),
        new JsonObject().put("os_hidden", 1),
        new JsonObject().put("disk_format", "exe"),
        new JsonObject().put("container_format", "zip"),
        new JsonObject().put("min_disk", -1),
        new JsonObject().put("min_ram", "512"),
        new JsonObject().put("min_ram", 1.5),
        new JsonObject().put("tags", "a"),
        new JsonObject().put("tags", new JsonArray().add(1)),
        new JsonObject().put("tags", new JsonArray().add("t".repeat(256))),
        new JsonObject().put("os_distro", 5),
        new JsonObject().put("k".repeat(256), "v"),
        new JsonObject().put("name", "nul\u0000byte"),
        new JsonObject().put("name", "emoji \uD83D\uDE00"));
    for (JsonObject body : bad) {
      Response r = alice.post("/v2/images", body);
      assertEquals(400, r.status(), body::encode);
    }
    assertEquals(0, admin.get("/v2/images?visibility=all").ids().size());
  }

  @Test
  @DisplayName("malformed, missing and non-object bodies are 400s, never 500s")
  void createBadBodies() {
    assertEquals("Malformed JSON in request body.",
        alice.send("POST", "/v2/images", "{\"name\": ", "application/json").message());
    assertEquals(400, alice.send("POST", "/v2/images", "{} {}", "application/json").status());
    assertEquals("Body expected in request.", alice.send("POST", "/v2/images", null, null).message());
    assertEquals(400, alice.send("POST", "/v2/images", "[]", "application/json").status());
    assertEquals(400, alice.send("POST", "/v2/images", "\"name\"", "application/json").status());
    assertEquals(400, alice.send("POST", "/v2/images", "{\"name\": NaN}", "application/json").status());
  }

  @Test
  @DisplayName("owner rules: non-admins may only create images they own; admins may set any owner")
  void ownerRules() {
    Response foreign = alice.post("/v2/images", new JsonObject().put("owner", "project-b"));
    assertEquals(403, foreign.status());
    assertEquals("project-a", alice.create(new JsonObject().put("owner", "project-a")).getString("owner"));
    assertEquals("project-b", admin.create(new JsonObject().put("owner", "project-b")).getString("owner"));
    assertEquals("project-admin", admin.create(new JsonObject()).getString("owner"));
  }

  @Test
  @DisplayName("only admins may publicize; anyone may create community, private and shared images")
  void publicizeRules() {
    assertEquals(403, alice.post("/v2/images", new JsonObject().put("visibility", "public")).status());
    assertEquals("public", admin.create(new JsonObject().put("visibility", "public")).getString("visibility"));
    for (String v : List.of("community", "private", "shared")) {
      assertEquals(v, alice.create(new JsonObject().put("visibility", v)).getString("visibility"));
    }
    String id = alice.create(new JsonObject()).getString("id");
    Response r = alice.patch("/v2/images/" + id, ops(replace("/visibility", "public")));
    assertEquals(403, r.status());
    assertEquals(200, admin.patch("/v2/images/" + id, ops(replace("/visibility", "public"))).status());
    assertEquals("public", bob.get("/v2/images/" + id).json().getString("visibility"));
  }

  @Test
  @DisplayName("show: visible images by visibility; others' private and shared images are 404")
  void showVisibility() {
    String priv = alice.create(new JsonObject().put("visibility", "private")).getString("id");
    String shared = alice.create(new JsonObject().put("visibility", "shared")).getString("id");
    String community = alice.create(new JsonObject().put("visibility", "community")).getString("id");
    String pub = admin.create(new JsonObject().put("visibility", "public")).getString("id");
    assertEquals(404, bob.get("/v2/images/" + priv).status());
    assertEquals(404, bob.get("/v2/images/" + shared).status());
    assertEquals(200, bob.get("/v2/images/" + community).status());
    assertEquals(200, bob.get("/v2/images/" + pub).status());
    assertEquals(200, admin.get("/v2/images/" + priv).status());
    assertEquals(200, reader.get("/v2/images/" + priv).status());
    // A member sees a shared image whatever its member status.
    TestServer.execute("INSERT INTO image_members (image_id, member, status, created_at, updated_at) "
        + "VALUES ($1, 'project-b', 'pending', now(), now())", shared);
    assertEquals(200, bob.get("/v2/images/" + shared).status());
    Response missing = alice.get("/v2/images/" + UUID.randomUUID());
    assertEquals(404, missing.status());
    assertTrue(missing.message().startsWith("No image found with ID "));
  }

  @Test
  @DisplayName("patch v2.1: add, replace and remove properties and base fields in one atomic change")
  void patchV21() {
    JsonObject created = alice.create(new JsonObject().put("name", "a").put("os_distro", "cirros"));
    String id = created.getString("id");
    Response r = alice.patch("/v2/images/" + id, ops(
        replace("/name", "b"),
        add("/os_version", "0.6"),
        add("/os_distro", "ubuntu"),
        replace("/min_ram", 256),
        replace("/protected", true),
        replace("/tags", new JsonArray().add("x").add("y")),
        replace("/disk_format", "raw"),
        replace("/container_format", "bare"),
        op("remove", "/os_version", null)));
    assertEquals(200, r.status(), r.body());
    JsonObject image = r.json();
    assertEquals("b", image.getString("name"));
    assertEquals("ubuntu", image.getString("os_distro"));
    assertFalse(image.containsKey("os_version"));
    assertEquals(256, image.getInteger("min_ram"));
    assertTrue(image.getBoolean("protected"));
    assertEquals("raw", image.getString("disk_format"));
    assertEquals(Set.of("x", "y"), Set.copyOf(image.getJsonArray("tags").getList()));
    assertEquals(image, alice.get("/v2/images/" + id).json());
    assertTrue(image.getString("updated_at").compareTo(created.getString("updated_at")) >= 0);
  }

  @Test
  @DisplayName("patch: a failing operation leaves the image unchanged")
  void patchIsAtomic() {
    String id = alice.create(new JsonObject().put("name", "a")).getString("id");
    Response r = alice.patch("/v2/images/" + id, ops(replace("/name", "b"), replace("/nope", "x")));
    assertEquals(409, r.status());
    assertEquals("Property nope does not exist.", r.message());
    assertEquals("a", alice.get("/v2/images/" + id).json().getString("name"));
  }

  @Test
  @DisplayName("patch errors: read-only 403, reserved 403, removing base 403, missing property 409")
  void patchErrors() {
    String id = alice.create(new JsonObject().put("name", "a")).getString("id");
    String path = "/v2/images/" + id;
    assertEquals("Attribute 'status' is read-only.", alice.patch(path, ops(replace("/status", "active"))).message());
    assertEquals(403, alice.patch(path, ops(replace("/id", UUID.randomUUID().toString()))).status());
    assertEquals(403, alice.patch(path, ops(replace("/size", 5))).status());
    assertEquals("Attribute 'deleted' is reserved.", alice.patch(path, ops(add("/deleted", "x"))).message());
    assertEquals(403, alice.patch(path, ops(add("/os_glance_x", "x"))).status());
    assertEquals("Property name may not be removed.", alice.patch(path, ops(op("remove", "/name", null))).message());
    assertEquals(409, alice.patch(path, ops(op("remove", "/nope", null))).status());
    assertEquals(409, alice.patch(path, ops(replace("/nope", "x"))).status());
    assertEquals(403, alice.patch(path, ops(replace("/owner", "project-b"))).status());
    assertEquals(403, alice.patch(path, ops(add("/locations/-", new JsonObject()))).status());
  }

  @Test
  @DisplayName("patch validation: bad operations, pointers and values are 400s")
  void patchValidation() {
    String path = "/v2/images/" + alice.create(new JsonObject()).getString("id");
    List<String> bad = List.of(
        "{}",
        "[1]",
        "[{\"path\":\"/name\",\"value\":\"x\"}]",
        "[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"x\"}]",
        "[{\"op\":\"move\",\"path\":\"/name\",\"from\":\"/x\"}]",
        "[{\"op\":\"replace\",\"value\":\"x\"}]",
        "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"x\"}]",
        "[{\"op\":\"replace\",\"path\":\"/a//b\",\"value\":\"x\"}]",
        "[{\"op\":\"replace\",\"path\":\"/name/\",\"value\":\"x\"}]",
        "[{\"op\":\"replace\",\"path\":\"/a/b\",\"value\":\"x\"}]",
        "[{\"op\":\"replace\",\"path\":\"/a~2\",\"value\":\"x\"}]",
        "[{\"op\":\"replace\",\"path\":\"/name\"}]",
        "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":7}]",
        "[{\"op\":\"replace\",\"path\":\"/min_disk\",\"value\":-2}]",
        "[{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"world\"}]",
        "[{\"op\":\"add\",\"path\":\"/custom\",\"value\":1}]",
        "[{\"op\":\"add\",\"path\":\"/tags\",\"value\":[\"" + "t".repeat(256) + "\"]}]",
        "not json");
    for (String body : bad) {
      Response r = alice.send("PATCH", path, body, Api.PATCH_V21);
      assertEquals(400, r.status(), body + " -> " + r.body());
    }
  }

  @Test
  @DisplayName("patch: JSON pointer escapes ~0 and ~1 name properties with ~ and /")
  void pointerEscapes() {
    String path = "/v2/images/" + alice.create(new JsonObject()).getString("id");
    JsonObject image = alice.patch(path, ops(add("/a~1b~0c", "v"))).json();
    assertEquals("v", image.getString("a/b~c"));
  }

  @Test
  @DisplayName("patch v2.0 (draft 4): add refuses existing properties, replace and remove work")
  void patchV20() {
    String path = "/v2/images/" + alice.create(new JsonObject().put("k", "v")).getString("id");
    Response dup = alice.send("PATCH", path, "[{\"add\":\"/k\",\"value\":\"w\"}]", Api.PATCH_V20);
    assertEquals(409, dup.status());
    assertEquals(409, alice.send("PATCH", path, "[{\"add\":\"/name\",\"value\":\"w\"}]", Api.PATCH_V20).status());
    Response ok = alice.send("PATCH", path,
        "[{\"replace\":\"/k\",\"value\":\"w\"},{\"add\":\"/n\",\"value\":\"1\"},{\"remove\":\"/n\"}]", Api.PATCH_V20);
    assertEquals(200, ok.status(), ok.body());
    assertEquals("w", ok.json().getString("k"));
    assertFalse(ok.json().containsKey("n"));
    assertEquals(400, alice.send("PATCH", path, "[{\"add\":\"/a\",\"remove\":\"/b\",\"value\":\"1\"}]",
        Api.PATCH_V20).status());
  }

  @Test
  @DisplayName("patch with another media type is 415 with Accept-Patch")
  void patchMediaType() {
    String path = "/v2/images/" + alice.create(new JsonObject()).getString("id");
    for (String type : new String[] {"application/json", "application/json-patch+json", null}) {
      Response r = alice.send("PATCH", path, "[]", type);
      assertEquals(415, r.status());
      assertEquals("application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch",
          r.header("Accept-Patch"));
    }
  }

  @Test
  @DisplayName("patch: formats may change only while queued")
  void formatsOnlyWhileQueued() {
    String id = alice.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
    TestServer.execute("UPDATE images SET status = 'active', size = 1 WHERE id = $1", id);
    Response r = alice.patch("/v2/images/" + id, ops(replace("/disk_format", "qcow2")));
    assertEquals(403, r.status());
    assertEquals(200, alice.patch("/v2/images/" + id, ops(replace("/name", "n"))).status());
  }

  @Test
  @DisplayName("only the owner or an admin may update or delete; others get 403, or 404 when they cannot see it")
  void writeAccess() {
    String shared = alice.create(new JsonObject()).getString("id");
    String community = alice.create(new JsonObject().put("visibility", "community")).getString("id");
    assertEquals(404, bob.patch("/v2/images/" + shared, ops(replace("/name", "x"))).status());
    assertEquals(404, bob.delete("/v2/images/" + shared).status());
    assertEquals(403, bob.patch("/v2/images/" + community, ops(replace("/name", "x"))).status());
    assertEquals(403, bob.delete("/v2/images/" + community).status());
    assertEquals(200, admin.patch("/v2/images/" + community, ops(replace("/name", "x"))).status());
    assertEquals(204, admin.delete("/v2/images/" + community).status());
  }

  @Test
  @DisplayName("delete: 204, then 404 everywhere; protected images are 403 until unprotected")
  void deleteRules() {
    String id = alice.create(new JsonObject().put("protected", true)).getString("id");
    Response r = alice.delete("/v2/images/" + id);
    assertEquals(403, r.status());
    assertEquals(200, alice.patch("/v2/images/" + id, ops(replace("/protected", false))).status());
    assertEquals(204, alice.delete("/v2/images/" + id).status());
    assertEquals(404, alice.get("/v2/images/" + id).status());
    assertEquals(404, alice.delete("/v2/images/" + id).status());
    assertEquals(404, alice.patch("/v2/images/" + id, ops(replace("/name", "x"))).status());
    assertEquals(List.of(), admin.get("/v2/images?visibility=all").ids());
    assertEquals(1, TestServer.execute("SELECT 1 FROM images WHERE id = $1 AND deleted AND status = 'deleted'", id));
  }

  @Test
  @DisplayName("property and tag quotas answer 413 on create and patch")
  void quotas() {
    try (TestServer small = TestServer.start(java.util.Map.of("image_property_quota", "2", "image_tag_quota", "2"))) {
      Api a = Api.as(small, "project-a", "member");
      Response tooMany = a.post("/v2/images", new JsonObject().put("a", "1").put("b", "2").put("c", "3"));
      assertEquals(413, tooMany.status());
      Response tooManyTags = a.post("/v2/images", new JsonObject().put("tags", new JsonArray().add("1").add("2").add("3")));
      assertEquals(413, tooManyTags.status());
      String id = a.create(new JsonObject().put("a", "1").put("b", "2")).getString("id");
      assertEquals(413, a.patch("/v2/images/" + id, ops(add("/c", "3"))).status());
      assertEquals(200, a.patch("/v2/images/" + id, ops(op("remove", "/a", null), add("/c", "3"))).status());
    }
  }

  @Test
  @DisplayName("anonymous callers get 401; with allow_anonymous_access they may read but not write")
  void anonymous() {
    assertEquals(401, Api.anonymous(server).get("/v2/images").status());
    assertEquals(401, alice.with("X-Identity-Status", "Invalid").get("/v2/images").status());
    try (TestServer open = TestServer.start(java.util.Map.of("allow_anonymous_access", "true"))) {
      Api anon = Api.anonymous(open);
      Api adm = Api.as(open, "p", "admin");
      String id = adm.create(new JsonObject().put("visibility", "public")).getString("id");
      assertEquals(200, anon.get("/v2/images/" + id).status());
      assertEquals(List.of(id), anon.get("/v2/images").ids());
      assertEquals(403, anon.post("/v2/images", new JsonObject()).status());
    }
  }

  @Test
  @DisplayName("the unauthenticated pipeline (flavor empty) makes every caller an admin with no project")
  void unauthenticatedPipeline() {
    try (TestServer noauth = TestServer.start(java.util.Map.of("paste_deploy.flavor", ""))) {
      Api anon = Api.anonymous(noauth);
      JsonObject image = anon.create(new JsonObject().put("visibility", "public"));
      assertNull(image.getValue("owner"));
      assertEquals(200, anon.get("/v2/images/" + image.getString("id")).status());
    }
  }

  @Test
  @DisplayName("concurrent patches of one image all apply (optimistic concurrency with retries)")
  void concurrentPatches() throws Exception {
    String id = alice.create(new JsonObject()).getString("id");
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String key = "k" + i;
        results.add(pool.submit(() -> alice.patch("/v2/images/" + id, ops(add("/" + key, "v"))).status()));
      }
      for (var f : results) {
        assertEquals(200, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    JsonObject image = alice.get("/v2/images/" + id).json();
    for (int i = 0; i < 8; i++) {
      assertEquals("v", image.getString("k" + i), image::encode);
    }
  }

  static JsonArray ops(JsonObject... ops) {
    JsonArray a = new JsonArray();
    for (JsonObject o : ops) {
      a.add(o);
    }
    return a;
  }

  static JsonObject replace(String path, Object value) {
    return op("replace", path, value);
  }

  static JsonObject add(String path, Object value) {
    return op("add", path, value);
  }

  static JsonObject op(String op, String path, Object value) {
    JsonObject o = new JsonObject().put("op", op).put("path", path);
    if (!op.equals("remove")) {
      o.put("value", value);
    }
    return o;
  }
}
