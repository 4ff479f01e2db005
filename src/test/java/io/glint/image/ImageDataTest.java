package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Api.BytesResponse;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Image data: upload and download")
class ImageDataTest extends ApiTestBase {

  private String newImage(Api api) {
    return api.create(new JsonObject().put("name", "data").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
  }

  @Test
  @DisplayName("upload makes the image active with size, md5 checksum and sha512 multihash; download returns it")
  void roundTrip() {
    byte[] data = Bytes.random(3_000_001, 1);
    String id = newImage(alice);
    Response up = alice.upload(id, data);
    assertEquals(204, up.status(), up.body());
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertEquals("active", image.getString("status"));
    assertEquals(data.length, image.getLong("size"));
    assertEquals(Bytes.md5(data), image.getString("checksum"));
    assertEquals("sha512", image.getString("os_hash_algo"));
    assertEquals(Bytes.sha512(data), image.getString("os_hash_value"));
    BytesResponse down = alice.download(id, Map.of());
    assertEquals(200, down.status());
    assertEquals("application/octet-stream", down.header("Content-Type"));
    assertEquals(Bytes.md5(data), down.header("Content-MD5"));
    assertEquals(String.valueOf(data.length), down.header("Content-Length"));
    assertArrayEquals(data, down.body());
    assertEquals(List.of(id), storeFiles());
    assertEquals(List.of(), incomingFiles());
    // Others who can see the image may download it.
    assertEquals(404, bob.download(id, Map.of()).status());
    assertEquals(200, admin.download(id, Map.of()).status());
  }

  @Test
  @DisplayName("an empty upload is a valid zero-byte image")
  void emptyUpload() {
    String id = newImage(alice);
    assertEquals(204, alice.upload(id, new byte[0]).status());
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertEquals("active", image.getString("status"));
    assertEquals(0, image.getLong("size"));
    assertEquals("d41d8cd98f00b204e9800998ecf8427e", image.getString("checksum"));
    BytesResponse down = alice.download(id, Map.of());
    assertEquals(200, down.status());
    assertEquals(0, down.body().length);
  }

  @Test
  @DisplayName("a queued image has no data: download is 204")
  void noData() {
    String id = newImage(alice);
    assertEquals(204, alice.download(id, Map.of()).status());
  }

  @Test
  @DisplayName("upload preconditions: octet-stream (415), formats set (400), queued (409), owner (403/404)")
  void uploadPreconditions() {
    String id = newImage(alice);
    Response json = alice.sendBytes("PUT", "/v2/images/" + id + "/file", new byte[] {1}, "application/json", Map.of());
    assertEquals(415, json.status());
    String noFormats = alice.create(new JsonObject().put("name", "x")).getString("id");
    Response missing = alice.upload(noFormats, new byte[] {1});
    assertEquals(400, missing.status());
    assertEquals("Properties disk_format, container_format must be set prior to saving data.", missing.message());
    assertEquals("queued", alice.get("/v2/images/" + noFormats).json().getString("status"));
    assertEquals(204, alice.upload(id, new byte[] {1, 2}).status());
    assertEquals(409, alice.upload(id, new byte[] {3}).status());
    assertEquals(404, bob.upload(newImage(alice), new byte[] {1}).status());
    String community = alice.create(new JsonObject().put("visibility", "community").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    assertEquals(403, bob.upload(community, new byte[] {1}).status());
    assertEquals(404, alice.upload(java.util.UUID.randomUUID().toString(), new byte[] {1}).status());
  }

  @Test
  @DisplayName("x-openstack-image-size must match the data, else 400 and the image stays queued")
  void declaredSize() {
    String id = newImage(alice);
    Response r = alice.sendBytes("PUT", "/v2/images/" + id + "/file", new byte[10], "application/octet-stream",
        Map.of("x-openstack-image-size", "11"));
    assertEquals(400, r.status());
    assertQueuedAndClean(id);
    Response ok = alice.sendBytes("PUT", "/v2/images/" + id + "/file", new byte[10], "application/octet-stream",
        Map.of("x-openstack-image-size", "10"));
    assertEquals(204, ok.status());
  }

  @Test
  @DisplayName("Range: bytes=a-b, a-, -n give 206 with Content-Range; bad or beyond ranges 416; several 400")
  void ranges() {
    byte[] data = Bytes.random(1000, 2);
    String id = newImage(alice);
    alice.upload(id, data);
    BytesResponse r = alice.download(id, Map.of("Range", "bytes=10-19"));
    assertEquals(206, r.status());
    assertEquals("bytes 10-19/1000", r.header("Content-Range"));
    assertArrayEquals(Arrays.copyOfRange(data, 10, 20), r.body());
    assertEquals(Bytes.md5(data), r.header("Content-MD5"));
    r = alice.download(id, Map.of("Range", "bytes=990-"));
    assertEquals("bytes 990-999/1000", r.header("Content-Range"));
    assertArrayEquals(Arrays.copyOfRange(data, 990, 1000), r.body());
    r = alice.download(id, Map.of("Range", "bytes=-5"));
    assertEquals("bytes 995-999/1000", r.header("Content-Range"));
    assertArrayEquals(Arrays.copyOfRange(data, 995, 1000), r.body());
    r = alice.download(id, Map.of("Range", "bytes=-5000"));
    assertEquals(206, r.status());
    assertArrayEquals(data, r.body());
    r = alice.download(id, Map.of("Range", "bytes=900-5000"));
    assertEquals("bytes 900-999/1000", r.header("Content-Range"));
    assertEquals(100, r.body().length);
    r = alice.download(id, Map.of("Range", "bytes=999-999"));
    assertArrayEquals(new byte[] {data[999]}, r.body());
    for (String bad : List.of("bytes=1000-", "bytes=5-2", "bytes=x-y", "items=0-1", "bytes=-0")) {
      assertEquals(416, alice.download(id, Map.of("Range", bad)).status(), bad);
    }
    assertEquals(400, alice.download(id, Map.of("Range", "bytes=0-1,5-6")).status());
    r = alice.download(id, Map.of("Content-Range", "bytes 1-3/1000"));
    assertEquals(206, r.status());
    assertArrayEquals(Arrays.copyOfRange(data, 1, 4), r.body());
    assertEquals(416, alice.download(id, Map.of("Content-Range", "bytes 1-3000/*")).status());
  }

  @Test
  @DisplayName("a client that hangs up mid-upload leaves no data and the image queued")
  void clientAbort() throws Exception {
    String id = newImage(alice);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(id, "project-a", 10_000_000).write(Bytes.random(3_000_000, 3));
      awaitTrue(() -> "saving".equals(status(id)), "upload started");
      raw.abort();
    }
    awaitTrue(() -> "queued".equals(status(id)), "image back to queued");
    assertQueuedAndClean(id);
    // The image can be uploaded again.
    byte[] data = Bytes.random(1000, 4);
    assertEquals(204, alice.upload(id, data).status());
    assertArrayEquals(data, alice.download(id, Map.of()).body());
  }

  @Test
  @DisplayName("two concurrent uploads to one image: the second gets 409, the first completes")
  void concurrentUploads() throws Exception {
    String id = newImage(alice);
    byte[] data = Bytes.random(2_000_000, 5);
    try (RawHttp first = new RawHttp(server.port())) {
      first.startUpload(id, "project-a", data.length).write(Arrays.copyOf(data, 1_000_000));
      awaitTrue(() -> "saving".equals(status(id)), "first upload started");
      Response second = alice.upload(id, Bytes.random(10, 6));
      assertEquals(409, second.status());
      first.write(Arrays.copyOfRange(data, 1_000_000, data.length));
      assertEquals(204, first.status());
    }
    assertEquals(Bytes.md5(data), alice.get("/v2/images/" + id).json().getString("checksum"));
    assertArrayEquals(data, alice.download(id, Map.of()).body());
  }

  @Test
  @DisplayName("an image deleted during its upload: 410, and the uploaded data is removed")
  void deletedDuringUpload() throws Exception {
    String id = newImage(alice);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(id, "project-a", 2_000_000).write(Bytes.random(1_000_000, 7));
      awaitTrue(() -> "saving".equals(status(id)), "upload started");
      assertEquals(204, alice.delete("/v2/images/" + id).status());
      raw.write(Bytes.random(1_000_000, 8));
      assertEquals(410, raw.status());
    }
    assertEquals(404, alice.get("/v2/images/" + id).status());
    awaitTrue(() -> storeFiles().isEmpty() && incomingFiles().isEmpty(), "data removed");
  }

