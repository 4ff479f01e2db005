package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.glint.testing.GlintProcess;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Crash safety: kill -9 mid-upload, then restart")
class CrashRecoveryTest {

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("after kill -9 mid-upload the image is queued again, partial data is gone, committed images survive")
  void killDuringUpload() throws Exception {
    byte[] committed = Bytes.random(2_000_000, 11);
    String committedId;
    String cutId;
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"), List.of())) {
      Api api = Api.as(glint.base(), "project-crash", "member");
      committedId = create(api);
      assertEquals(204, api.upload(committedId, committed).status());
      cutId = create(api);
      RawHttp raw = new RawHttp(glint.port());
      raw.startUpload(cutId, "project-crash", 20_000_000).write(Bytes.random(5_000_000, 12));
      long deadline = System.currentTimeMillis() + 20_000;
      while (!"saving".equals(TestServer.executeString("SELECT status FROM images WHERE id = $1", cutId))
          || incoming().isEmpty()) {
        assertTrue(System.currentTimeMillis() < deadline, "upload did not start");
        Thread.sleep(20);
      }
      glint.kill();
      raw.close();
    }
    // The crash left the image in saving and a partial file behind.
    assertEquals("saving", TestServer.executeString("SELECT status FROM images WHERE id = $1", cutId));
    assertFalse(incoming().isEmpty(), "partial upload file expected after the crash");

    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"), List.of())) {
      Api api = Api.as(glint.base(), "project-crash", "member");
      JsonObject cut = api.get("/v2/images/" + cutId).json();
      assertEquals("queued", cut.getString("status"));
      assertNull(cut.getValue("size"));
      assertNull(cut.getValue("checksum"));
      assertEquals(List.of(), incoming());
      assertFalse(Files.exists(dataDir.resolve("images").resolve(cutId)));
      assertTrue(glint.log().contains("Recovered 1 image(s) left in 'saving'"), glint.log());
      JsonObject kept = api.get("/v2/images/" + committedId).json();
      assertEquals("active", kept.getString("status"));
      assertEquals(Bytes.md5(committed), kept.getString("checksum"));
      assertArrayEquals(committed, api.download(committedId, Map.of()).body());
      // The recovered image accepts a new upload.
      byte[] again = Bytes.random(1000, 13);
      assertEquals(204, api.upload(cutId, again).status());
      assertArrayEquals(again, api.download(cutId, Map.of()).body());
    }
  }

  private String create(Api api) {
    return api.create(new JsonObject().put("name", "crash").put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  private List<Path> incoming() throws Exception {
    Path dir = dataDir.resolve("images").resolve(".incoming");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
