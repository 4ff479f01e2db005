package io.glint.member;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What membership does to the visibility of a shared image (Glance's {@code is_image_visible} and
 * {@code _select_images_query}): a member sees the image by id whatever its status; lists show it only when the
 * status matches {@code member_status} (default {@code accepted}).
 */
@DisplayName("Image members: effect on seeing and listing shared images")
class MemberVisibilityTest extends ApiTestBase {

  private String sharedImage(String name) {
    return alice.create(new JsonObject().put("name", name)).getString("id");
  }

  private static void share(String id, String project, String status) {
    MemberRows.insert(id, project, status);
  }

  private static List<String> list(Api who, String query) {
    Response r = who.get("/v2/images" + query);
    assertEquals(200, r.status(), () -> query + " -> " + r);
    return r.ids();
  }

  @Test
  @DisplayName("a member sees the shared image by id whatever its status; others do not")
  void seeById() {
    Api carol = Api.as(server, "project-c", "member");
    for (String status : List.of("pending", "accepted", "rejected")) {
      String id = sharedImage(status);
      assertEquals(404, bob.get("/v2/images/" + id).status());
      share(id, "project-b", status);
      Response r = bob.get("/v2/images/" + id);
      assertEquals(200, r.status(), status);
      assertEquals("shared", r.json().getString("visibility"));
      assertEquals("project-a", r.json().getString("owner"));
      assertEquals(404, carol.get("/v2/images/" + id).status(), status);
    }
  }

  @Test
  @DisplayName("the default list shows a shared image to a member only once accepted")
  void defaultList() {
    String id = sharedImage("s");
    assertEquals(List.of(), list(bob, ""));
    share(id, "project-b", "pending");
    assertEquals(List.of(), list(bob, ""));
    setStatus(bob, id, "project-b", "accepted");
    assertEquals(List.of(id), list(bob, ""));
    setStatus(bob, id, "project-b", "rejected");
    assertEquals(List.of(), list(bob, ""));
    setStatus(bob, id, "project-b", "pending");
    assertEquals(List.of(), list(bob, ""));
    // The owner always lists its own image, whatever its members say.
    assertEquals(List.of(id), list(alice, ""));
    assertEquals(List.of(id), list(reader, ""));
  }

  @Test
  @DisplayName("member_status picks the members' images by status; it does not filter the caller's own images")
  void memberStatusFilter() {
    String pending = sharedImage("pending");
    String accepted = sharedImage("accepted");
    String rejected = sharedImage("rejected");
    share(pending, "project-b", "pending");
    share(accepted, "project-b", "accepted");
    share(rejected, "project-b", "rejected");
    String bobs = bob.create(new JsonObject().put("name", "bobs own")).getString("id");
    assertEquals(List.of(bobs, accepted), list(bob, ""));
    assertEquals(List.of(bobs, accepted), list(bob, "?member_status=accepted"));
    assertEquals(List.of(bobs, pending), list(bob, "?member_status=pending"));
    assertEquals(List.of(bobs, rejected), list(bob, "?member_status=rejected"));
    assertEquals(List.of(bobs, rejected, accepted, pending), list(bob, "?member_status=all"));
    for (String s : List.of("pending", "accepted", "rejected", "all")) {
      assertEquals(List.of(rejected, accepted, pending), list(alice, "?member_status=" + s), s);
    }
    Response bad = bob.get("/v2/images?member_status=bogus");
    assertEquals(400, bad.status());
    assertEquals("Invalid status: bogus", bad.message());
  }

  @Test
  @DisplayName("visibility=shared lists owned shared images and the member's images matching member_status")
  void visibilitySharedFilter() {
    String pending = sharedImage("pending");
    String accepted = sharedImage("accepted");
    String notShared = sharedImage("no members");
    String privateOne = alice.create(new JsonObject().put("name", "p").put("visibility", "private"))
        .getString("id");
    share(pending, "project-b", "pending");
    share(accepted, "project-b", "accepted");
    String bobsShared = bob.create(new JsonObject().put("name", "bobs")).getString("id");
    bob.create(new JsonObject().put("name", "bobs private").put("visibility", "private"));
    assertEquals(List.of(bobsShared, accepted), list(bob, "?visibility=shared"));
    assertEquals(List.of(bobsShared, pending), list(bob, "?visibility=shared&member_status=pending"));
    assertEquals(List.of(bobsShared, accepted, pending), list(bob, "?visibility=shared&member_status=all"));
    assertEquals(List.of(notShared, accepted, pending), list(alice, "?visibility=shared"));
    assertEquals(List.of(privateOne), list(alice, "?visibility=private"));
    assertEquals(List.of(), list(Api.as(server, "project-c", "member"), "?visibility=shared&member_status=all"));
    // Admins see every shared image, members or not.
    assertEquals(List.of(bobsShared, notShared, accepted, pending), list(admin, "?visibility=shared"));
  }

  @Test
  @DisplayName("removing a member hides the image from it again, by id and in lists")
  void removalHides() {
    String id = sharedImage("s");
    share(id, "project-b", "accepted");
    assertEquals(List.of(id), list(bob, ""));
    assertEquals(204, alice.delete("/v2/images/" + id + "/members/project-b").status());
    assertEquals(404, bob.get("/v2/images/" + id).status());
    assertEquals(List.of(), list(bob, "?member_status=all"));
  }

  @Test
  @DisplayName("members of a shared image made private keep their rows but lose sight of it until it is shared again")
  void visibilityChange() {
    String id = sharedImage("s");
    share(id, "project-b", "accepted");
    Response toPrivate = alice.patch("/v2/images/" + id, new JsonArray().add(
        new JsonObject().put("op", "replace").put("path", "/visibility").put("value", "private")));
    assertEquals(200, toPrivate.status(), toPrivate::toString);
    assertEquals(404, bob.get("/v2/images/" + id).status());
    assertEquals(List.of(), list(bob, "?member_status=all"));
    assertEquals(404, alice.get("/v2/images/" + id + "/members/project-b").status());
    Response toShared = alice.patch("/v2/images/" + id, new JsonArray().add(
        new JsonObject().put("op", "replace").put("path", "/visibility").put("value", "shared")));
    assertEquals(200, toShared.status(), toShared::toString);
    assertEquals(200, bob.get("/v2/images/" + id).status());
    assertEquals(List.of(id), list(bob, ""));
    assertEquals("accepted", bob.get("/v2/images/" + id + "/members/project-b").json().getString("status"));
  }

  @Test
  @DisplayName("a member can download the shared image's data, whatever its status")
  void memberDownloads() {
    String id = alice.create(new JsonObject().put("name", "d").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    assertEquals(204, alice.upload(id, new byte[] {1, 2, 3}).status());
    assertEquals(404, bob.download(id, Map.of()).status());
    share(id, "project-b", "rejected");
    Api.BytesResponse down = bob.download(id, Map.of());
    assertEquals(200, down.status());
    assertEquals(3, down.body().length);
  }

  private static void setStatus(Api member, String id, String project, String status) {
    Response u = member.send("PUT", "/v2/images/" + id + "/members/" + project,
        new JsonObject().put("status", status).encode(), "application/json");
    assertEquals(200, u.status(), u::toString);
  }
}
