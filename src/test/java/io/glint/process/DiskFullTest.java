package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.glint.testing.GlintProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: Glint runs in a private mount namespace ({@code unshare}) in which its file store is a
 * 4 MiB tmpfs. An upload larger than that must end in Glance's 413 for a full store, leave the image queued and
 * leave no partial data behind (a smaller upload then fits), with writes through the page cache and with O_DIRECT
 * (tmpfs takes O_DIRECT since Linux 6.6; before, Glint writes through the page cache there).
 */
@DisplayName("Disk full: 413, image queued, no partial data")
class DiskFullTest {
  private static final String MOUNT_TINY_STORE =
      "mkdir -p \"$0\" && mount -t tmpfs -o size=4m glint-test \"$0\" && exec \"$@\"";
  /** ramfs: no O_DIRECT (open fails with EINVAL). */
  private static final String MOUNT_RAMFS_STORE =
      "mkdir -p \"$0\" && mount -t ramfs glint-test \"$0\" && exec \"$@\"";

  @TempDir
  Path dataDir;

  /** Whether this machine lets us mount a tmpfs in a private mount namespace. */
  private static boolean canMountPrivately() throws Exception {
    Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
        "mount -t tmpfs -o size=1m probe /tmp").redirectErrorStream(true).start();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  /**
   * The launcher that runs Glint in a private mount namespace with its file store mounted by {@code mount} (a
   * script of {@code sh -c}); the test is skipped, saying so, where such namespaces are not permitted.
   */
  private List<String> storeMountedBy(String mount, String test) throws Exception {
    Assumptions.assumeTrue(canMountPrivately(),
        "unshare --user --mount is not permitted here: " + test + " cannot run");
    return List.of("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount,
        dataDir.resolve("images").toString());
  }

  @ParameterizedTest(name = "filesystem_store_direct_io = {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("an upload that fills the store gets 413; the space is freed and the image can be uploaded again")
  void uploadIntoFullStore(boolean directIo) throws Exception {
    List<String> launcher = storeMountedBy(MOUNT_TINY_STORE, "the disk-full test");
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"),
        List.of("--glance_store.filesystem_store_direct_io=" + directIo), launcher)) {
      Api api = Api.as(glint.base(), "project-full", "member");
      String id = api.create(new JsonObject().put("name", "too big").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      Api.Response full = api.upload(id, Bytes.random(8_000_000, 31));
      assertEquals(413, full.status(), full.body());
      assertTrue(full.body().contains("Image storage media is full"), full.body());
      JsonObject image = api.get("/v2/images/" + id).json();
      assertEquals("queued", image.getString("status"));
      assertNull(image.getValue("size"));
      assertNull(image.getValue("checksum"));
      // The partial file is gone: 3 MB fit into the 4 MiB store again, into the same image.
      byte[] fits = Bytes.random(3_000_000, 32);
      assertEquals(204, api.upload(id, fits).status());
      JsonObject active = api.get("/v2/images/" + id).json();
      assertEquals("active", active.getString("status"));
      assertEquals(Bytes.md5(fits), active.getString("checksum"));
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName("filesystem_store_direct_io on a filesystem without O_DIRECT (ramfs): uploads go through the page cache, with a warning")
  void directIoRefusedByTheFilesystem() throws Exception {
    List<String> launcher = storeMountedBy(MOUNT_RAMFS_STORE, "the O_DIRECT fall-back test");
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"),
        List.of("--glance_store.filesystem_store_direct_io=true"), launcher)) {
      Api api = Api.as(glint.base(), "project-ramfs", "member");
      for (int i = 0; i < 2; i++) { // the second upload no longer tries O_DIRECT
        byte[] data = Bytes.random(1_000_003 + i, 50 + i);
        String id = api.createRaw("ramfs-" + i);
        assertEquals(204, api.upload(id, data).status());
        api.assertActiveWith(id, data);
        assertTrue(java.util.Arrays.equals(data, api.download(id, java.util.Map.of()).body()));
      }
      String log = glint.log();
      assertTrue(log.contains("does not take O_DIRECT"), log);
      assertEquals(1, log.split("does not take O_DIRECT", -1).length - 1, "one warning, not one per upload");
    }
  }
}
