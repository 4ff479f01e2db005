package io.glint.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.S3Server;
import io.glint.testing.TcpProxy;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The image cache in front of a real S3 store (S3Proxy, behind a TCP forwarder that counts what S3 sends): many
 * concurrent downloads of an uploaded image read its object once, and the entry is verified against both of the
 * image's digests (md5 and sha512).
 */
@DisplayName("Image cache in front of the S3 store")
class ImageCacheS3Test extends ApiTestBase {
  private static final String BUCKET = "glint-cache";
  private static final int SIZE = 6 * 1024 * 1024 + 99;
  private static S3Server s3;
  private static TcpProxy counting;
  private static TestServer glint;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    counting = new TcpProxy(s3.port());
    Map<String, String> m = new HashMap<>();
    m.put("glance_store.stores", "s3");
    m.put("glance_store.default_store", "s3");
    m.put("glance_store.s3_store_host", "http://127.0.0.1:" + counting.port());
    m.put("glance_store.s3_store_access_key", S3Server.ACCESS_KEY);
    m.put("glance_store.s3_store_secret_key", S3Server.SECRET_KEY);
    m.put("glance_store.s3_store_bucket", BUCKET);
    m.put("image_cache_dir", CacheTestSupport.newCacheDir().toString());
    glint = TestServer.start(m);
  }

  @AfterAll
  static void stop() throws Exception {
    glint.close();
    counting.close();
    s3.close();
  }

  @Test
  @DisplayName("20 concurrent downloads of an uploaded S3 image read its object once, and every byte is right")
  void singleReadFromS3() throws Exception {
    Api api = Api.as(glint, "project-a", "member");
    byte[] data = Bytes.random(SIZE, 42);
    String id = api.create(new JsonObject().put("name", "s3").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    assertEquals(204, api.upload(id, data).status());
    ImageCache cache = CacheTestSupport.cacheOf(glint);
    long before = counting.downstreamBytes();
    ExecutorService clients = Executors.newFixedThreadPool(20);
    try {
      List<Future<Api.BytesResponse>> downloads = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        downloads.add(clients.submit(() -> api.download(id, Map.of())));
      }
      for (Future<Api.BytesResponse> f : downloads) {
        Api.BytesResponse r = f.get(120, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals(Bytes.md5(data), Bytes.md5(r.body()));
      }
    } finally {
      clients.shutdownNow();
    }
    Await.until(() -> cache.isCached(id), Duration.ofSeconds(10), "the verified entry");
    long fromS3 = counting.downstreamBytes() - before;
    assertTrue(fromS3 >= SIZE && fromS3 < SIZE + 256 * 1024, "S3 sent " + fromS3 + " bytes for a " + SIZE
        + "-byte image: it was read more than once");
    Api.BytesResponse range = api.download(id, Map.of("Range", "bytes=10-19"));
    assertEquals(206, range.status());
    assertEquals(Bytes.md5(java.util.Arrays.copyOfRange(data, 10, 20)), Bytes.md5(range.body()));
    assertTrue(counting.downstreamBytes() - before < SIZE + 256 * 1024, "a cached range went to S3");
  }
}
