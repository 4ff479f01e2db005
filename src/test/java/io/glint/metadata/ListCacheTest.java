package io.glint.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The list cache ({@code image_list_cache_size}): a list asked again is answered from the node's cache, yet it
 * never shows what a change made before the request removed: writes through the node show at once, changes
 * through another node or straight in the database within a second (the database's announcements, not the
 * cache's 2-s time-to-live), and callers never see each other's pages.
 */
@DisplayName("List pages cached per node: dropped by any image or member change, never shared between callers")
class ListCacheTest {
  private static final long WITHIN_MS = 1_000;
  private static TestServer nodeA;
  private static TestServer nodeB;

  @BeforeAll
  static void start() {
    assertTrue(io.glint.image.ListCache.TTL.toMillis() >= 2 * WITHIN_MS, "the TTL alone could explain the test");
    nodeA = TestServer.start(Map.of());
    nodeB = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
  }

  private static JsonArray replace(String path, Object value) {
    return new JsonArray().add(new JsonObject().put("op", "replace").put("path", path).put("value", value));
  }

  private static List<String> names(Api api, String path) {
    Api.Response r = api.get(path);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("images").stream().map(o -> ((JsonObject) o).getString("name")).toList();
  }

  @Test
  @DisplayName("create, rename, tag and delete through the node show in its next list at once")
  void writesThroughTheNodeShowAtOnce() {
    Api api = Api.as(nodeA, "lc-local", "member");
    String path = "/v2/images?sort_key=name&sort_dir=asc&limit=10";
    assertEquals(List.of(), names(api, path));
    assertEquals(List.of(), names(api, path)); // answered again: now from the cache
    String id = api.create(new JsonObject().put("name", "b-one")).getString("id");
    assertEquals(List.of("b-one"), names(api, path));
    api.create(new JsonObject().put("name", "a-two"));
    assertEquals(List.of("a-two", "b-one"), names(api, path));
    assertEquals(200, api.patch("/v2/images/" + id, replace("/name", "c-renamed")).status());
    assertEquals(List.of("a-two", "c-renamed"), names(api, path));
    assertEquals(204, api.send("PUT", "/v2/images/" + id + "/tags/fresh", "", null).status());
    assertEquals(List.of("c-renamed"), names(api, "/v2/images?tag=fresh"));
    assertEquals(204, api.delete("/v2/images/" + id).status());
    assertEquals(List.of("a-two"), names(api, path));
    assertEquals(List.of(), names(api, "/v2/images?tag=fresh"));
  }

  @Test
  @DisplayName("sharing, accepting and unsharing change the member's list at once")
  void memberChangesShowAtOnce() {
    Api owner = Api.as(nodeA, "lc-owner", "member");
    Api member = Api.as(nodeA, "lc-member", "member");
    String id = owner.create(new JsonObject().put("name", "shared-one").put("visibility", "shared")).getString("id");
    String pending = "/v2/images?visibility=shared&member_status=pending";
    String accepted = "/v2/images?visibility=shared";
    assertEquals(List.of(), names(member, pending));
    assertEquals(List.of(), names(member, accepted));
    assertEquals(200, owner.post("/v2/images/" + id + "/members", new JsonObject().put("member", "lc-member")).status());
    assertEquals(List.of("shared-one"), names(member, pending));
    assertEquals(List.of(), names(member, accepted));
    assertEquals(200, member.send("PUT", "/v2/images/" + id + "/members/lc-member",
        new JsonObject().put("status", "accepted").encode(), "application/json").status());
    assertEquals(List.of(), names(member, pending));
    assertEquals(List.of("shared-one"), names(member, accepted));
    assertEquals(204, owner.delete("/v2/images/" + id + "/members/lc-member").status());
    assertEquals(List.of(), names(member, accepted));
  }

  @Test
  @DisplayName("changes through another node, or straight in the database, show within a second")
  void changesElsewhereShowWithinASecond() throws InterruptedException {
    Api a = Api.as(nodeA, "lc-nodes", "member");
    Api b = Api.as(nodeB, "lc-nodes", "member");
    Api other = Api.as(nodeB, "lc-nodes-member", "member");
    String path = "/v2/images?sort_key=name&sort_dir=asc";
    assertEquals(List.of(), names(b, path)); // cached on B
    String id = a.create(new JsonObject().put("name", "made-on-a").put("visibility", "shared")).getString("id");
    Await.until(() -> names(b, path).equals(List.of("made-on-a")), Duration.ofMillis(WITHIN_MS),
        "a create through node A did not show in node B's list");
    String shared = "/v2/images?visibility=shared&member_status=all";
    assertEquals(List.of(), names(other, shared)); // cached on B
    assertEquals(200, a.post("/v2/images/" + id + "/members", new JsonObject().put("member", "lc-nodes-member")).status());
    Await.until(() -> names(other, shared).equals(List.of("made-on-a")), Duration.ofMillis(WITHIN_MS),
        "a member added through node A did not show in node B's list");
    assertEquals(1, TestServer.execute("DELETE FROM image_members WHERE image_id = $1", id));
    Await.until(() -> names(other, shared).isEmpty(), Duration.ofMillis(WITHIN_MS),
        "a member removed in the database did not show in node B's list");
    assertEquals(1, TestServer.execute("UPDATE images SET name = 'renamed-in-sql' WHERE id = $1", id));
    Await.until(() -> names(b, path).equals(List.of("renamed-in-sql")), Duration.ofMillis(WITHIN_MS),
        "a rename in the database did not show in node B's list");
  }

  /**
   * A change the database does not announce (its trigger disabled) is not seen until the page expires: the
   * page really is answered from the cache, and {@link io.glint.image.ListCache#TTL} bounds its staleness.
   */
  @Test
  @DisplayName("a page is answered from the cache; an unannounced change shows once the page expires")
  void pagesAreAnsweredFromTheCache() throws InterruptedException {
    Api api = Api.as(nodeB, "lc-quiet", "member");
    String id = api.create(new JsonObject().put("name", "quiet-one")).getString("id");
    String path = "/v2/images?name=quiet-one";
    assertEquals(List.of("quiet-one"), names(api, path));
    Thread.sleep(300); // the create's announcements have arrived: the next read is cached
    assertEquals(List.of("quiet-one"), names(api, path));
    TestServer.execute("ALTER TABLE images DISABLE TRIGGER images_changed");
    try {
      assertEquals(1, TestServer.executeUnannounced("UPDATE images SET name = 'quiet-two' WHERE id = $1", id));
    } finally {
      TestServer.execute("ALTER TABLE images ENABLE TRIGGER images_changed");
    }
    assertEquals(List.of("quiet-one"), names(api, path), "answered from the cache, without the database");
    Await.until(() -> names(api, path).isEmpty(), Duration.ofSeconds(10), "the page never expired");
  }

  @Test
  @DisplayName("callers never get each other's pages: other projects, other roles")
  void callersDoNotShare() {
    Api x = Api.as(nodeA, "lc-x", "member");
    Api y = Api.as(nodeA, "lc-y", "member");
    Api xReader = Api.as(nodeA, "lc-x", "reader");
    Api admin = Api.as(nodeA, "lc-y", "admin");
    x.create(new JsonObject().put("name", "x-private").put("visibility", "private"));
    String path = "/v2/images?name=x-private";
    assertEquals(List.of("x-private"), names(x, path));
    assertEquals(List.of(), names(y, path));
    assertEquals(List.of("x-private"), names(xReader, path));
    assertEquals(List.of("x-private"), names(admin, path)); // admins list every project's images
    assertEquals(List.of(), names(y, path));
    assertFalse(names(x, path + "&limit=1").isEmpty());
  }
}
