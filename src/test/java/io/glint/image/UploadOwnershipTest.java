package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several Glint nodes on one database: a node starting up recovers only the interrupted uploads that are its own
 * (the kill -9 case is {@code CrashRecoveryTest}) or whose node stopped reporting, never an upload that another
 * live node is receiving.
 */
@DisplayName("Start-up recovery leaves other nodes' uploads alone")
class UploadOwnershipTest extends ApiTestBase {

  private static String queuedImage(Api api) {
    return api.create(new JsonObject().put("name", "owned").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
  }

  @Test
  @DisplayName("a node starting while another receives an upload does not cut it: the upload completes")
  void liveUploadOfAnotherNodeSurvives() throws Exception {
    byte[] data = Bytes.random(3_000_000, 5);
    String id = queuedImage(alice);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(id, "project-a", data.length).write(java.util.Arrays.copyOf(data, 1_000_000));
      long deadline = System.currentTimeMillis() + 10_000;
      while (!"saving".equals(alice.get("/v2/images/" + id).json().getString("status"))) {
        assertTrue(System.currentTimeMillis() < deadline, "the upload never reached saving");
        Thread.sleep(10);
      }
      TestServer other = TestServer.start(Map.of()); // its start-up recovery runs now
      try {
        assertEquals("saving", Api.as(other, "project-a", "member").get("/v2/images/" + id).json()
            .getString("status"), "another node's start-up recovery cut a live upload");
      } finally {
        other.close();
      }
      raw.write(java.util.Arrays.copyOfRange(data, 1_000_000, data.length));
      assertEquals(204, raw.head());
    }
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertEquals("active", image.getString("status"));
    assertEquals(Bytes.md5(data), image.getString("checksum"));
  }

  @Test
  @DisplayName("an upload whose node stopped reporting long ago is put back to queued by the next node to start")
  void uploadOfSilentNodeIsRecovered() {
    String id = queuedImage(alice);
    assertEquals(1, TestServer.execute("UPDATE images SET status = 'saving', upload_node = 'gone-node', "
        + "upload_seen = now() - interval '1 hour' WHERE id = $1", id));
    String fresh = queuedImage(alice);
    assertEquals(1, TestServer.execute("UPDATE images SET status = 'saving', upload_node = 'busy-node', "
        + "upload_seen = now() WHERE id = $1", fresh));
    TestServer other = TestServer.start(Map.of());
    try {
      assertEquals("queued", alice.get("/v2/images/" + id).json().getString("status"));
      assertEquals("saving", alice.get("/v2/images/" + fresh).json().getString("status"),
          "an upload whose node reported just now was recovered");
    } finally {
      other.close();
    }
  }

  @Test
  @DisplayName("a node keeps its id across restarts (data_dir/node-id), so it can recover its own uploads")
  void nodeIdIsKept() throws Exception {
    Path dataDir = Files.createTempDirectory("glint-node");
    TestServer first = TestServer.start(Map.of("data_dir", dataDir.toString()));
    first.close();
    String id = Files.readString(dataDir.resolve("node-id")).strip();
    assertTrue(id.length() >= 32, id);
    TestServer second = TestServer.start(Map.of("data_dir", dataDir.toString()));
    second.close();
    assertEquals(id, Files.readString(dataDir.resolve("node-id")).strip());
  }
}
