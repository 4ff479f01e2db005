package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Property protections over HTTP, with Glance's test file ({@code glance/tests/etc/property-protections.conf}) and
 * the steps of its functional test {@code test_property_protections_with_roles}.
 */
@DisplayName("Property protections over HTTP: 403 on denied writes, hidden on denied reads")
class PropertyProtectionApiTest extends ApiTestBase {
  private static TestServer glint;

  @BeforeAll
  static void start() throws Exception {
    Path file = Files.createTempFile("property-protections", ".conf");
    try (InputStream in = PropertyProtectionApiTest.class.getResourceAsStream("/property-protections/roles.conf")) {
      Files.write(file, in.readAllBytes());
    }
    glint = TestServer.start(Map.of("property_protection_file", file.toString()));
  }

  @AfterAll
  static void stop() {
    glint.close();
  }

  private static JsonArray ops(JsonObject... ops) {
    JsonArray a = new JsonArray();
    for (JsonObject o : ops) {
      a.add(o);
    }
    return a;
  }

  private static JsonObject op(String op, String path, String value) {
    JsonObject o = new JsonObject().put("op", op).put("path", path);
    return value == null ? o : o.put("value", value);
  }

  @Test
  @DisplayName("denied creates and updates are 403 'Attribute ... is reserved.'; allowed ones go through")
  void deniedWrites() {
    Api member = Api.as(glint, "project-a", "reader,member");
    Response denied = member.post("/v2/images", new JsonObject().put("name", "image-1").put("foo", "bar")
        .put("x_owner_foo", "o_s_bar"));
    assertEquals(403, denied.status(), denied.body());
    assertEquals("Attribute 'foo' is reserved.", denied.message());
    JsonObject created = member.create(new JsonObject().put("name", "image-1").put("x_owner_foo", "o_s_bar"));
    assertEquals("o_s_bar", created.getString("x_owner_foo"));

    Api spl = Api.as(glint, "project-a", "reader,member,spl_role");
    String id = spl.create(new JsonObject().put("spl_create_prop", "create_bar").put("spl_read_prop", "read_bar")
        .put("spl_update_prop", "update_bar").put("spl_delete_prop", "delete_bar")
        .put("spl_delete_empty_prop", "")).getString("id");
    String path = "/v2/images/" + id;
    assertEquals(403, spl.patch(path, ops(op("replace", "/spl_read_prop", "r"), op("replace", "/spl_update_prop",
        "u"))).status());
    assertEquals(403, spl.patch(path, ops(op("add", "/spl_new_prop", "new"))).status());
    assertEquals(403, spl.patch(path, ops(op("remove", "/spl_create_prop", null))).status());
    Response updated = spl.patch(path, ops(op("replace", "/spl_update_prop", ""),
        op("replace", "/spl_update_prop", "u")));
    assertEquals(200, updated.status(), updated.body());
    assertEquals("u", updated.json().getString("spl_update_prop"));
    Response removed = spl.patch(path, ops(op("remove", "/spl_delete_prop", null),
        op("remove", "/spl_delete_empty_prop", null)));
    assertEquals(200, removed.status(), removed.body());
    assertFalse(removed.json().containsKey("spl_delete_prop"));
    assertFalse(removed.json().containsKey("spl_delete_empty_prop"));
  }

  @Test
  @DisplayName("a property the caller may not read is absent from show, list and patch answers, and survives")
  void hiddenReads() {
    Api admin = Api.as(glint, "project-admin", "admin");
    Api member = Api.as(glint, "project-a", "reader,member");
    String id = admin.create(new JsonObject().put("owner", "project-a").put("visibility", "private")
        .put("secret_prop", "s3cr3t").put("x_owner_note", "visible")).getString("id");
    String path = "/v2/images/" + id;

    JsonObject shown = member.get(path).json();
    assertFalse(shown.containsKey("secret_prop"), shown.encode());
    assertEquals("visible", shown.getString("x_owner_note"));
    JsonObject listed = member.get("/v2/images").json().getJsonArray("images").getJsonObject(0);
    assertEquals(id, listed.getString("id"));
    assertFalse(listed.containsKey("secret_prop"));

    assertEquals(409, member.patch(path, ops(op("replace", "/secret_prop", "x"))).status(),
        "a property the caller cannot read does not exist for it");
    assertEquals(409, member.patch(path, ops(op("remove", "/secret_prop", null))).status());
    Response edited = member.patch(path, ops(op("add", "/x_owner_note", "edited")));
    assertEquals(200, edited.status(), edited.body());
    assertFalse(edited.json().containsKey("secret_prop"));
    JsonObject asAdmin = admin.get(path).json();
    assertEquals("s3cr3t", asAdmin.getString("secret_prop"), "hidden properties survive the member's update");
    assertEquals("edited", asAdmin.getString("x_owner_note"));
    assertTrue(asAdmin.containsKey("secret_prop"));
  }
}
