package io.glint.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two Glint nodes on one database, each caching image rows for {@link CachingImageRepository#TTL}: a change
 * made through one node, or straight in the database, must show on the other well within that time-to-live,
 * which only the database's change notifications can explain.
 */
@DisplayName("Image caches of several nodes are invalidated by database notifications")
class CrossNodeCacheTest extends ApiTestBase {
  private static final long WITHIN_MS = 1_000;
  private static TestServer nodeA;
  private static TestServer nodeB;

  @BeforeAll
  static void startNodes() {
    assertTrue(CachingImageRepository.TTL.toMillis() >= 2 * WITHIN_MS, "the TTL alone could explain the test");
    nodeA = TestServer.start(Map.of());
    nodeB = TestServer.start(Map.of());
  }

  @AfterAll
  static void stopNodes() {
    nodeA.close();
    nodeB.close();
  }

  /** Polls until {@code check} holds; fails after {@link #WITHIN_MS}. */
  private static void within(String what, BooleanSupplier check) throws InterruptedException {
    Await.until(check, Duration.ofMillis(WITHIN_MS), what + " did not show on the other node");
  }

  private static JsonArray replace(String path, Object value) {
    return new JsonArray().add(new JsonObject().put("op", "replace").put("path", path).put("value", value));
  }

  @Test
  @DisplayName("an update and a delete through node A are seen through node B at once")
  void changesThroughAnotherNode() throws InterruptedException {
    Api a = Api.as(nodeA, "project-a", "member");
    Api b = Api.as(nodeB, "project-a", "member");
    String id = a.create(new JsonObject().put("name", "one")).getString("id");
    assertEquals("one", b.get("/v2/images/" + id).json().getString("name")); // node B caches the row
    assertEquals(200, a.patch("/v2/images/" + id, replace("/name", "two")).status());
    within("the new name", () -> "two".equals(b.get("/v2/images/" + id).json().getString("name")));

    assertEquals(200, b.get("/v2/images/" + id).status()); // cached again on B
    assertEquals(204, a.delete("/v2/images/" + id).status());
    within("the deletion", () -> b.get("/v2/images/" + id).status() == 404);
  }

  @Test
  @DisplayName("a node whose listening connection is killed reconnects and sees changes at once again")
  void listenerReconnects() throws InterruptedException {
    Api a = Api.as(nodeA, "project-a", "member");
    Api b = Api.as(nodeB, "project-a", "member");
    String id = a.create(new JsonObject().put("name", "first")).getString("id");
    String beforeKill = TestServer.executeString("SELECT clock_timestamp()::text");
    int killed = Integer.parseInt(TestServer.executeString(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"));
    assertTrue(killed >= 2, "expected the listening connections of both nodes (and the shared server), got " + killed);
    // The listeners reconnect within about a second (until then the TTL bounds staleness). A new connection that
    // has finished its LISTEN (idle again) gets every notification from then on.
    Await.until(() -> Integer.parseInt(TestServer.executeString("SELECT count(*) FROM pg_stat_activity"
            + " WHERE query LIKE 'LISTEN%' AND state = 'idle' AND backend_start > $1::text::timestamptz",
            beforeKill)) >= killed,
        Duration.ofSeconds(10), "the " + killed + " listening connections back");
    assertEquals("first", b.get("/v2/images/" + id).json().getString("name")); // cached again on node B
    assertEquals(1, TestServer.execute("UPDATE images SET name = 'second' WHERE id = $1", id));
    within("the change after the reconnection",
        () -> "second".equals(b.get("/v2/images/" + id).json().getString("name")));
  }

  @Test
  @DisplayName("a change made straight in the database (an operator's SQL) is seen by every node at once")
  void changesInTheDatabase() throws InterruptedException {
    Api a = Api.as(nodeA, "project-a", "member");
    Api b = Api.as(nodeB, "project-a", "member");
    String id = a.create(new JsonObject().put("name", "before")).getString("id");
    assertEquals("before", a.get("/v2/images/" + id).json().getString("name"));
    assertEquals("before", b.get("/v2/images/" + id).json().getString("name"));
    assertEquals(1, TestServer.execute("UPDATE images SET name = 'after' WHERE id = $1", id));
    within("the SQL change on node A", () -> "after".equals(a.get("/v2/images/" + id).json().getString("name")));
    within("the SQL change on node B", () -> "after".equals(b.get("/v2/images/" + id).json().getString("name")));
  }
}
