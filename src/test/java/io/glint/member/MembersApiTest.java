package io.glint.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code /v2/images/{id}/members[/{member}]} as Glance's {@code image_members.py} does it, with Zed's legacy rules
 * ({@code enforce_new_defaults=False}): the ownership checks of {@code _check_visibility_and_ownership} apply.
 */
@DisplayName("Image members: add, list, show, update, delete")
class MembersApiTest extends ApiTestBase {

  private static final Set<String> MEMBER_FIELDS =
      Set.of("member_id", "image_id", "status", "created_at", "updated_at", "schema");
  private static final String ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

  // ------------------------------------------------------------------------------------------------------------
  // helpers

  private static String image(Api who, String visibility) {
    return who.create(new JsonObject().put("name", "img-" + visibility).put("visibility", visibility))
        .getString("id");
  }

  private static String members(String id) {
    return "/v2/images/" + id + "/members";
  }

  private static String member(String id, String member) {
    return members(id) + "/" + URLEncoder.encode(member, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Response add(Api who, String id, String member) {
    return who.post(members(id), new JsonObject().put("member", member));
  }

  private static Response status(Api who, String id, String member, String status) {
    return who.send("PUT", member(id, member), new JsonObject().put("status", status).encode(), "application/json");
  }

  private static Set<String> memberIds(Response list) {
    Set<String> ids = new HashSet<>();
    list.json().getJsonArray("members").forEach(o -> ids.add(((JsonObject) o).getString("member_id")));
    return ids;
  }

  private static void assertError(int status, String message, Response r) {
    assertEquals(status, r.status(), r::toString);
    assertEquals(message, r.message(), r::toString);
  }

  // ------------------------------------------------------------------------------------------------------------
  // add

  @Test
  @DisplayName("the owner adds a member: 200 with a pending member and exactly Glance's fields")
  void addMember() {
    String id = image(alice, "shared");
    Response r = add(alice, id, "project-b");
    assertEquals(200, r.status(), r::toString);
    assertEquals("application/json", r.header("Content-Type"));
    JsonObject m = r.json();
    assertEquals(MEMBER_FIELDS, m.fieldNames());
    assertEquals("project-b", m.getString("member_id"));
    assertEquals(id, m.getString("image_id"));
    assertEquals("pending", m.getString("status"));
    assertEquals("/v2/schemas/member", m.getString("schema"));
    assertTrue(m.getString("created_at").matches(ISO), m::encode);
    assertEquals(m.getString("created_at"), m.getString("updated_at"));
    Instant created = Instant.parse(m.getString("created_at"));
    assertTrue(Math.abs(Instant.now().getEpochSecond() - created.getEpochSecond()) < 60, created::toString);
    assertEquals(m, alice.get(member(id, "project-b")).json());
    assertEquals("pending", TestServer.executeString(
        "SELECT status FROM image_members WHERE image_id = $1 AND member = $2 AND NOT deleted", id, "project-b"));
  }

  @Test
  @DisplayName("member ids are not checked against Keystone: any project id, even with spaces or accents, works")
  void memberIdsAreFreeText() {
    String id = image(alice, "shared");
    for (String project : List.of("0123456789abcdef0123456789abcdef", "some project", "projét-ü", "x".repeat(255))) {
      Response r = add(alice, id, project);
      assertEquals(200, r.status(), () -> project + " -> " + r);
      assertEquals(project, r.json().getString("member_id"));
      Response shown = alice.get(member(id, project));
      assertEquals(200, shown.status(), () -> project + " -> " + shown);
      assertEquals(project, shown.json().getString("member_id"));
    }
    assertEquals(4, alice.get(members(id)).json().getJsonArray("members").size());
  }

  @Test
  @DisplayName("only shared images have members: adding to private, public or community images is a 403")
  void onlySharedImagesHaveMembers() {
    for (String visibility : List.of("private", "public", "community")) {
      String id = visibility.equals("public") ? image(admin, visibility) : image(alice, visibility);
      Api owner = visibility.equals("public") ? admin : alice;
      Response r = add(owner, id, "project-b");
      assertError(403, "Not allowed to create members for image " + id + ".", r);
      Response list = owner.get(members(id));
      assertError(403, "Not allowed to list members for image " + id + ": Only shared images have members.", list);
      assertError(404, "Only shared images have members.", owner.get(member(id, "project-b")));
      assertError(403, "Not allowed to update members for image " + id + ".",
          status(owner, id, "project-b", "accepted"));
      assertError(403, "Not allowed to delete members for image " + id + ".",
          owner.delete(member(id, "project-b")));
    }
    assertEquals("0", TestServer.executeString("SELECT count(*) FROM image_members"));
  }

  @Test
  @DisplayName("a member that is already there is a 409; the first stays as it was")
  void duplicate() {
    String id = image(alice, "shared");
    assertEquals(200, add(alice, id, "project-b").status());
    assertEquals(200, status(bob, id, "project-b", "accepted").status());
    assertError(409, "Member project-b is duplicated for image " + id, add(alice, id, "project-b"));
    assertEquals("accepted", alice.get(member(id, "project-b")).json().getString("status"));
    assertEquals("1", TestServer.executeString("SELECT count(*) FROM image_members WHERE image_id = $1", id));
  }

  @Test
  @DisplayName("a removed member can be added again, and comes back pending")
  void reAddRemovedMember() {
    String id = image(alice, "shared");
    assertEquals(200, add(alice, id, "project-b").status());
    assertEquals(200, status(bob, id, "project-b", "accepted").status());
    assertEquals(204, alice.delete(member(id, "project-b")).status());
    assertEquals(404, alice.get(member(id, "project-b")).status());
    assertEquals(404, bob.get("/v2/images/" + id).status());
    Response again = add(alice, id, "project-b");
    assertEquals(200, again.status(), again::toString);
    assertEquals("pending", again.json().getString("status"));
    assertEquals(Set.of("project-b"), memberIds(alice.get(members(id))));
    assertEquals(200, bob.get("/v2/images/" + id).status());
    // One row represents the membership, as Glance re-uses the soft-deleted row.
    assertEquals("1", TestServer.executeString("SELECT count(*) FROM image_members WHERE image_id = $1", id));
  }

  @Test
  @DisplayName("adding a member to an image that does not exist (or was deleted) is a 404")
  void addToMissingImage() {
    String missing = UUID.randomUUID().toString();
    assertError(404, "Image " + missing + " not found.", add(alice, missing, "project-b"));
    String id = image(alice, "shared");
    assertEquals(204, alice.delete("/v2/images/" + id).status());
    assertError(404, "Image " + id + " not found.", add(alice, id, "project-b"));
  }

  @Test
  @DisplayName("bad create bodies are 400s with Glance's messages, whatever the caller's rights")
  void badCreateBodies() {
    String id = image(alice, "shared");
    assertError(400, "Body expected in request.", alice.send("POST", members(id), null, null));
    assertError(400, "Body expected in request.", alice.send("POST", members(id), "", "application/json"));
    assertError(400, "Malformed JSON in request body.", alice.send("POST", members(id), "{\"member\": ",
        "application/json"));
    assertError(400, "Malformed JSON in request body.", alice.send("POST", members(id), "{} {}", "application/json"));
    assertError(400, "Unexpected body type. Expected list/dict.",
        alice.send("POST", members(id), "\"project-b\"", "application/json"));
    assertError(400, "Member to be added not specified", alice.post(members(id), new JsonObject()));
    assertError(400, "Member to be added not specified",
        alice.post(members(id), new JsonObject().put("members", "project-b")));
    assertError(400, "Member can't be empty", alice.post(members(id), new JsonObject().put("member", "")));
    for (Object notAString : List.of(5, true, new JsonArray().add("project-b"), new JsonObject().put("a", "b"))) {
      Response r = alice.post(members(id), new JsonObject().put("member", notAString));
      assertEquals(400, r.status(), () -> notAString + " -> " + r);
    }
    assertEquals(400, alice.post(members(id), new JsonObject().putNull("member")).status());
    assertEquals(400, alice.send("POST", members(id), "[]", "application/json").status());
    assertEquals(400, add(alice, id, "x".repeat(256)).status());
    assertEquals(400, add(alice, id, "nul\u0000").status());
    // The body is checked before the image: a bad body on an image nobody can see is still a 400.
    assertEquals(400, bob.post(members(id), new JsonObject()).status());
    assertEquals(400, alice.post(members(UUID.randomUUID().toString()), new JsonObject()).status());
    assertEquals(List.of(), alice.get(members(id)).json().getJsonArray("members").getList());
  }

  @Test
  @DisplayName("400 messages for list bodies and null or non-string values are Glance's")
  void badBodyMessagesAsGlance() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    // body['member'] on a list raises TypeError -> "Expected a member in the form ..."
    assertError(400, "Expected a member in the form: {\"member\": \"image_id\"}",
        alice.send("POST", members(id), "[]", "application/json"));
    // `if not member_id: raise ValueError()` -> "Member can't be empty" for null
    assertError(400, "Member can't be empty", alice.post(members(id), new JsonObject().putNull("member")));
    // body['status'] on a list raises TypeError -> "Expected a status in the form ..."
    assertError(400, "Expected a status in the form: {\"status\": \"status\"}",
        bob.send("PUT", member(id, "project-b"), "[]", "application/json"));
    // a non-string status reaches ImageMembership.status, whose ValueError becomes "Incorrect request: ..."
    assertError(400, "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\".",
        bob.send("PUT", member(id, "project-b"), "{\"status\": 5}", "application/json"));
  }

  // ------------------------------------------------------------------------------------------------------------
  // quota

  @Test
  @DisplayName("image_member_quota: the member past the quota is a 413 and nothing is added")
  void memberQuota() {
    try (TestServer small = TestServer.start(Map.of("image_member_quota", "2"))) {
      Api owner = Api.as(small, "project-a", "member");
      String id = image(owner, "shared");
      MemberRows.insert(id, "project-b");
      MemberRows.insert(id, "project-c");
      Response r = add(owner, id, "project-d");
      assertEquals(413, r.status(), r::toString);
      assertTrue(r.message().startsWith("Image member limit exceeded for image " + id + ": The limit has been "
          + "exceeded on the number of allowed image members for this image. "), r::message);
      assertTrue(r.message().endsWith("Maximum: 2:"), r::message);
      assertEquals(413, add(owner, id, "project-e").status());
      assertEquals(413, add(Api.as(small, "project-admin", "admin"), id, "project-e").status());
      assertEquals(Set.of("project-b", "project-c"), memberIds(owner.get(members(id))));
      // Rights and visibility come before the quota.
      assertEquals(403, add(Api.as(small, "project-b", "member"), id, "project-e").status());
      assertEquals(404, add(Api.as(small, "project-z", "member"), id, "project-e").status());
    }
  }

  @Test
  @DisplayName("image_member_quota: each image has its own count, and a removed member makes room again")
  void memberQuotaFreedByRemoval() {
    try (TestServer small = TestServer.start(Map.of("image_member_quota", "2"))) {
      Api owner = Api.as(small, "project-a", "member");
      String id = image(owner, "shared");
      assertEquals(200, add(owner, id, "project-b").status());
      assertEquals(200, add(owner, id, "project-c").status());
      assertEquals(413, add(owner, id, "project-d").status());
      // Another image has its own count.
      String other = image(owner, "shared");
      assertEquals(200, add(owner, other, "project-d").status());
      // A removed member no longer counts.
      assertEquals(204, owner.delete(member(id, "project-b")).status());
      assertEquals(200, add(owner, id, "project-d").status());
      assertEquals(413, add(owner, id, "project-b").status());
      assertEquals(Set.of("project-c", "project-d"), memberIds(owner.get(members(id))));
    }
  }

  @Test
  @DisplayName("image_member_quota: the 413 explanation is Glance's, with the attempted count")
  void memberQuotaMessage() {
    try (TestServer small = TestServer.start(Map.of("image_member_quota", "2"))) {
      Api owner = Api.as(small, "project-a", "member");
      String id = image(owner, "shared");
      MemberRows.insert(id, "project-b");
      MemberRows.insert(id, "project-c");
      assertError(413, "Image member limit exceeded for image " + id + ": The limit has been exceeded on the number "
          + "of allowed image members for this image. Attempted: 3, Maximum: 2:", add(owner, id, "project-d"));
    }
  }

  @Test
  @DisplayName("image_member_quota: re-adding an existing member of a full image is a 413, as in Glance")
  void duplicateAtQuotaIsTooLarge() {
    try (TestServer small = TestServer.start(Map.of("image_member_quota", "1"))) {
      Api owner = Api.as(small, "project-a", "member");
      String id = image(owner, "shared");
      MemberRows.insert(id, "project-b");
      assertEquals(413, add(owner, id, "project-b").status());
    }
  }

  @Test
  @DisplayName("image_member_quota 0 refuses every member")
  void zeroQuota() {
    try (TestServer none = TestServer.start(Map.of("image_member_quota", "0"))) {
      Api owner = Api.as(none, "project-a", "member");
      String id = image(owner, "shared");
      assertEquals(413, add(owner, id, "project-b").status());
      assertEquals(List.of(), owner.get(members(id)).json().getJsonArray("members").getList());
    }
  }

  @Test
  @DisplayName("image_member_quota -1 is unlimited")
  void unlimitedQuota() {
    try (TestServer unlimited = TestServer.start(Map.of("image_member_quota", "-1"))) {
      Api owner = Api.as(unlimited, "project-a", "member");
      String id = image(owner, "shared");
      for (int i = 0; i < 140; i++) {
        assertEquals(200, add(owner, id, "project-" + i).status());
      }
      assertEquals(140, owner.get(members(id)).json().getJsonArray("members").size());
    }
  }

  @Test
  @DisplayName("concurrent adds respect the quota and the uniqueness of a member")
  void concurrentAdds() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (TestServer small = TestServer.start(Map.of("image_member_quota", "3"))) {
      Api owner = Api.as(small, "project-a", "member");
      String id = image(owner, "shared");
      List<CompletableFuture<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String project = "project-" + i;
        calls.add(CompletableFuture.supplyAsync(() -> add(owner, id, project).status(), pool));
      }
      List<Integer> statuses = new ArrayList<>();
      for (CompletableFuture<Integer> c : calls) {
        statuses.add(c.get());
      }
      assertEquals(3, statuses.stream().filter(s -> s == 200).count(), statuses::toString);
      assertEquals(5, statuses.stream().filter(s -> s == 413).count(), statuses::toString);
      assertEquals(3, owner.get(members(id)).json().getJsonArray("members").size());

      String other = image(owner, "shared");
      List<CompletableFuture<Integer>> same = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        same.add(CompletableFuture.supplyAsync(() -> add(owner, other, "project-z").status(), pool));
      }
      List<Integer> sameStatuses = new ArrayList<>();
      for (CompletableFuture<Integer> c : same) {
        sameStatuses.add(c.get());
      }
      assertEquals(1, sameStatuses.stream().filter(s -> s == 200).count(), sameStatuses::toString);
      assertEquals(5, sameStatuses.stream().filter(s -> s == 409).count(), sameStatuses::toString);
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // list and show