  @Test
  @DisplayName("image_size_cap: 413 at once from Content-Length, or when a chunked body goes past it")
  void sizeCap() throws Exception {
    try (TestServer small = TestServer.start(Map.of("image_size_cap", "1000"))) {
      Api a = Api.as(small, "project-a", "member");
      String id = newImage(a);
      try (RawHttp raw = new RawHttp(small.port())) {
        raw.startUpload(id, "project-a", 5000);
        assertEquals(413, raw.status());
      }
      assertEquals("queued", a.get("/v2/images/" + id).json().getString("status"));
      try (RawHttp raw = new RawHttp(small.port())) {
        raw.startUpload(id, "project-a", -1);
        raw.write(chunk(Bytes.random(800, 9))).write(chunk(Bytes.random(800, 10)));
        assertEquals(413, raw.status());
      }
      awaitTrue(() -> "queued".equals(a.get("/v2/images/" + id).json().getString("status")), "queued");
      assertNull(a.get("/v2/images/" + id).json().getValue("size"));
      assertEquals(List.of(), files(small.imageDirectory()));
      assertEquals(204, a.upload(id, new byte[1000]).status());
    }
  }

  @Test
  @DisplayName("user_storage_quota: uploads past the project's quota are 413")
  void storageQuota() {
    try (TestServer quota = TestServer.start(Map.of("user_storage_quota", "1500B"))) {
      Api a = Api.as(quota, "project-a", "member");
      String first = newImage(a);
      assertEquals(204, a.upload(first, new byte[1000]).status());
      String second = newImage(a);
      Response r = a.upload(second, new byte[1000]);
      assertEquals(413, r.status());
      assertEquals("queued", a.get("/v2/images/" + second).json().getString("status"));
      assertEquals(204, a.upload(second, new byte[500]).status());
      // Another project has its own quota.
      Api b = Api.as(quota, "project-b", "member");
      assertEquals(204, b.upload(newImage(b), new byte[1000]).status());
    }
  }

