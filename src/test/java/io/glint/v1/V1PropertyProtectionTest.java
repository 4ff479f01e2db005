package io.glint.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
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
 * {@code x-image-meta-property-*} through the same property protections as v2 (Glance's test file
 * {@code property-protections.conf}, roles flavour): a denied create or update is a 403, a property the caller may
 * not read is neither shown (headers, JSON) nor purged by an update that does not resend it.
 */
@DisplayName("v1 properties: the same property protections as v2")
class V1PropertyProtectionTest extends ApiTestBase {
  private static TestServer glint;

  @BeforeAll
  static void start() throws Exception {
    Path file = Files.createTempFile("property-protections", ".conf");
    try (InputStream in = V1PropertyProtectionTest.class.getResourceAsStream("/property-protections/roles.conf")) {
      Files.write(file, in.readAllBytes());
    }
    glint = TestServer.start(Map.of("property_protection_file", file.toString()));
  }

  @AfterAll
  static void stop() {
    glint.close();
  }

  @Test
  @DisplayName("denied create/update are 403; unreadable properties are hidden and survive a purging update")
  void protections() {
    V1Client member = V1Client.as(glint, "project-a", "reader,member");
    V1Client spl = V1Client.as(glint, "project-a", "reader,member,spl_role");
    V1Client.Reply denied = member.post("/v1/images", Map.of("x-image-meta-name", "i",
        "x-image-meta-property-foo", "bar"), null);
    assertEquals(403, denied.status(), denied::toString);
    assertTrue(denied.text().contains("foo"), denied::toString);

    V1Client.Reply created = spl.post("/v1/images", Map.of("x-image-meta-name", "i",
        "x-image-meta-property-spl_read_prop", "r", "x-image-meta-property-x_owner_a", "1",
        "x-image-meta-property-spl_update_prop", "u"), null);
    assertEquals(201, created.status(), created::toString);
    String id = created.image().getString("id");

    // member cannot read spl_*: not in its headers or JSON
    V1Client.Reply head = member.head("/v1/images/" + id);
    assertNull(head.header("x-image-meta-property-spl_read_prop"));
    assertEquals("1", head.header("x-image-meta-property-x_owner_a"));
    JsonObject listed = member.get("/v1/images/detail").json().getJsonArray("images").getJsonObject(0);
    assertFalse(listed.getJsonObject("properties").containsKey("spl_read_prop"));

    // A purging update by member (x_owner_a resent, spl_* not): spl_* are kept, as member cannot read them.
    V1Client.Reply purged = member.put("/v1/images/" + id, Map.of("x-image-meta-property-x_owner_a", "2"), null);
    assertEquals(200, purged.status(), purged::toString);
    assertEquals(new JsonObject().put("x_owner_a", "2"), purged.image().getJsonObject("properties"));
    V1Client.Reply splView = spl.head("/v1/images/" + id);
    assertEquals("r", splView.header("x-image-meta-property-spl_read_prop"));
    assertEquals("u", splView.header("x-image-meta-property-spl_update_prop"));

    // spl_role may update spl_update_prop but not spl_read_prop, nor delete it by leaving it out.
    assertEquals(403, spl.put("/v1/images/" + id, Map.of("x-glance-registry-purge-props", "false",
        "x-image-meta-property-spl_read_prop", "changed"), null).status());
    V1Client.Reply ok = spl.put("/v1/images/" + id, Map.of("x-glance-registry-purge-props", "false",
        "x-image-meta-property-spl_update_prop", "u2"), null);
    assertEquals(200, ok.status(), ok::toString);
    assertEquals("u2", ok.image().getJsonObject("properties").getString("spl_update_prop"));
    assertEquals(403, spl.put("/v1/images/" + id, Map.of("x-image-meta-property-spl_update_prop", "u2",
        "x-image-meta-property-x_owner_a", "2"), null).status(), "purging spl_read_prop is a delete spl_role lacks");
  }
}