  @Test
  @DisplayName("list: the owner sees every member, a member only itself, others get a 404")
  void list() {
    String id = image(alice, "shared");
    for (String p : List.of("project-b", "project-c", "project-d")) {
      MemberRows.insert(id, p);
    }
    Response all = alice.get(members(id));
    assertEquals(200, all.status());
    assertEquals(Set.of("members", "schema"), all.json().fieldNames());
    assertEquals("/v2/schemas/members", all.json().getString("schema"));
    assertEquals(Set.of("project-b", "project-c", "project-d"), memberIds(all));
    for (Object o : all.json().getJsonArray("members")) {
      JsonObject m = (JsonObject) o;
      assertEquals(MEMBER_FIELDS, m.fieldNames());
      assertEquals(id, m.getString("image_id"));
      assertEquals("pending", m.getString("status"));
    }
    assertEquals(Set.of("project-b"), memberIds(bob.get(members(id))));
    Api carol = Api.as(server, "project-c", "member");
    assertEquals(Set.of("project-c"), memberIds(carol.get(members(id))));
    Api eve = Api.as(server, "project-e", "member");
    assertError(404, "Image " + id + " not found.", eve.get(members(id)));
    assertEquals(Set.of("project-b", "project-c", "project-d"), memberIds(admin.get(members(id))));
  }

