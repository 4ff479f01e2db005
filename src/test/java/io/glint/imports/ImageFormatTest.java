package io.glint.imports;

import static io.glint.imports.ImportTest.assertError;
import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.format.QemuImg;
import io.glint.testing.Bytes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format inspection on every way in, over HTTP, with images made by qemu-img: virtual_size of a qcow2 on upload,
 * staging and import; data that is not the disk_format it claims, or a qcow2 with a backing file, refused.
 */
@DisplayName("Format inspection on upload, stage and import")
class ImageFormatTest extends ImportTestBase {
  private static byte[] qcow2;
  private static byte[] backed;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Path base = QemuImg.create(dir.resolve("base.qcow2"), "qcow2", "64M");
    qcow2 = Files.readAllBytes(base);
    backed = qcow2BackedBy(base);
    startServer(Map.of());
  }

  @Test
  @DisplayName("upload: a qcow2 gets its virtual_size; a mismatch or a backing file is a 415 and the image stays queued")
  void upload() {
    String id = create(alice, "qcow2");
    assertEquals(204, alice.upload(id, qcow2).status());
    JsonObject image = image(alice, id);
    assertEquals(64L << 20, image.getLong("virtual_size"));
    assertEquals(qcow2.length, image.getLong("size"));

    String claimsVmdk = create(alice, "vmdk");
    assertError(415, "Image disk_format vmdk does not match stream data qcow2", alice.upload(claimsVmdk, qcow2));
    assertEquals("queued", image(alice, claimsVmdk).getString("status"));
    String claimsQcow = create(alice, "qcow2");
    assertError(415, "Image disk_format qcow2 does not match stream data raw",
        alice.upload(claimsQcow, Bytes.random(100_000, 41)));
    String backing = create(alice, "qcow2");
    assertError(415, "Image failed safety checks", alice.upload(backing, backed));
    assertEquals("queued", image(alice, backing).getString("status"));
    assertNull(image(alice, backing).getValue("size"));
  }

  @Test
  @DisplayName("stage refuses a qcow2 with a backing file at once; glance-direct of a qcow2 records its virtual_size")
  void stageAndImport() throws Exception {
    String backing = create(alice, "qcow2");
    assertError(415, "Image failed safety checks", stage(alice, backing, backed));
    assertEquals("queued", image(alice, backing).getString("status"));
    assertEquals(List.of(), files(server.server().staging().directory()));

    String id = create(alice, "qcow2");
    assertEquals(204, stage(alice, id, qcow2).status());
    assertEquals(202, importImage(alice, id, method("glance-direct")).status());
    assertEquals("success", awaitTask(alice, id).getString("status"));
    assertEquals(64L << 20, image(alice, id).getLong("virtual_size"));
  }

  @Test
  @DisplayName("web-download of data that is not the disk_format it claims fails its task; the image is queued again")
  void webDownloadMismatch() throws Exception {
    origin.file("/backed.qcow2", backed);
    String id = create(alice, "qcow2");
    assertEquals(202, importImage(alice, id, webDownload(origin.url("/backed.qcow2"))).status());
    JsonObject task = awaitTask(alice, id);
    assertEquals("failure", task.getString("status"));
    assertEquals("Image failed safety checks", task.getString("message"));
    assertEquals("queued", image(alice, id).getString("status"));
    assertTrue(files(server.imageDirectory()).isEmpty());
  }
}
