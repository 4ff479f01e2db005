package io.glint.imports;

import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.format.QemuImg;
import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import plugins with real qemu-img: no_op, inject_image_metadata, image_decompression and image_conversion
 * (qcow2 → raw of images built by {@code qemu-img create} here), and the refusals of OSSA-2024-001.
 */
@DisplayName("Import plugins: inject, decompress, convert with qemu-img")
class ImportPluginsTest extends ImportTestBase {
  private static byte[] qcow2;
  private static byte[] backed;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Path base = QemuImg.create(dir.resolve("base.qcow2"), "qcow2", "8M");
    // Some data in it, so that the conversion has something to carry.
    Path raw = dir.resolve("seed.raw");
    Files.write(raw, Bytes.random(1024 * 1024, 71));
    QemuImg.run(List.of("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(),
        dir.resolve("data.qcow2").toString()));
    QemuImg.run(List.of("qemu-img", "resize", "-q", "-f", "qcow2", dir.resolve("data.qcow2").toString(), "8M"));
    qcow2 = Files.readAllBytes(dir.resolve("data.qcow2"));
    backed = qcow2BackedBy(base);
    startServer(Map.of(
        "image_import_opts.image_import_plugins", "[no_op, inject_image_metadata, image_decompression, image_conversion]",
        "inject_metadata_properties.inject", "hw_injected:yes,os_glance_sneaky:no",
        "image_conversion.output_format", "raw"));
  }

  @Test
  @DisplayName("glance-direct of a qcow2: converted to raw, virtual_size from qemu-img, metadata injected")
  void convertQcow2ToRaw() throws Exception {
    String id = create(alice, "qcow2");
    assertEquals(204, stage(alice, id, qcow2).status());
    assertEquals(202, importImage(alice, id, method("glance-direct")).status());
    JsonObject task = awaitTask(alice, id);
    assertEquals("success", task.getString("status"), task.encode());
    JsonObject image = image(alice, id);
    assertEquals("raw", image.getString("disk_format"));
    assertEquals("bare", image.getString("container_format"));
    assertEquals(8L << 20, image.getLong("virtual_size"));
    assertEquals(8L << 20, image.getLong("size"));
    assertEquals("yes", image.getString("hw_injected"));
    assertFalse(image.containsKey("os_glance_sneaky"));
    byte[] data = alice.download(id, Map.of()).body();
    assertEquals(8 << 20, data.length);
    byte[] seed = Bytes.random(1024 * 1024, 71);
    assertArrayEquals(seed, java.util.Arrays.copyOf(data, seed.length));
    assertEquals(List.of(), files(server.server().staging().directory()));
  }

  @Test
  @DisplayName("web-download of a gzip'd qcow2: decompressed, converted; a zip with two files fails the task")
  void decompressThenConvert() throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(qcow2);
    }
    origin.file("/image.qcow2.gz", gz.toByteArray());
    String id = create(alice, "qcow2");
    assertEquals(202, importImage(alice, id, webDownload(origin.url("/image.qcow2.gz"))).status());
    assertEquals("success", awaitTask(alice, id).getString("status"));
    JsonObject image = image(alice, id);
    assertEquals("raw", image.getString("disk_format"));
    assertEquals(8L << 20, image.getLong("size"));

    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      for (String name : List.of("a", "b")) {
        out.putNextEntry(new ZipEntry(name));
        out.write(qcow2, 0, 1000);
        out.closeEntry();
      }
    }
    origin.file("/two.zip", zip.toByteArray());
    String bad = create(alice, "qcow2");
    assertEquals(202, importImage(alice, bad, webDownload(origin.url("/two.zip"))).status());
    JsonObject task = awaitTask(alice, bad);
    assertEquals("failure", task.getString("status"));
    assertEquals("Archive contains more than one file.", task.getString("message"));
    assertEquals("queued", image(alice, bad).getString("status"));
    assertEquals(List.of(), files(server.server().staging().directory()));
  }

  @Test
  @DisplayName("a qcow2 with a backing file, or data that is not the format it claims, is refused before qemu-img")
  void refusals() throws Exception {
    String backing = create(alice, "qcow2");
    assertEquals(204, stage(alice, backing, backed).status());
    assertEquals(202, importImage(alice, backing, method("glance-direct")).status());
    JsonObject task = awaitTask(alice, backing);
    assertEquals("failure", task.getString("status"));
    assertEquals("Image has disallowed configuration", task.getString("message"));
    assertEquals("queued", image(alice, backing).getString("status"));

    String mismatch = create(alice, "qcow2");
    assertEquals(204, stage(alice, mismatch, Bytes.random(100_000, 72)).status());
    assertEquals(202, importImage(alice, mismatch, method("glance-direct")).status());
    assertEquals("Image format mismatch", awaitTask(alice, mismatch).getString("message"));
    assertEquals(List.of(), files(server.server().staging().directory()));
    assertTrue(files(server.imageDirectory()).isEmpty());
  }

  @Test
  @DisplayName("an admin (ignore_user_roles) gets nothing injected")
  void adminNotInjected() throws Exception {
    Api admin = Api.as(server, "project-a", "admin,member");
    String id = create(admin, "raw");
    assertEquals(204, stage(admin, id, Bytes.random(5000, 73)).status());
    assertEquals(202, importImage(admin, id, method("glance-direct")).status());
    assertEquals("success", awaitTask(admin, id).getString("status"));
    assertFalse(image(admin, id).containsKey("hw_injected"));
  }
}