  @Test
  @DisplayName("list: an image without members has an empty list; a missing image is a 404")
  void emptyList() {
    String id = image(alice, "shared");
    Response r = alice.get(members(id));
    assertEquals(200, r.status());
    assertEquals(new JsonObject().put("members", new JsonArray()).put("schema", "/v2/schemas/members"), r.json());
    String missing = UUID.randomUUID().toString();
    assertError(404, "Image " + missing + " not found.", alice.get(members(missing)));
  }

  @Test
  @DisplayName("show: the owner sees any member, a member itself; another member's row and strangers are 404s")
  void show() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    MemberRows.insert(id, "project-c");
    Api carol = Api.as(server, "project-c", "member");
    Api eve = Api.as(server, "project-e", "member");
    assertEquals("project-b", alice.get(member(id, "project-b")).json().getString("member_id"));
    assertEquals("project-c", alice.get(member(id, "project-c")).json().getString("member_id"));
    assertEquals("project-b", bob.get(member(id, "project-b")).json().getString("member_id"));
    assertEquals("project-b", admin.get(member(id, "project-b")).json().getString("member_id"));
    assertError(404, "project-c not found in the member list of the image " + id + ".",
        bob.get(member(id, "project-c")));
    assertError(404, "project-b not found in the member list of the image " + id + ".",
        carol.get(member(id, "project-b")));
    assertError(404, "Image " + id + " not found.", eve.get(member(id, "project-b")));
    assertError(404, "Image " + id + " not found.", eve.get(member(id, "project-e")));
    assertError(404, "project-x not found in the member list of the image " + id + ".",
        alice.get(member(id, "project-x")));
  }

  // ------------------------------------------------------------------------------------------------------------
  // update

  @Test
  @DisplayName("update: the member moves its status among pending, accepted and rejected; updated_at follows")
  void updateStatus() {
    String id = image(alice, "shared");
    // Added a minute ago, so that every update below stamps an updated_at of a later second.
    MemberRows.insertAddedAgo(id, "project-b", Duration.ofMinutes(1));
    JsonObject added = alice.get(member(id, "project-b")).json();
    for (String s : List.of("accepted", "rejected", "pending", "accepted", "accepted")) {
      Response r = status(bob, id, "project-b", s);
      assertEquals(200, r.status(), r::toString);
      JsonObject m = r.json();
      assertEquals(MEMBER_FIELDS, m.fieldNames());
      assertEquals(s, m.getString("status"));
      assertEquals("project-b", m.getString("member_id"));
      assertEquals(id, m.getString("image_id"));
      assertEquals(added.getString("created_at"), m.getString("created_at"));
      assertNotEquals(added.getString("updated_at"), m.getString("updated_at"));
      assertEquals(m, bob.get(member(id, "project-b")).json());
    }
  }

  @Test
  @DisplayName("update: the owner may not change a member's status (403); an admin may")
  void ownerCannotUpdate() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    assertError(403, "Not allowed to update members for image " + id + ".",
        status(alice, id, "project-b", "accepted"));
    assertEquals("pending", alice.get(member(id, "project-b")).json().getString("status"));
    Response byAdmin = status(admin, id, "project-b", "rejected");
    assertEquals(200, byAdmin.status(), byAdmin::toString);
    assertEquals("rejected", byAdmin.json().getString("status"));
    assertEquals("rejected", bob.get(member(id, "project-b")).json().getString("status"));
  }

  @Test
  @DisplayName("update: a member cannot touch another member's row (404 as in Glance's filtered lookup)")
  void memberCannotUpdateAnother() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    MemberRows.insert(id, "project-c");
    // _lookup_member: the DB lookup is filtered to the image owner or the member itself, so NotFound -> 404.
    assertError(404, "project-c not found in the member list of the image " + id + ".",
        status(bob, id, "project-c", "accepted"));
    assertError(404, "project-x not found in the member list of the image " + id + ".",
        status(bob, id, "project-x", "accepted"));
    assertEquals("pending", alice.get(member(id, "project-c")).json().getString("status"));
    Api eve = Api.as(server, "project-e", "member");
    assertError(404, "Image " + id + " not found.", status(eve, id, "project-b", "accepted"));
    assertError(404, "project-x not found in the member list of the image " + id + ".",
        status(admin, id, "project-x", "accepted"));
  }

  @Test
  @DisplayName("update: missing, invalid and malformed statuses are 400s")
  void badStatusBodies() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    String path = member(id, "project-b");
    assertError(400, "Body expected in request.", bob.send("PUT", path, null, null));
    assertError(400, "Malformed JSON in request body.", bob.send("PUT", path, "{\"status\"", "application/json"));
    assertError(400, "Unexpected body type. Expected list/dict.", bob.send("PUT", path, "1", "application/json"));
    assertError(400, "Status not specified", bob.send("PUT", path, "{}", "application/json"));
    assertError(400, "Status not specified", bob.send("PUT", path, "{\"member\": \"accepted\"}", "application/json"));
    for (String bad : List.of("ACCEPTED", "accept", "", " accepted", "deleted", "all")) {
      assertError(400, "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\".",
          status(bob, id, "project-b", bad));
    }
    for (String body : List.of("{\"status\": 5}", "{\"status\": null}", "{\"status\": [\"accepted\"]}", "[]")) {
      assertEquals(400, bob.send("PUT", path, body, "application/json").status(), body);
    }
    assertEquals("pending", bob.get(path).json().getString("status"));
  }

  @Test
  @DisplayName("update: an invalid status from the owner is a 403 and on a missing image a 404, as in Glance")
  void statusValidatedLast() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    assertEquals(403, status(alice, id, "project-b", "bogus").status());
    assertEquals(404, status(bob, UUID.randomUUID().toString(), "project-b", "bogus").status());
  }

  // ------------------------------------------------------------------------------------------------------------
  // delete

  @Test
  @DisplayName("delete: the owner removes a member (204, empty body), then it is a 404")
  void delete() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    MemberRows.insert(id, "project-c");
    Response r = alice.delete(member(id, "project-b"));
    assertEquals(204, r.status());
    assertEquals("", r.body());
    assertError(404, "project-b not found in the member list of the image " + id + ".",
        alice.get(member(id, "project-b")));
    assertError(404, "project-b not found in the member list of the image " + id + ".",
        alice.delete(member(id, "project-b")));
    assertEquals(Set.of("project-c"), memberIds(alice.get(members(id))));
    assertError(404, "Image " + id + " not found.", bob.get(members(id)));
    assertEquals("true", TestServer.executeString(
        "SELECT deleted FROM image_members WHERE image_id = $1 AND member = $2", id, "project-b"));
  }

  @Test
  @DisplayName("delete: a member may not remove itself or others (403); an admin may remove anyone")
  void deleteRights() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    MemberRows.insert(id, "project-c");
    assertError(403, "Not allowed to delete members for image " + id + ".", bob.delete(member(id, "project-b")));
    assertError(403, "Not allowed to delete members for image " + id + ".", bob.delete(member(id, "project-c")));
    assertEquals(204, admin.delete(member(id, "project-c")).status());
    assertEquals(Set.of("project-b"), memberIds(alice.get(members(id))));
    assertError(404, "project-x not found in the member list of the image " + id + ".",
        admin.delete(member(id, "project-x")));
  }

  @Test
  @DisplayName("deleting the image takes its members with it")
  void deletingImageHidesMembers() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    assertEquals(200, status(bob, id, "project-b", "accepted").status());
    assertEquals(204, alice.delete("/v2/images/" + id).status());
    assertError(404, "Image " + id + " not found.", alice.get(members(id)));
    assertError(404, "Image " + id + " not found.", alice.get(member(id, "project-b")));
    assertError(404, "Image " + id + " not found.", bob.get(member(id, "project-b")));
    assertError(404, "Image " + id + " not found.", status(bob, id, "project-b", "rejected"));
    assertError(404, "Image " + id + " not found.", alice.delete(member(id, "project-b")));
    assertError(404, "Image " + id + " not found.", admin.get(members(id)));
    assertEquals(List.of(), bob.get("/v2/images").ids());
    assertEquals("0", TestServer.executeString(
        "SELECT count(*) FROM image_members WHERE image_id = $1 AND NOT deleted", id));
  }

  // ------------------------------------------------------------------------------------------------------------
  // HTTP frame

  @Test
  @DisplayName("wrong methods are 405s with Allow; bodies on GET and DELETE are 400s")
  void methodsAndBodies() {
    String id = image(alice, "shared");
    MemberRows.insert(id, "project-b");
    for (String method : List.of("PUT", "DELETE", "PATCH")) {
      Response r = alice.send(method, members(id), null, null);
      assertEquals(405, r.status(), method);
      assertEquals("GET, POST", r.header("Allow"), method);
    }
    for (String method : List.of("POST", "PATCH")) {
      Response r = alice.send(method, member(id, "project-b"), "{}", "application/json");
      assertEquals(405, r.status(), method);
      assertEquals("GET, PUT, DELETE", r.header("Allow"), method);
    }
    assertError(400, "A body is not expected with this request.",
        alice.send("GET", members(id), "{}", "application/json"));
    assertError(400, "A body is not expected with this request.",
        alice.send("GET", member(id, "project-b"), "{}", "application/json"));
    assertError(400, "A body is not expected with this request.",
        alice.send("DELETE", member(id, "project-b"), "{}", "application/json"));
    assertEquals(200, alice.get(member(id, "project-b")).status());
  }

  // ------------------------------------------------------------------------------------------------------------
  // schemas

  @Test
  @DisplayName("/v2/schemas/member and /v2/schemas/members are Glance's")
  void schemas() {
    JsonObject expectedMember = new JsonObject()
        .put("name", "member")
        .put("properties", new JsonObject()
            .put("member_id", new JsonObject().put("type", "string")
                .put("description", "An identifier for the image member (tenantId)"))
            .put("image_id", new JsonObject().put("type", "string")
                .put("description", "An identifier for the image")
                .put("pattern", "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                    + "-([0-9a-fA-F]){12}$"))
            .put("created_at", new JsonObject().put("type", "string")
                .put("description", "Date and time of image member creation"))
            .put("updated_at", new JsonObject().put("type", "string")
                .put("description", "Date and time of last modification of image member"))
            .put("status", new JsonObject().put("type", "string")
                .put("description", "The status of this image member")
                .put("enum", new JsonArray().add("pending").add("accepted").add("rejected")))
            .put("schema", new JsonObject().put("readOnly", true).put("type", "string")))
        .put("additionalProperties", false);
    Response member = alice.get("/v2/schemas/member");
    assertEquals(200, member.status());
    assertEquals("application/json", member.header("Content-Type"));
    assertEquals(expectedMember, member.json());

    JsonObject expectedMembers = new JsonObject()
        .put("name", "members")
        .put("properties", new JsonObject()
            .put("members", new JsonObject().put("type", "array").put("items", expectedMember))
            .put("first", new JsonObject().put("type", "string"))
            .put("next", new JsonObject().put("type", "string"))
            .put("schema", new JsonObject().put("type", "string")))
        .put("links", new JsonArray()
            .add(new JsonObject().put("rel", "first").put("href", "{first}"))
            .add(new JsonObject().put("rel", "next").put("href", "{next}"))
            .add(new JsonObject().put("rel", "describedby").put("href", "{schema}")));
    Response list = bob.get("/v2/schemas/members");
    assertEquals(200, list.status());
    assertEquals(expectedMembers, list.json());

    Response post = alice.send("POST", "/v2/schemas/member", "{}", "application/json");
    assertEquals(405, post.status());
    assertEquals("GET", post.header("Allow"));
  }
}
