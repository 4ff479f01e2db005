package io.glint.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream format inspector on images made by qemu-img, fed in chunks of awkward sizes. */
@DisplayName("Format inspector: formats, virtual sizes and safety from streamed bytes")
class FormatInspectorTest {
  @TempDir
  Path dir;

  private static FormatInspector.Result inspect(byte[] data, int chunk) {
    FormatInspector inspector = new FormatInspector();
    for (int at = 0; at < data.length; at += chunk) {
      inspector.feed(data, at, Math.min(chunk, data.length - at));
    }
    return inspector.result();
  }

  private static FormatInspector.Result inspectAll(byte[] data, String expectedFormat) {
    FormatInspector.Result first = null;
    for (int chunk : List.of(1, 7, 511, 4099, 65_536, 262_144, Math.max(1, data.length))) {
      if (chunk == 1 && data.length > 2_000_000) {
        continue;
      }
      FormatInspector.Result r = inspect(data, chunk);
      assertEquals(expectedFormat, r.format(), "chunks of " + chunk);
      if (first != null) {
        assertEquals(first, r, "chunks of " + chunk);
      }
      first = r;
    }
    return first;
  }

  @Test
  @DisplayName("qcow2: virtual size from the header; backing file and external data file are unsafe")
  void qcow2() throws Exception {
    Path plain = QemuImg.create(dir.resolve("a.qcow2"), "qcow2", "64M");
    FormatInspector.Result r = inspectAll(Files.readAllBytes(plain), "qcow2");
    assertEquals(64L << 20, r.virtualSize());
    assertNull(r.unsafeReason());
    assertEquals(64L << 20, FormatCheck.verdict("qcow2", "bare", r));

    Path backed = QemuImg.create(dir.resolve("b.qcow2"), "qcow2", null, "-b", plain.toString(), "-F", "qcow2");
    FormatInspector.Result b = inspectAll(Files.readAllBytes(backed), "qcow2");
    assertEquals("QCOW2 image has a backing file", b.unsafeReason());
    assertEquals("Image failed safety checks",
        assertThrows(FormatCheck.Refused.class, () -> FormatCheck.verdict("qcow2", "bare", b)).getMessage());
    // Claimed raw, it is still refused: the safety check runs on what the data is.
    assertThrows(FormatCheck.Refused.class, () -> FormatCheck.verdict("raw", "bare", b));

    Path external = QemuImg.create(dir.resolve("c.qcow2"), "qcow2", "16M", "-o",
        "data_file=" + dir.resolve("data.raw"));
    assertEquals("QCOW2 image has an external data file",
        inspectAll(Files.readAllBytes(external), "qcow2").unsafeReason());
  }

  @Test
  @DisplayName("vhd, vhdx, vdi, vmdk (monolithicSparse) are recognised with their virtual sizes")
  void otherFormats() throws Exception {
    byte[] vhd = Files.readAllBytes(QemuImg.create(dir.resolve("v.vhd"), "vpc", "32M"));
    assertEquals(ByteBuffer.wrap(vhd, 40, 8).getLong(), inspectAll(vhd, "vhd").virtualSize());
    assertEquals(32L << 20, inspectAll(Files.readAllBytes(QemuImg.create(dir.resolve("v.vhdx"), "vhdx", "32M")),
        "vhdx").virtualSize());
    assertEquals(32L << 20, inspectAll(Files.readAllBytes(QemuImg.create(dir.resolve("v.vdi"), "vdi", "32M")),
        "vdi").virtualSize());
    FormatInspector.Result vmdk = inspectAll(Files.readAllBytes(QemuImg.create(dir.resolve("v.vmdk"), "vmdk",
        "32M")), "vmdk");
    assertEquals(32L << 20, vmdk.virtualSize());
    assertNull(vmdk.unsafeReason());
  }

  @Test
  @DisplayName("a VMDK descriptor naming a path is unsafe; a hand-made ISO 9660 header gives its size")
  void vmdkPathAndIso() throws Exception {
    byte[] vmdk = Files.readAllBytes(QemuImg.create(dir.resolve("p.vmdk"), "vmdk", "1M"));
    String text = new String(vmdk, 512, 1024, java.nio.charset.StandardCharsets.ISO_8859_1);
    int extent = text.indexOf("RW ");
    assertTrue(extent > 0, text);
    byte[] evil = "RW 2048 FLAT \"/etc/shadow\" 0\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(evil, 0, vmdk, 512 + extent, evil.length);
    assertNotNull(inspect(vmdk, 4096).unsafeReason());

    byte[] iso = new byte[64 * 1024];
    iso[0x8000] = 1;
    System.arraycopy("CD001".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, iso, 0x8001, 5);
    ByteBuffer pvd = ByteBuffer.wrap(iso).order(ByteOrder.LITTLE_ENDIAN);
    pvd.putInt(0x8000 + 80, 1000);
    pvd.putShort(0x8000 + 128, (short) 2048);
    assertEquals(2_048_000L, inspectAll(iso, "iso").virtualSize());
  }

  @Test
  @DisplayName("Glance's verdicts: mismatch refused, raw may hold anything, ami is not inspected, non-bare skipped")
  void verdicts() throws Exception {
    byte[] random = new byte[100_000];
    new java.util.Random(1).nextBytes(random);
    FormatInspector.Result raw = inspect(random, 4096);
    assertEquals("raw", raw.format());
    assertEquals(100_000L, FormatCheck.verdict("raw", "bare", raw));
    assertEquals("Image disk_format qcow2 does not match stream data raw",
        assertThrows(FormatCheck.Refused.class, () -> FormatCheck.verdict("qcow2", "bare", raw)).getMessage());
    assertNull(FormatCheck.verdict("ami", "bare", raw));
    assertNull(FormatCheck.verdict("qcow2", "ovf", raw));
    FormatInspector.Result qcow = inspect(Files.readAllBytes(QemuImg.create(dir.resolve("q.qcow2"), "qcow2",
        "8M")), 1000);
    assertThrows(FormatCheck.Refused.class, () -> FormatCheck.verdict("vmdk", "bare", qcow));
    assertEquals(qcow.actualSize(), FormatCheck.verdict("raw", "bare", qcow));
  }
}
