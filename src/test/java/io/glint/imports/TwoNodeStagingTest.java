package io.glint.imports;

import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one database with a shared staging directory ({@code node_staging_uri} on shared storage): data
 * staged through one node is imported, or deleted, through the other.
 */
@DisplayName("Two nodes sharing the staging area")
class TwoNodeStagingTest {
  @TempDir
  Path shared;

  @Test
  @DisplayName("staged on node A, imported through node B; staged on A, deleted through B: no staged data left")
  void stageOnOneImportOnOther() throws Exception {
    String uri = "file://" + shared.toAbsolutePath();
    try (TestServer a = TestServer.start(Map.of("node_staging_uri", uri,
            "worker_self_reference_url", "http://node-a.example:9292"));
        TestServer b = TestServer.start(Map.of("node_staging_uri", uri))) {
      a.reset();
      Api onA = Api.as(a, "project-a", "member");
      Api onB = Api.as(b, "project-a", "member");
      byte[] data = Bytes.random(2 * 1024 * 1024 + 1, 61);
      String id = create(onA, "raw");
      assertEquals(204, stage(onA, id, data).status());
      assertEquals("http://node-a.example:9292", TestServer.executeString(
          "SELECT properties->>'os_glance_stage_host' FROM images WHERE id = $1", id));
      assertFalse(image(onB, id).containsKey("os_glance_stage_host"), "hidden from image views");
      assertEquals(202, importImage(onB, id, method("glance-direct")).status());
      assertEquals("success", awaitTask(onB, id).getString("status"));
      assertArrayEquals(data, onB.download(id, Map.of()).body()); // the file store itself is per node
      assertFalse(Files.exists(shared.resolve(id)));

      String other = create(onA, "raw");
      assertEquals(204, stage(onA, other, data).status());
      assertTrue(Files.exists(shared.resolve(other)));
      assertEquals(204, onB.delete("/v2/images/" + other).status());
      assertFalse(Files.exists(shared.resolve(other)));
      assertEquals(0, files(shared).size());
      JsonObject none = onB.get("/v2/images/" + other).json();
      assertTrue(none.getString("message").contains(other));
    }
  }
}
