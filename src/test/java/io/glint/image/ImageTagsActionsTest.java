package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.member.MemberRows;
import io.glint.testing.Api;
import io.glint.testing.Api.BytesResponse;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@code PUT/DELETE /v2/images/{id}/tags/{tag}} (Glance's {@code image_tags.py}) and
 * {@code POST /v2/images/{id}/actions/deactivate|reactivate} ({@code image_actions.py} and
 * {@code Image.deactivate/reactivate} in {@code glance/domain}), with Zed's legacy policy defaults.
 */
@DisplayName("Image tags and actions")
class ImageTagsActionsTest extends ApiTestBase {

  private static final byte[] DATA = Bytes.random(10_000, 7);

  // ------------------------------------------------------------------------------------------------------------
  // helpers

  private static String image(Api who, String visibility) {
    return who.create(new JsonObject().put("name", "t").put("visibility", visibility)
        .put("disk_format", "raw").put("container_format", "bare")).getString("id");
  }

  private static String activeImage(Api who, String visibility) {
    String id = image(who, visibility);
    Response up = who.upload(id, DATA);
    assertEquals(204, up.status(), up::toString);
    return id;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String tag(String id, String tag) {
    return "/v2/images/" + id + "/tags/" + encode(tag);
  }

  private static Response putTag(Api who, String id, String tag) {
    return who.send("PUT", tag(id, tag), null, null);
  }

  private static Response action(Api who, String id, String action) {
    return who.send("POST", "/v2/images/" + id + "/actions/" + action, null, null);
  }

  private static Set<Object> tags(Api who, String id) {
    return Set.copyOf(who.get("/v2/images/" + id).json().getJsonArray("tags").getList());
  }

  private static String status(Api who, String id) {
    return who.get("/v2/images/" + id).json().getString("status");
  }

  private static void assertError(int status, String message, Response r) {
    assertEquals(status, r.status(), r::toString);
    assertEquals(message, r.message(), r::toString);
  }

  // ------------------------------------------------------------------------------------------------------------
  // tags

  @Test
  @DisplayName("PUT a tag: 204 with no body, the tag shows on the image; adding it again changes nothing")
  void addTag() {
    String id = image(alice, "private");
    Response r = putTag(alice, id, "ubuntu");
    assertEquals(204, r.status(), r::toString);
    assertEquals("", r.body());
    assertEquals(Set.of("ubuntu"), tags(alice, id));
    assertEquals(204, putTag(alice, id, "ubuntu").status());
    assertEquals(204, putTag(alice, id, "lts").status());
    JsonArray listed = alice.get("/v2/images/" + id).json().getJsonArray("tags");
    assertEquals(2, listed.size());
    assertEquals(Set.of("ubuntu", "lts"), Set.copyOf(listed.getList()));
    assertEquals(List.of(id), alice.get("/v2/images?tag=lts").ids());
  }

  @Test
  @DisplayName("tags are case-sensitive text: spaces, accents and other characters survive the path")
  void tagCharacters() {
    String id = image(alice, "private");
    List<String> odd = List.of("Ubuntu", "ubuntu", "with space", "été", "日本語", "a:b=c", "100%", "semi;colon");
    for (String t : odd) {
      assertEquals(204, putTag(alice, id, t).status(), t);
    }
    assertEquals(Set.copyOf(odd), tags(alice, id));
    for (String t : odd) {
      assertEquals(204, alice.delete(tag(id, t)).status(), t);
    }
    assertEquals(Set.of(), tags(alice, id));
  }

  @Test
  @DisplayName("a tag of 255 characters is fine, 256 is a 400 (also in multi-byte characters); NUL is a 400")
  void tagLength() {
    String id = image(alice, "private");
    assertEquals(204, putTag(alice, id, "t".repeat(255)).status());
    assertEquals(204, putTag(alice, id, "é".repeat(255)).status());
    assertEquals(400, putTag(alice, id, "t".repeat(256)).status());
    assertEquals(400, putTag(alice, id, "é".repeat(256)).status());
    assertEquals(400, putTag(alice, id, "nul\u0000").status());
    assertEquals(Set.of("t".repeat(255), "é".repeat(255)), tags(alice, id));
    // The tag is validated before the image is looked up, as Glance's deserializer does.
    assertEquals(400, putTag(alice, UUID.randomUUID().toString(), "t".repeat(256)).status());
    assertEquals(400, putTag(bob, id, "t".repeat(256)).status());
  }

  @Test
  @DisplayName("DELETE a tag: 204, then the image no longer has it and removing it again is a 404")
  void removeTag() {
    String id = alice.create(new JsonObject().put("tags", new JsonArray().add("a").add("b"))).getString("id");
    Response r = alice.delete(tag(id, "a"));
    assertEquals(204, r.status(), r::toString);
    assertEquals("", r.body());
    assertEquals(Set.of("b"), tags(alice, id));
    assertEquals(404, alice.delete(tag(id, "a")).status());
    assertEquals(404, alice.delete(tag(id, "B")).status());
    assertEquals(Set.of("b"), tags(alice, id));
  }

  @Test
  @DisplayName("removing an absent tag is webob's bare 404")
  void removeAbsentTagMessage() {
    String id = image(alice, "private");
    assertError(404, "The resource could not be found.", alice.delete(tag(id, "nope")));
  }

  @Test
  @DisplayName("tags on an image that does not exist, was deleted or cannot be seen are 404s")
  void tagsOnMissingImages() {
    String missing = UUID.randomUUID().toString();
    assertEquals(404, putTag(alice, missing, "x").status());
    assertEquals(404, alice.delete(tag(missing, "x")).status());
    String deleted = image(alice, "private");
    assertEquals(204, alice.delete("/v2/images/" + deleted).status());
    assertEquals(404, putTag(alice, deleted, "x").status());
    String hidden = alice.create(new JsonObject().put("visibility", "private").put("tags", new JsonArray().add("x")))
        .getString("id");
    assertEquals(404, putTag(bob, hidden, "y").status());
    assertEquals(404, bob.delete(tag(hidden, "x")).status());
    assertEquals(Set.of("x"), tags(alice, hidden));
  }

  @Test
  @DisplayName("tags on an image that cannot be found have Glance's 404 explanation")
  void tagsOnMissingImageMessage() {
    String missing = UUID.randomUUID().toString();
    assertError(404, "Image " + missing + " not found.", putTag(alice, missing, "x"));
    assertError(404, "Image " + missing + " not found.", alice.delete(tag(missing, "x")));
  }

  @Test
  @DisplayName("a project that sees but does not own the image may not change its tags (403)")
  void tagsOfOthersImage() {
    String id = alice.create(new JsonObject().put("visibility", "community").put("tags", new JsonArray().add("x")))
        .getString("id");
    assertError(403, "Not allowed to update tags for image " + id + ".", putTag(bob, id, "y"));
    assertError(403, "Not allowed to delete tags for image " + id + ".", bob.delete(tag(id, "x")));
    // The ownership check comes before the tag lookup.
    assertError(403, "Not allowed to delete tags for image " + id + ".", bob.delete(tag(id, "absent")));
    assertEquals(Set.of("x"), tags(alice, id));
    assertEquals(204, putTag(admin, id, "by-admin").status());
    assertEquals(204, admin.delete(tag(id, "x")).status());
    assertEquals(Set.of("by-admin"), tags(alice, id));
  }

  @Test
  @DisplayName("image_tag_quota: one tag past the quota is a 413; re-adding a present tag at the quota is fine")
  void tagQuota() {
    try (TestServer small = TestServer.start(Map.of("image_tag_quota", "2"))) {
      Api owner = Api.as(small, "project-a", "member");
      String id = owner.create(new JsonObject().put("tags", new JsonArray().add("a"))).getString("id");
      assertEquals(204, owner.send("PUT", tag(id, "b"), null, null).status());
      Response r = owner.send("PUT", tag(id, "c"), null, null);
      assertEquals(413, r.status(), r::toString);
      assertEquals(204, owner.send("PUT", tag(id, "a"), null, null).status());
      assertEquals(Set.of("a", "b"),
          Set.copyOf(owner.get("/v2/images/" + id).json().getJsonArray("tags").getList()));
      assertEquals(204, owner.delete(tag(id, "a")).status());
      assertEquals(204, owner.send("PUT", tag(id, "c"), null, null).status());
    }
  }

  @Test
  @DisplayName("image_tag_quota: the 413 explanation is Glance's")
  void tagQuotaMessage() {
    try (TestServer small = TestServer.start(Map.of("image_tag_quota", "1"))) {
      Api owner = Api.as(small, "project-a", "member");
      String id = owner.create(new JsonObject().put("tags", new JsonArray().add("a"))).getString("id");
      assertError(413, "Image tag limit exceeded for image " + id + ": The limit has been exceeded on the number of "
          + "allowed image tags. Attempted: 2, Maximum: 1:", owner.send("PUT", tag(id, "b"), null, null));
    }
  }

  @Test
  @DisplayName("tag routes: a body is a 400, other methods are 405s with Allow: PUT, DELETE")
  void tagHttpFrame() {
    String id = image(alice, "private");
    assertError(400, "A body is not expected with this request.",
        alice.send("PUT", tag(id, "x"), "{}", "application/json"));
    assertError(400, "A body is not expected with this request.",
        alice.send("DELETE", tag(id, "x"), "x", "text/plain"));
    assertEquals(Set.of(), tags(alice, id));
    for (String method : List.of("GET", "POST", "PATCH")) {
      Response r = alice.send(method, tag(id, "x"), null, null);
      assertEquals(405, r.status(), method);
      assertEquals("PUT, DELETE", r.header("Allow"), method);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // actions

  @Test
  @DisplayName("deactivate and reactivate: active -> deactivated -> active, 204 each; repeats are no-ops")
  void deactivateReactivate() {
    String id = activeImage(alice, "private");
    Response d = action(alice, id, "deactivate");
    assertEquals(204, d.status(), d::toString);
    assertEquals("", d.body());
    assertEquals("deactivated", status(alice, id));
    String updatedAt = alice.get("/v2/images/" + id).json().getString("updated_at");
    assertEquals(204, action(alice, id, "deactivate").status());
    assertEquals("deactivated", status(alice, id));
    assertEquals(updatedAt, alice.get("/v2/images/" + id).json().getString("updated_at"));
    assertEquals(List.of(id), alice.get("/v2/images?status=deactivated").ids());
    Response re = action(alice, id, "reactivate");
    assertEquals(204, re.status(), re::toString);
    assertEquals("active", status(alice, id));
    assertEquals(204, action(alice, id, "reactivate").status());
    assertEquals("active", status(alice, id));
    // The data is untouched by the round trip.
    assertArrayEquals(DATA, alice.download(id, Map.of()).body());
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertEquals(DATA.length, image.getLong("size"));
    assertEquals(Bytes.md5(DATA), image.getString("checksum"));
  }

  @Test
  @DisplayName("a deactivated image cannot be downloaded except by an admin; reactivating restores downloads")
  void deactivatedDownload() {
    String id = activeImage(alice, "shared");
    MemberRows.insert(id, "project-b");
    assertEquals(204, action(alice, id, "deactivate").status());
    String message = "The requested image has been deactivated. Image data download is forbidden.";
    assertError(403, message, toJson(alice.download(id, Map.of())));
    assertError(403, message, toJson(reader.download(id, Map.of())));
    assertError(403, message, toJson(bob.download(id, Map.of())));
    BytesResponse byAdmin = admin.download(id, Map.of());
    assertEquals(200, byAdmin.status());
    assertArrayEquals(DATA, byAdmin.body());
    // The image itself stays visible.
    assertEquals("deactivated", status(alice, id));
    assertEquals("deactivated", status(bob, id));
    assertEquals(204, action(alice, id, "reactivate").status());
    assertArrayEquals(DATA, alice.download(id, Map.of()).body());
    assertArrayEquals(DATA, bob.download(id, Map.of()).body());
  }

  private static Response toJson(BytesResponse r) {
    return new Response(r.status(), r.headers(), new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("only active images can be deactivated and only deactivated ones reactivated: others are 403s")
  void wrongStatus() {
    String queued = image(alice, "private");
    assertError(403, "Not allowed to deactivate image in status 'queued'", action(alice, queued, "deactivate"));
    assertError(403, "Not allowed to reactivate image in status 'queued'", action(alice, queued, "reactivate"));
    assertError(403, "Not allowed to deactivate image in status 'queued'", action(admin, queued, "deactivate"));
    assertEquals("queued", status(alice, queued));
    String saving = image(alice, "private");
    TestServer.execute("UPDATE images SET status = 'saving' WHERE id = $1", saving);
    assertError(403, "Not allowed to deactivate image in status 'saving'", action(alice, saving, "deactivate"));
    assertError(403, "Not allowed to reactivate image in status 'saving'", action(alice, saving, "reactivate"));
    assertEquals("saving", status(alice, saving));
  }

  @Test
  @DisplayName("actions on a missing, deleted or invisible image are 404s; on others' visible images 403s")
  void actionRights() {
    String missing = UUID.randomUUID().toString();
    assertError(404, "No image found with ID " + missing, action(alice, missing, "deactivate"));
    assertError(404, "No image found with ID " + missing, action(alice, missing, "reactivate"));
    String deleted = activeImage(alice, "private");
    assertEquals(204, alice.delete("/v2/images/" + deleted).status());
    assertEquals(404, action(alice, deleted, "deactivate").status());
    String hidden = activeImage(alice, "private");
    assertEquals(404, action(bob, hidden, "deactivate").status());
    String community = activeImage(alice, "community");
    assertEquals(403, action(bob, community, "deactivate").status());
    assertEquals("active", status(alice, community));
    assertEquals(204, action(admin, community, "deactivate").status());
    assertEquals(403, action(bob, community, "reactivate").status());
    assertEquals("deactivated", status(alice, community));
    assertEquals(204, action(admin, community, "reactivate").status());
    assertEquals("active", status(alice, community));
  }

  @Test
  @DisplayName("deactivating another project's image: Glance's 403 explanation")
  void actionForbiddenMessage() {
    String community = activeImage(alice, "community");
    assertError(403, "You do not own this image", action(bob, community, "deactivate"));
    assertError(403, "You do not own this image", action(bob, community, "reactivate"));
  }

  @Test
  @DisplayName("action routes: a body is a 400, other methods are 405s with Allow: POST, unknown actions 404")
  void actionHttpFrame() {
    String id = activeImage(alice, "private");
    for (String action : List.of("deactivate", "reactivate")) {
      String path = "/v2/images/" + id + "/actions/" + action;
      assertError(400, "A body is not expected with this request.", alice.send("POST", path, "{}", "application/json"));
      for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
        Response r = alice.send(method, path, null, null);
        assertEquals(405, r.status(), method + " " + action);
        assertEquals("POST", r.header("Allow"), method + " " + action);
      }
    }
    assertEquals("active", status(alice, id));
    assertEquals(404, alice.send("POST", "/v2/images/" + id + "/actions/explode", null, null).status());
    assertEquals(204, alice.send("POST", "/v2/images/" + id + "/actions/deactivate", "", "application/json").status());
  }

  // ------------------------------------------------------------------------------------------------------------
  // policy matrix

  /**
   * The callers of the matrix. Zed's legacy defaults ({@code enforce_new_defaults=False}) OR the deprecated
   * {@code rule:default} ("") into every rule, so roles other than admin do not restrict: the reader of the
   * owner's project behaves exactly as the owner ({@code check_is_image_mutable} compares projects only).
   */
  private Map<String, Api> callers() {
    Map<String, Api> c = new LinkedHashMap<>();
    c.put("owner", alice);
    c.put("reader of the owner's project", reader);
    c.put("other project that sees it (community)", bob);
    c.put("admin", admin);
    return c;
  }

  /**
   * For each caller, a fresh community image prepared by {@code setup} (which returns its id) gets {@code call};
   * {@code expected} holds the statuses for owner, reader, other project, admin. A project that cannot see the
   * image (a private one) always gets 404.
   */
  private void matrix(Function<String, String> visibilitySetup, BiFunction<Api, String, Response> call,
      int... expected) {
    List<Executable> checks = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Api> caller : callers().entrySet()) {
      server.reset();
      String id = visibilitySetup.apply("community");
      Response r = call.apply(caller.getValue(), id);
      int want = expected[i++];
      checks.add(() -> assertEquals(want, r.status(), caller.getKey() + ": " + r));
    }
    server.reset();
    String hidden = visibilitySetup.apply("private");
    Response r = call.apply(Api.as(server, "project-c", "member"), hidden);
    checks.add(() -> assertEquals(404, r.status(), "project that cannot see it: " + r));
    assertAll(checks);
  }

  private String taggedImage(String visibility) {
    return alice.create(new JsonObject().put("visibility", visibility).put("tags", new JsonArray().add("x")))
        .getString("id");
  }

  private String deactivatedImage(String visibility) {
    String id = activeImage(alice, visibility);
    assertEquals(204, action(alice, id, "deactivate").status());
    return id;
  }

  //                                                                      owner reader other admin

  @Test
  @DisplayName("matrix PUT tag: owner, reader, admin 204; other project 403; unseen 404")
  void matrixAddTag() {
    matrix(this::taggedImage, (api, id) -> putTag(api, id, "y"), 204, 204, 403, 204);
  }

  @Test
  @DisplayName("matrix DELETE tag: owner, reader, admin 204; other project 403; unseen 404")
  void matrixRemoveTag() {
    matrix(this::taggedImage, (api, id) -> api.delete(tag(id, "x")), 204, 204, 403, 204);
  }

  @Test
  @DisplayName("matrix deactivate: owner, reader, admin 204; other project 403; unseen 404")
  void matrixDeactivate() {
    matrix(v -> activeImage(alice, v), (api, id) -> action(api, id, "deactivate"), 204, 204, 403, 204);
  }

  @Test
  @DisplayName("matrix reactivate: owner, reader, admin 204; other project 403; unseen 404")
  void matrixReactivate() {
    matrix(this::deactivatedImage, (api, id) -> action(api, id, "reactivate"), 204, 204, 403, 204);
  }

  @Test
  @DisplayName("matrix on a shared image: its member is another project that sees it, and gets 403s")
  void matrixSharedMember() {
    String id = activeImage(alice, "shared");
    MemberRows.insert(id, "project-b");
    assertEquals(200, bob.get("/v2/images/" + id).status());
    assertError(403, "Not allowed to update tags for image " + id + ".", putTag(bob, id, "y"));
    assertEquals(403, action(bob, id, "deactivate").status());
    assertEquals(204, action(alice, id, "deactivate").status());
    assertEquals(403, action(bob, id, "reactivate").status());
    assertEquals("deactivated", status(alice, id));
  }
}
