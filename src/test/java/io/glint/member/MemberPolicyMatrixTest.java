package io.glint.member;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Who may do what on the member routes, with Glance Zed's legacy defaults ({@code enforce_new_defaults=False}):
 * the member policies fall back to {@code rule:default} (""), so roles other than {@code admin} do not restrict, and
 * only the ownership checks of {@code _check_visibility_and_ownership} and the DB layer's owner-or-member filter
 * apply. Hence a {@code reader} of the owner's project behaves exactly as the owner does.
 *
 * <p>Each cell starts from a fresh image owned by project-a, shared with project-b (pending).
 */
@DisplayName("Image members: policy matrix (owner, reader, member, stranger, admin)")
class MemberPolicyMatrixTest extends ApiTestBase {

  private Map<String, Api> callers() {
    Map<String, Api> c = new LinkedHashMap<>();
    c.put("owner", alice);
    // Zed legacy defaults: the reader role does not restrict, so project-a's reader acts as the owner.
    c.put("reader of the owner's project", reader);
    c.put("member", bob);
    c.put("stranger", Api.as(server, "project-c", "member"));
    c.put("admin", admin);
    return c;
  }

  /** A shared image of alice with project-b as a pending member. */
  private String fixture() {
    String id = alice.create(new JsonObject().put("name", "m")).getString("id");
    MemberRows.insert(id, "project-b");
    return id;
  }

  /** Runs {@code call} for each caller on a fresh fixture and checks the status it gets. */
  private void matrix(BiFunction<Api, String, Response> call, int... expected) {
    List<Executable> checks = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Api> caller : callers().entrySet()) {
      server.reset();
      String id = fixture();
      Response r = call.apply(caller.getValue(), id);
      int want = expected[i++];
      checks.add(() -> assertEquals(want, r.status(), caller.getKey() + ": " + r));
    }
    assertAll(checks);
  }

  private static String path(String id, String rest) {
    return "/v2/images/" + id + "/members" + rest;
  }

  //                                                                 owner reader member stranger admin

  @Test
  @DisplayName("GET members: owner, reader, member and admin 200; stranger 404")
  void listMembers() {
    matrix((api, id) -> api.get(path(id, "")), 200, 200, 200, 404, 200);
  }

  @Test
  @DisplayName("GET members: the member's list holds only itself, the owner's and the reader's every member")
  void listContents() {
    String id = fixture();
    MemberRows.insert(id, "project-d");
    assertEquals(2, alice.get(path(id, "")).json().getJsonArray("members").size());
    assertEquals(2, reader.get(path(id, "")).json().getJsonArray("members").size());
    assertEquals(2, admin.get(path(id, "")).json().getJsonArray("members").size());
    assertEquals(1, bob.get(path(id, "")).json().getJsonArray("members").size());
    assertEquals("project-b", bob.get(path(id, "")).json().getJsonArray("members").getJsonObject(0)
        .getString("member_id"));
  }

  @Test
  @DisplayName("POST members: owner, reader and admin 200; member 403; stranger 404")
  void addMember() {
    matrix((api, id) -> api.post(path(id, ""), new JsonObject().put("member", "project-d")),
        200, 200, 403, 404, 200);
  }

  @Test
  @DisplayName("POST members refused: member 403, stranger 404")
  void addMemberRefused() {
    String id = fixture();
    Api carol = Api.as(server, "project-c", "member");
    Response byMember = bob.post(path(id, ""), new JsonObject().put("member", "project-d"));
    assertEquals(403, byMember.status(), byMember::toString);
    assertEquals("Not allowed to create members for image " + id + ".", byMember.message());
    Response byStranger = carol.post(path(id, ""), new JsonObject().put("member", "project-d"));
    assertEquals(404, byStranger.status(), byStranger::toString);
    assertEquals("Image " + id + " not found.", byStranger.message());
  }

  @Test
  @DisplayName("GET a member: owner, reader, member itself and admin 200; stranger 404")
  void showMember() {
    matrix((api, id) -> api.get(path(id, "/project-b")), 200, 200, 200, 404, 200);
  }

  @Test
  @DisplayName("PUT a member's status: the member and admin 200; owner and reader 403; stranger 404")
  void updateMember() {
    matrix((api, id) -> api.send("PUT", path(id, "/project-b"), "{\"status\": \"accepted\"}", "application/json"),
        403, 403, 200, 404, 200);
  }

  @Test
  @DisplayName("DELETE a member: owner, reader and admin 204; member 403; stranger 404")
  void deleteMember() {
    matrix((api, id) -> api.delete(path(id, "/project-b")), 204, 204, 403, 404, 204);
  }

  @Test
  @DisplayName("on a community image that everyone sees: every member route is a 403, showing a member a 404")
  void communityImage() {
    Api carol = Api.as(server, "project-c", "member");
    String id = alice.create(new JsonObject().put("name", "c").put("visibility", "community")).getString("id");
    for (Api api : List.of(alice, reader, bob, carol, admin)) {
      assertAll(
          () -> assertEquals(403, api.get(path(id, "")).status()),
          () -> assertEquals(403, api.post(path(id, ""), new JsonObject().put("member", "project-d")).status()),
          () -> assertEquals(404, api.get(path(id, "/project-d")).status()),
          () -> assertEquals(403,
              api.send("PUT", path(id, "/project-d"), "{\"status\": \"accepted\"}", "application/json").status()),
          () -> assertEquals(403, api.delete(path(id, "/project-d")).status()));
    }
  }

  @Test
  @DisplayName("on a private image only the owner, its reader and admins see it; member routes are 403 for them")
  void privateImage() {
    Api carol = Api.as(server, "project-c", "member");
    String id = alice.create(new JsonObject().put("name", "p").put("visibility", "private")).getString("id");
    for (Api api : List.of(alice, reader, admin)) {
      assertEquals(403, api.get(path(id, "")).status());
      assertEquals(403, api.post(path(id, ""), new JsonObject().put("member", "project-d")).status());
    }
    for (Api api : List.of(bob, carol)) {
      assertEquals(404, api.get(path(id, "")).status());
      assertEquals(404, api.post(path(id, ""), new JsonObject().put("member", "project-d")).status());
      assertEquals(404, api.get(path(id, "/project-d")).status());
      assertEquals(404, api.delete(path(id, "/project-d")).status());
    }
  }
}
