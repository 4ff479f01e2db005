package io.glint.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cache API of Glance 2.14: listing, queueing for the prefetcher, deleting, clearing; errors and policies. */
@DisplayName("Cache API: /v2/cache with its errors and policies")
class CacheApiTest extends ApiTestBase {
  private static final int SIZE = 1024 * 1024 + 17;
  private static CacheOrigin origin;
  private static TestServer glint;
  private static int paths;

  @BeforeAll
  static void start() throws Exception {
    origin = new CacheOrigin();
    glint = CacheTestSupport.start(CacheTestSupport.newCacheDir(), Map.of("cache_prefetcher_interval", "3600"));
  }

  @AfterAll
  static void stop() {
    glint.close();
    origin.close();
  }

  private static Api adminOf(TestServer s) {
    return Api.as(s, "project-admin", "admin,member");
  }

  private String remoteImage(byte[] data) {
    String path = "/api/" + (++paths) + ".raw";
    origin.put(path, new CacheOrigin.Plan(data, null, false));
    return CacheTestSupport.image(glint, origin.url(path), data.length);
  }

  @Test
  @DisplayName("without image_cache_dir: 404 'Caching via API is not supported at this site.' after the policy")
  void offSite() {
    for (String[] call : new String[][] {{"GET", "/v2/cache"}, {"DELETE", "/v2/cache"}}) {
      Api.Response r = admin.send(call[0], call[1], null, null);
      assertEquals(404, r.status(), r.body());
      assertTrue(r.body().contains("Caching via API is not supported at this site."), r.body());
      assertEquals(403, alice.send(call[0], call[1], null, null).status());
    }
    String id = alice.create(new JsonObject().put("name", "x")).getString("id");
    assertEquals(404, admin.send("PUT", "/v2/cache/" + id, null, null).status());
    JsonArray versions = Api.anonymous(server).get("/versions").json().getJsonArray("versions");
    assertFalse(versions.encode().contains("v2.14"), "2.14 is listed without a cache");
  }

  @Test
  @DisplayName("with a cache, /versions lists 2.14 to 2.16")
  void versions() {
    String listed = Api.anonymous(glint).get("/versions").json().getJsonArray("versions").encode();
    assertTrue(listed.contains("\"v2.14\"") && listed.contains("\"v2.16\""), listed);
  }

  @Test
  @DisplayName("the cache API is admin-only (cache_list, cache_image, cache_delete)")
  void policies() {
    Api member = Api.as(glint, "project-a", "member");
    String id = remoteImage(Bytes.random(SIZE, 1));
    assertEquals(403, member.get("/v2/cache").status());
    assertEquals(403, member.send("PUT", "/v2/cache/" + id, null, null).status());
    assertEquals(403, member.delete("/v2/cache/" + id).status());
    assertEquals(403, member.delete("/v2/cache").status());
    assertEquals(200, adminOf(glint).get("/v2/cache").status());
  }

  @Test
  @DisplayName("PUT queues an active image (202) and the prefetcher caches it; GET lists it with hits and times")
  void queueAndPrefetch() throws Exception {
    byte[] data = Bytes.random(SIZE, 2);
    String id = remoteImage(data);
    Api a = adminOf(glint);
    assertEquals(202, a.send("PUT", "/v2/cache/" + id, null, null).status());
    ImageCache cache = CacheTestSupport.cacheOf(glint);
    Await.until(() -> cache.isCached(id), Duration.ofSeconds(20), "the prefetcher to cache the image");
    Await.until(() -> !cache.isQueued(id), Duration.ofSeconds(5), "the image to leave the queue");
    Api.Response listed = a.get("/v2/cache");
    assertEquals(200, listed.status());
    JsonObject entry = find(listed.json().getJsonArray("cached_images"), id);
    assertEquals(SIZE, entry.getLong("size"));
    assertEquals(0L, entry.getLong("hits"));
    assertTrue(entry.getDouble("last_modified") > 1.6e9 && entry.getDouble("last_accessed") > 1.6e9, entry.encode());
    assertEquals(new JsonArray(), listed.json().getJsonArray("queued_images"));
    Api.BytesResponse down = Api.as(glint, "project-a", "member").download(id, Map.of());
    assertEquals(Bytes.md5(data), Bytes.md5(down.body()));
    assertEquals(1L, find(a.get("/v2/cache").json().getJsonArray("cached_images"), id).getLong("hits"));
    assertEquals(1, origin.gets("/api/" + paths + ".raw"));
    // the same entry through the legacy v1 door: served from the cache, and its reader released afterwards
    Api.Response v1 = Api.as(glint, "project-a", "member").send("GET", "/v1/images/" + id, null, null);
    assertEquals(200, v1.status());
    assertEquals(2L, find(a.get("/v2/cache").json().getJsonArray("cached_images"), id).getLong("hits"));
    assertEquals(1, origin.gets("/api/" + paths + ".raw"));
    // the cache's counters in the Prometheus scrape (admins only on the API port)
    Api.Response scrape = a.get("/metrics");
    assertEquals(200, scrape.status(), scrape.body());
    assertTrue(scrape.body().matches("(?s).*\\nglint_image_cache_hits_total [2-9][0-9.E]*\\n.*"), scrape.body());
    assertTrue(scrape.body().contains("glint_image_cache_fills_completed_total"), scrape.body());
    assertTrue(scrape.body().contains("glint_image_cache_entries"), scrape.body());
    // an entry that was read can still be deleted (no reader left pinned on it)
    assertEquals(204, a.send("DELETE", "/v2/cache/" + id, null, null).status());
    Await.until(() -> !cache.isCached(id), Duration.ofSeconds(5), "the entry to go");
  }

