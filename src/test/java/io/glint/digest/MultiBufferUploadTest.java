package io.glint.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Uploads through the shared SIMD lanes ({@code multibuffer_digests = on}): concurrent uploads, more than there are
 * SHA-512 lanes, keep Glance's {@code checksum} and {@code os_hash_value}; failed uploads free their lanes.
 */
@DisplayName("multibuffer_digests = on: concurrent uploads hashed together")
class MultiBufferUploadTest {
  private static TestServer server;
  private static int warningsBefore;
  private static final ExecutorService CLIENTS = Executors.newFixedThreadPool(12);

  @BeforeAll
  static void start() {
    warningsBefore = BlockedThreadWatch.mark();
    server = TestServer.start(Map.of("multibuffer_digests", "on"));
  }

  @AfterAll
  static void stop() throws Exception {
    CLIENTS.shutdownNow();
    server.close();
    BlockedThreadWatch.assertNoneSince(warningsBefore);
  }

  private static String queued(Api api, String name) {
    return api.create(new JsonObject().put("name", name).put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  private static void uploadAll(Api api, int count, int seedBase) throws Exception {
    List<CompletableFuture<Void>> uploads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = i;
      uploads.add(CompletableFuture.runAsync(() -> {
        // sizes: empty, under a block, odd, several upload batches (256 KiB) and a tail
        int size = switch (n % 4) {
          case 0 -> n == 0 ? 0 : 100 + n;
          case 1 -> 1_000_003 + n;
          case 2 -> 65_536 * 3 + n;
          default -> 2_500_000 + 7 * n;
        };
        byte[] data = Bytes.random(size, seedBase + n);
        String id = queued(api, "mb-" + n);
        assertEquals(204, api.upload(id, data).status(), "upload " + n);
        JsonObject image = api.get("/v2/images/" + id).json();
        assertEquals("active", image.getString("status"));
        assertEquals(Bytes.md5(data), image.getString("checksum"), "checksum of upload " + n + ", " + size + " B");
        assertEquals("sha512", image.getString("os_hash_algo"));
        assertEquals(Bytes.sha512(data), image.getString("os_hash_value"),
            "os_hash_value of upload " + n + ", " + size + " B");
      }, CLIENTS));
    }
    CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("twelve concurrent uploads of different sizes get Glance's checksum and os_hash_value")
  void concurrentUploadsKeepGlancesDigests() throws Exception {
    uploadAll(Api.as(server, "project-mb", "member"), 12, 100);
  }

  /**
   * Many more uploads than lanes, each several batches long: uploads that found every lane taken hash with the
   * JDK's digests instead of waiting for one. (Waiting, they held batch arrays of the pool shared by all uploads
   * while those holding the lanes needed arrays to go on: with enough uploads, every upload waited.)
   */
  @Test
  @DisplayName("forty concurrent 5 MB uploads, five times the lanes, all complete with Glance's digests")
  void manyMoreUploadsThanLanesNeverWaitOnEachOther() throws Exception {
    Api api = Api.as(server, "project-mb3", "member");
    List<CompletableFuture<Void>> uploads = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(40);
    try {
      for (int i = 0; i < 40; i++) {
        int n = i;
        uploads.add(CompletableFuture.runAsync(() -> {
          byte[] data = Bytes.random(5_000_000 + n, 3000 + n);
          String id = queued(api, "many-" + n);
          assertEquals(204, api.upload(id, data).status(), "upload " + n);
          JsonObject image = api.get("/v2/images/" + id).json();
          assertEquals(Bytes.md5(data), image.getString("checksum"), "checksum of upload " + n);
          assertEquals(Bytes.sha512(data), image.getString("os_hash_value"), "os_hash_value of upload " + n);
        }, clients));
      }
      CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(240, TimeUnit.SECONDS);
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  @DisplayName("uploads refused at the end (size mismatch) free their lanes: the next uploads complete")
  void failedUploadsFreeTheirLanes() throws Exception {
    Api api = Api.as(server, "project-mb2", "member");
    List<CompletableFuture<Void>> refused = new ArrayList<>();
    for (int i = 0; i < 10; i++) { // more than the 8 SHA-512 lanes: a leak would leave none
      int n = i;
      refused.add(CompletableFuture.runAsync(() -> {
        byte[] data = Bytes.random(300_000 + n, 900 + n);
        String id = queued(api, "refused-" + n);
        Api.Response r = api.sendBytes("PUT", "/v2/images/" + id + "/file", data, "application/octet-stream",
            Map.of("x-openstack-image-size", String.valueOf(data.length + 1)));
        assertEquals(400, r.status(), r.body());
      }, CLIENTS));
    }
    CompletableFuture.allOf(refused.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
    uploadAll(api, 9, 500);
  }
}
