package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The secure-RBAC profile ({@code [oslo_policy] enforce_new_defaults = true}) through the API. */
@DisplayName("Secure RBAC over HTTP: a reader reads, a member writes, 404 for what the caller cannot see")
class SecureRbacApiTest extends ApiTestBase {
  private static TestServer glint;

  @BeforeAll
  static void start() {
    glint = TestServer.start(Map.of("oslo_policy.enforce_new_defaults", "true"));
  }

  @AfterAll
  static void stop() {
    glint.close();
  }

  @Test
  @DisplayName("the reader of the owning project sees but may not change; its member may; others get 404")
  void readerMemberStranger() {
    Api member = Api.as(glint, "project-a", "member,reader");
    Api reader = Api.as(glint, "project-a", "reader");
    Api stranger = Api.as(glint, "project-b", "member,reader");
    Api noRole = Api.as(glint, "project-a", "");
    assertEquals(403, reader.post("/v2/images", new JsonObject().put("name", "r")).status());
    String id = member.create(new JsonObject().put("name", "m").put("visibility", "private")).getString("id");
    String path = "/v2/images/" + id;
    JsonArray rename = new JsonArray().add(new JsonObject().put("op", "replace").put("path", "/name")
        .put("value", "renamed"));

    assertEquals(200, reader.get(path).status());
    assertEquals(List.of(id), reader.get("/v2/images").ids());
    assertEquals(403, reader.patch(path, rename).status());
    assertEquals(403, reader.delete(path).status());
    assertEquals(404, stranger.get(path).status());
    assertEquals(404, stranger.patch(path, rename).status(), "invisible: 404, not 403");
    assertEquals(403, noRole.get("/v2/images").status(), "get_images needs the reader role");
    assertEquals(404, noRole.get(path).status(), "get_image denied: the image is not shown to exist");
    assertEquals(200, member.patch(path, rename).status());
    assertEquals(204, member.delete(path).status());
  }
}