  private static JsonObject find(JsonArray list, String id) {
    for (Object o : list) {
      if (id.equals(((JsonObject) o).getString("image_id"))) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError(id + " not in " + list.encode());
  }

  @Test
  @DisplayName("PUT of an unknown image is a 404, of an image that is not active a 400")
  void queueErrors() {
    Api a = adminOf(glint);
    Api.Response unknown = a.send("PUT", "/v2/cache/" + java.util.UUID.randomUUID(), null, null);
    assertEquals(404, unknown.status());
    String queuedImage = a.create(new JsonObject().put("name", "empty")).getString("id");
    Api.Response notActive = a.send("PUT", "/v2/cache/" + queuedImage, null, null);
    assertEquals(400, notActive.status());
    assertTrue(notActive.body().contains("Only images with status active can be targeted for queueing"),
        notActive.body());
    assertEquals(405, a.send("POST", "/v2/cache", "{}", "application/json").status());
  }

  @Test
  @DisplayName("DELETE /v2/cache/{id} removes the entry (204), then 404 for an unknown image")
  void deleteOne() throws Exception {
    byte[] data = Bytes.random(SIZE, 3);
    String id = remoteImage(data);
    ImageCache cache = CacheTestSupport.cacheOf(glint);
    Api.as(glint, "project-a", "member").download(id, Map.of());
    Await.until(() -> cache.isCached(id), Duration.ofSeconds(10), "the entry");
    Api a = adminOf(glint);
    assertEquals(204, a.delete("/v2/cache/" + id).status());
    assertFalse(cache.isCached(id));
    assertEquals(404, a.delete("/v2/cache/" + java.util.UUID.randomUUID()).status());
  }

  @Test
  @DisplayName("DELETE /v2/cache clears the cache, the queue or both (x-image-cache-clear-target); other targets 400")
  void clear() throws Exception {
    ImageCache cache = CacheTestSupport.cacheOf(glint);
    String cached = remoteImage(Bytes.random(SIZE, 4));
    Api.as(glint, "project-a", "member").download(cached, Map.of());
    Await.until(() -> cache.isCached(cached), Duration.ofSeconds(10), "the entry");
    cache.queue("11111111-2222-3333-4444-555555555555").toCompletionStage().toCompletableFuture().get();
    Api a = adminOf(glint);
    Api.Response bad = a.with("x-image-cache-clear-target", "everything").delete("/v2/cache");
    assertEquals(400, bad.status());
    assertEquals(204, a.with("x-image-cache-clear-target", "queue").delete("/v2/cache").status());
    assertTrue(cache.isCached(cached));
    assertTrue(cache.queuedImages().isEmpty());
    cache.queue("11111111-2222-3333-4444-555555555555").toCompletionStage().toCompletableFuture().get();
    assertEquals(204, a.with("x-image-cache-clear-target", "cache").delete("/v2/cache").status());
    assertFalse(cache.isCached(cached));
    assertFalse(cache.queuedImages().isEmpty());
    assertEquals(204, a.delete("/v2/cache").status());
    assertTrue(cache.queuedImages().isEmpty());
  }
}