  @Test
  @DisplayName("delete removes the data at once; with delayed_delete the scrubber removes it later")
  void deleteRemovesData() {
    String id = newImage(alice);
    alice.upload(id, new byte[100]);
    assertEquals(List.of(id), storeFiles());
    assertEquals(204, alice.delete("/v2/images/" + id).status());
    assertEquals(List.of(), storeFiles());
    assertEquals(1, TestServer.execute(
        "SELECT 1 FROM image_locations WHERE image_id = $1 AND deleted AND status = 'deleted'", id));

    try (TestServer delayed = TestServer.start(Map.of("delayed_delete", "true"))) {
      Api a = Api.as(delayed, "project-a", "member");
      String img = newImage(a);
      assertEquals(204, a.upload(img, new byte[100]).status());
      assertEquals(204, a.delete("/v2/images/" + img).status());
      assertEquals(404, a.get("/v2/images/" + img).status());
      Path dir = delayed.imageDirectory();
      assertEquals(List.of(img), files(dir));
      assertEquals(1, TestServer.execute("SELECT 1 FROM images WHERE id = $1 AND status = 'pending_delete'", img));
      assertEquals(1, delayed.server().scrubber().scrub().await());
      assertEquals(List.of(), files(dir));
      assertEquals(1, TestServer.execute("SELECT 1 FROM images WHERE id = $1 AND status = 'deleted'", img));
      // A queued image has no data: it goes straight to deleted.
      String queued = newImage(a);
      assertEquals(204, a.delete("/v2/images/" + queued).status());
      assertEquals(1, TestServer.execute("SELECT 1 FROM images WHERE id = $1 AND status = 'deleted'", queued));
    }
  }

  @Test
  @DisplayName("Expect: 100-continue: the go-ahead comes once the upload is accepted; a refusal comes first")
  void expectContinue() throws Exception {
    String id = newImage(alice);
    byte[] data = Bytes.random(100_000, 41);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(id, "project-a", data.length, true);
      assertEquals(100, raw.head());
      raw.write(data);
      assertEquals(204, raw.head());
    }
    assertEquals(Bytes.md5(data), alice.get("/v2/images/" + id).json().getString("checksum"));
    String noFormats = alice.create(new JsonObject().put("name", "x")).getString("id");
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(noFormats, "project-a", data.length, true);
      assertEquals(400, raw.head());
    }
  }

  @Test
  @DisplayName("the data route answers 405 with Allow for other methods, and refuses bodies on GET")
  void routeShape() {
    String id = newImage(alice);
    Response r = alice.send("POST", "/v2/images/" + id + "/file", null, null);
    assertEquals(405, r.status());
    assertEquals("GET, PUT", r.header("Allow"));
    assertEquals(400, alice.send("GET", "/v2/images/" + id + "/file", "x", "text/plain").status());
  }

  private static byte[] chunk(byte[] data) {
    byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes();
    byte[] out = new byte[head.length + data.length + 2];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(data, 0, out, head.length, data.length);
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }

  private String status(String id) {
    return TestServer.executeString("SELECT status FROM images WHERE id = $1", id);
  }

  private void assertQueuedAndClean(String id) {
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertEquals("queued", image.getString("status"));
    assertNull(image.getValue("size"));
    assertNull(image.getValue("checksum"));
    assertNull(image.getValue("os_hash_value"));
    assertFalse(storeFiles().contains(id));
    assertEquals(List.of(), incomingFiles());
  }

  private List<String> storeFiles() {
    return files(server.imageDirectory());
  }

  private List<String> incomingFiles() {
    return files(server.imageDirectory().resolve(".incoming"));
  }

  static List<String> files(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
    assertTrue(condition.getAsBoolean());
  }
}
