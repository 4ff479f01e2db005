package io.glint.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.S3Server;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The S3 store in single-store mode ({@code [glance_store] stores = s3}) against a real S3 server (S3Proxy on
 * loopback): uploads as one streamed PUT or as multipart uploads, with and without Content-Length, checksums,
 * downloads and ranges, deletion, and cut uploads that must leave neither parts nor objects.
 */
@DisplayName("S3 store: uploads, downloads, ranges, deletion against a real S3 server")
class S3StoreTest extends ApiTestBase {
  static final String BUCKET = "glint-images";
  private static final int MIB = 1024 * 1024;
  private static S3Server s3;
  private static TestServer glint;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    glint = TestServer.start(singleStore(s3.endpoint(), BUCKET, Map.of(
        "show_image_direct_url", "true",
        "show_multiple_locations", "true")));
    api = Api.as(glint, "project-a", "member");
  }

  @AfterAll
  static void stop() throws Exception {
    glint.close();
    s3.close();
  }

  /** Settings of a single S3 store: 8 MiB from which uploads are multipart, 5 MiB parts, 2 in flight. */
  static Map<String, String> singleStore(String endpoint, String bucket, Map<String, String> more) {
    Map<String, String> m = new HashMap<>();
    m.put("glance_store.stores", "s3");
    m.put("glance_store.default_store", "s3");
    m.put("glance_store.s3_store_host", endpoint);
    m.put("glance_store.s3_store_access_key", S3Server.ACCESS_KEY);
    m.put("glance_store.s3_store_secret_key", S3Server.SECRET_KEY);
    m.put("glance_store.s3_store_bucket", bucket);
    m.put("glance_store.s3_store_large_object_size", "8");
    m.put("glance_store.s3_store_large_object_chunk_size", "5");
    m.put("glance_store.s3_store_thread_pools", "2");
    m.put("glance_store.s3_store_key_prefix", "glance/");
    m.putAll(more);
    return m;
  }

  static String image(Api api) {
    return api.create(new JsonObject().put("name", "s3").put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  /** The keys of the bucket's objects that belong to {@code imageId}. */
  static List<String> objectsOf(S3Server s3, String bucket, String imageId) {
    return s3.objectKeys(bucket).stream().filter(k -> k.contains(imageId)).toList();
  }

  private static void assertStored(String id, byte[] data) {
    JsonObject image = api.get("/v2/images/" + id).json();
    assertEquals("active", image.getString("status"), image.encode());
    assertEquals(data.length, image.getLong("size"));
    assertEquals(Bytes.md5(data), image.getString("checksum"));
    assertEquals(Bytes.sha512(data), image.getString("os_hash_value"));
    String url = image.getString("direct_url");
    assertTrue(url.startsWith("s3://127.0.0.1:" + s3.port() + "/" + BUCKET + "/glance/" + id + "."), url);
    assertFalse(url.contains("@") || url.contains(S3Server.ACCESS_KEY) || url.contains(S3Server.SECRET_KEY), url);
    assertEquals(url, image.getJsonArray("locations").getJsonObject(0).getString("url"));
    List<String> keys = objectsOf(s3, BUCKET, id);
    assertEquals(1, keys.size(), keys.toString());
    assertArrayEquals(data, s3.object(BUCKET, keys.get(0)), "the object holds the image's bytes");
    Api.BytesResponse download = api.download(id, Map.of());
    assertEquals(200, download.status());
    assertEquals(Bytes.md5(data), download.header("Content-MD5"));
    assertArrayEquals(data, download.body());
    assertEquals(List.of(), s3.multipartUploads(BUCKET), "no multipart upload left");
  }

  @Test
  @DisplayName("an image of known size below s3_store_large_object_size is one PUT, and comes back whole")
  void smallSizedUpload() {
    byte[] data = Bytes.random(300 * 1024 + 17, 1);
    String id = image(api);
    assertEquals(204, api.upload(id, data).status());
    assertStored(id, data);
  }

  @Test
  @DisplayName("an image of known size from s3_store_large_object_size up is a multipart upload of 5 MiB parts")
  void multipartSizedUpload() {
    byte[] data = Bytes.random(13 * MIB + 7, 2);
    String id = image(api);
    assertEquals(204, api.upload(id, data).status());
    assertStored(id, data);
  }

  @Test
  @DisplayName("chunked uploads (size unknown): under one part one PUT, else multipart; empty images too")
  void chunkedUploads() {
    byte[] small = Bytes.random(100 * 1024 + 3, 3);
    String a = image(api);
    assertEquals(204, api.uploadChunked(a, small).status());
    assertStored(a, small);

    byte[] large = Bytes.random(11 * MIB + 5, 4);
    String b = image(api);
    assertEquals(204, api.uploadChunked(b, large).status());
    assertStored(b, large);

    String empty = image(api);
    assertEquals(204, api.uploadChunked(empty, new byte[0]).status());
    assertStored(empty, new byte[0]);
    String emptySized = image(api);
    assertEquals(204, api.upload(emptySized, new byte[0]).status());
    assertStored(emptySized, new byte[0]);
  }

  @Test
  @DisplayName("Range is a ranged GET: 206 with the bytes asked for, suffix ranges too, 416 beyond the end")
  void ranges() {
    byte[] data = Bytes.random(6 * MIB + 11, 5);
    String id = image(api);
    assertEquals(204, api.upload(id, data).status());
    Api.BytesResponse part = api.download(id, Map.of("Range", "bytes=100-5242979"));
    assertEquals(206, part.status());
    assertEquals("bytes 100-5242979/" + data.length, part.header("Content-Range"));
    assertArrayEquals(Arrays.copyOfRange(data, 100, 5242980), part.body());
    Api.BytesResponse tail = api.download(id, Map.of("Range", "bytes=-10"));
    assertEquals(206, tail.status());
    assertArrayEquals(Arrays.copyOfRange(data, data.length - 10, data.length), tail.body());
    assertEquals(416, api.download(id, Map.of("Range", "bytes=" + data.length + "-")).status());
  }

  @Test
  @DisplayName("deleting an image deletes its object")
  void delete() {
    byte[] data = Bytes.random(2000, 6);
    String id = image(api);
    assertEquals(204, api.upload(id, data).status());
    assertEquals(1, objectsOf(s3, BUCKET, id).size());
    assertEquals(204, api.delete("/v2/images/" + id).status());
    assertEquals(List.of(), objectsOf(s3, BUCKET, id));
  }

  @Test
  @DisplayName("a re-upload after a failed one writes a new key; two images never share an object")
  void keysNeverCollide() throws Exception {
    String id = image(api);
    try (RawHttp raw = new RawHttp(glint.port())) {
      raw.startUpload(id, "project-a", 3 * MIB).write(Bytes.random(MIB, 7));
      raw.abort();
    }
    Await.until(() -> "queued".equals(api.get("/v2/images/" + id).json().getString("status")), Duration.ofSeconds(20),
        "the cut upload's image back to queued");
    byte[] data = Bytes.random(3 * MIB, 8);
    assertEquals(204, api.upload(id, data).status());
    String other = image(api);
    assertEquals(204, api.upload(other, data).status());
    String a = api.get("/v2/images/" + id).json().getString("direct_url");
    String b = api.get("/v2/images/" + other).json().getString("direct_url");
    assertFalse(a.equals(b));
    assertStored(id, data);
  }

  @Test
  @DisplayName("uploads cut mid-body (streamed PUT and multipart) leave no object and no multipart upload")
  void cutUploadsLeaveNothing() throws Exception {
    for (long size : new long[] {4L * MIB, 20L * MIB}) {
      String id = image(api);
      try (RawHttp raw = new RawHttp(glint.port())) {
        raw.startUpload(id, "project-a", size);
        for (int i = 0; i < 12; i++) {
          raw.write(Bytes.random(MIB, i));
          if (size < 8L * MIB && i == 2) {
            break;
          }
        }
        raw.abort();
      }
      Await.until(() -> "queued".equals(api.get("/v2/images/" + id).json().getString("status")),
          Duration.ofSeconds(20), "the cut upload's image back to queued");
      Await.until(() -> s3.multipartUploads(BUCKET).isEmpty() && objectsOf(s3, BUCKET, id).isEmpty(),
          Duration.ofSeconds(20), "no part or object of the cut upload left (" + size + " bytes)");
    }
    assertEquals(0, ((S3Store) glint.server().stores().defaultStore()).partMemoryReserved(), "part memory given back");
  }
}
