package io.glint.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * v1 sharing ({@code glance/api/v1/members.py}) over HTTP, on the members v2 sees: a share made through v1 is in
 * v2's member list (pending, as any new member), one made through v2 is in v1's, can_share is kept, the whole
 * list can be replaced, and {@code /v1/shared-images/{member}} lists what a project was given.
 */
@DisplayName("v1 members: shares through v1 seen through v2 and back, can_share, replace-all, shared-images")
class V1MembersApiTest extends ApiTestBase {
  private V1Client v1a;
  private V1Client v1b;
  private String image;

  @BeforeEach
  void image() {
    v1a = V1Client.as(server, "project-a", "member");
    v1b = V1Client.as(server, "project-b", "member");
    V1Client.Reply r = v1a.post("/v1/images", Map.of("x-image-meta-name", "shared-one",
        "x-image-meta-disk_format", "raw", "x-image-meta-container_format", "bare"), Bytes.random(1000, 3));
    assertEquals(201, r.status(), r::toString);
    image = r.image().getString("id");
  }

  private List<String> v2Members(String id) {
    List<String> out = new ArrayList<>();
    alice.get("/v2/images/" + id + "/members").json().getJsonArray("members")
        .forEach(o -> out.add(((JsonObject) o).getString("member_id")));
    return out;
  }

  @Test
  @DisplayName("PUT a member through v1: 204; v2 lists it pending; the member sees the image through both APIs")
  void shareThroughV1() {
    assertEquals(404, v1b.head("/v1/images/" + image).status(), "not shared yet");
    V1Client.Reply put = v1a.send("PUT", "/v1/images/" + image + "/members/project-b", Map.of(), null, false);
    assertEquals(204, put.status(), put::toString);
    assertEquals(List.of("project-b"), v2Members(image));
    JsonObject v2member = alice.get("/v2/images/" + image + "/members/project-b").json();
    assertEquals("pending", v2member.getString("status"));
    assertEquals(200, v1b.head("/v1/images/" + image).status(), "a member sees it (any status)");
    assertTrue(listIds(v1b, "/v1/images").contains(image), "v1 lists shared images whatever the member status");
    assertEquals(200, bob.get("/v2/images/" + image).status());

    JsonObject members = v1a.get("/v1/images/" + image + "/members").json();
    assertEquals(new JsonArray().add(new JsonObject().put("member_id", "project-b").put("can_share", false)),
        members.getJsonArray("members"));
    assertEquals(405, v1a.get("/v1/images/" + image + "/members/project-b").status());
    V1Client.Reply notOwner = v1b.send("PUT", "/v1/images/" + image + "/members/project-c", Map.of(), null, false);
    assertEquals(403, notOwner.status(), "only the owner adds members: " + notOwner);

    V1Client.Reply shared = v1b.get("/v1/shared-images/project-b");
    assertEquals(200, shared.status(), shared::toString);
    assertEquals(new JsonArray().add(new JsonObject().put("image_id", image).put("can_share", false)),
        shared.json().getJsonArray("shared_images"));

    assertEquals(204, v1a.delete("/v1/images/" + image + "/members/project-b").status());
    assertEquals(List.of(), v2Members(image));
    assertEquals(404, v1b.head("/v1/images/" + image).status());
    assertEquals(404, v1a.delete("/v1/images/" + image + "/members/project-b").status());
  }

  @Test
  @DisplayName("can_share from the body is kept; a member added through v2 is listed through v1")
  void canShareAndV2Members() {
    assertEquals(204, v1a.putJson("/v1/images/" + image + "/members/project-b",
        new JsonObject().put("member", new JsonObject().put("can_share", true))).status());
    assertEquals(200, alice.post("/v2/images/" + image + "/members", new JsonObject().put("member", "project-c"))
        .status());
    JsonArray members = v1a.get("/v1/images/" + image + "/members").json().getJsonArray("members");
    assertEquals(new JsonArray()
        .add(new JsonObject().put("member_id", "project-b").put("can_share", true))
        .add(new JsonObject().put("member_id", "project-c").put("can_share", false)), members);
    // PUT again without a body leaves can_share as it is.
    assertEquals(204, v1a.send("PUT", "/v1/images/" + image + "/members/project-b", Map.of(), null, false).status());
    assertEquals(true, v1a.get("/v1/images/" + image + "/members").json().getJsonArray("members").getJsonObject(0)
        .getBoolean("can_share"));
    assertEquals(400, v1a.putJson("/v1/images/" + image + "/members/project-b",
        new JsonObject().put("member", new JsonObject().put("can_share", "very"))).status());
  }

  @Test
  @DisplayName("PUT /members replaces the whole list; members only on shared images, as through v2")
  void replaceAll() {
    v1a.send("PUT", "/v1/images/" + image + "/members/project-b", Map.of(), null, false);
    v1a.send("PUT", "/v1/images/" + image + "/members/project-c", Map.of(), null, false);
    JsonObject body = new JsonObject().put("memberships", new JsonArray()
        .add(new JsonObject().put("member_id", "project-c").put("can_share", true))
        .add(new JsonObject().put("member_id", "project-d")));
    V1Client.Reply r = v1a.putJson("/v1/images/" + image + "/members", body);
    assertEquals(204, r.status(), r::toString);
    assertEquals(List.of("project-c", "project-d"), v2Members(image));
    JsonArray members = v1a.get("/v1/images/" + image + "/members").json().getJsonArray("members");
    assertEquals(true, members.getJsonObject(0).getBoolean("can_share"));
    assertEquals(false, members.getJsonObject(1).getBoolean("can_share"));
    assertEquals(400, v1a.putJson("/v1/images/" + image + "/members", new JsonObject().put("x", 1)).status());

    String priv = alice.create(new JsonObject().put("name", "p").put("visibility", "private")).getString("id");
    V1Client.Reply refused = v1a.send("PUT", "/v1/images/" + priv + "/members/project-b", Map.of(), null, false);
    assertEquals(403, refused.status(), refused::toString);
  }

  private static List<String> listIds(V1Client c, String path) {
    List<String> out = new ArrayList<>();
    c.get(path).json().getJsonArray("images").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }
}
