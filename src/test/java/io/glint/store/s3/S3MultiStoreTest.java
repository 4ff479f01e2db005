package io.glint.store.s3;

import static io.glint.store.s3.S3StoreTest.image;
import static io.glint.store.s3.S3StoreTest.objectsOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.S3Server;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An S3 store beside a file store and the HTTP store in multi-store mode ({@code enabled_backends = fast:file,
 * web:http, objects:s3}, the S3 options in {@code [objects]}), with delayed delete: discovery shows the S3
 * properties as Glance does and no key, uploads choose the store, the scrubber deletes the object.
 */
@DisplayName("S3 store in multi-store mode beside file and HTTP stores")
class S3MultiStoreTest extends ApiTestBase {
  private static final String BUCKET = "glint-multi";
  private static S3Server s3;
  private static TestServer multi;
  private static Path fastDir;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    fastDir = Files.createTempDirectory("glint-fast");
    Map<String, String> m = new HashMap<>();
    m.put("enabled_backends", "fast:file, web:http, objects:s3");
    m.put("glance_store.default_backend", "fast");
    m.put("fast.filesystem_store_datadir", fastDir.toString());
    m.put("objects.store_description", "Object storage");
    m.put("objects.s3_store_host", s3.endpoint());
    m.put("objects.s3_store_access_key", S3Server.ACCESS_KEY);
    m.put("objects.s3_store_secret_key", S3Server.SECRET_KEY);
    m.put("objects.s3_store_bucket", BUCKET);
    m.put("objects.s3_store_large_object_size", "6");
    m.put("objects.s3_store_large_object_chunk_size", "5");
    m.put("objects.s3_store_thread_pools", "3");
    m.put("delayed_delete", "true");
    m.put("show_multiple_locations", "true");
    multi = TestServer.start(m);
  }

  @AfterAll
  static void stop() throws Exception {
    multi.close();
    s3.close();
  }

  @Test
  @DisplayName("/v2/info/stores/detail shows the s3 store's type and Glance's s3 properties, and no key")
  void discovery() {
    Api admin = Api.as(multi, "project-admin", "admin");
    Api.Response r = admin.get("/v2/info/stores/detail");
    assertEquals(200, r.status(), r.body());
    JsonArray stores = r.json().getJsonArray("stores");
    assertEquals(List.of("fast", "web", "objects"), stores.stream().map(s -> ((JsonObject) s).getString("id")).toList());
    JsonObject objects = stores.getJsonObject(2);
    assertEquals("s3", objects.getString("type"));
    assertEquals("Object storage", objects.getString("description"));
    assertEquals(new JsonObject()
        .put("s3_store_large_object_size", 6L * 1024 * 1024)
        .put("s3_store_large_object_chunk_size", 5L * 1024 * 1024)
        .put("s3_store_thread_pools", 3), objects.getJsonObject("properties"));
    assertFalse(r.body().contains(S3Server.SECRET_KEY) || r.body().contains(S3Server.ACCESS_KEY), r.body());
  }

  @Test
  @DisplayName("X-Image-Meta-Store: objects puts the data in S3; the default store stays the file store")
  void uploadsChooseTheS3Store() throws Exception {
    Api a = Api.as(multi, "project-a", "member");
    byte[] data = Bytes.random(7 * 1024 * 1024 + 1, 21);
    String toS3 = image(a);
    Api.Response r = a.sendBytes("PUT", "/v2/images/" + toS3 + "/file", data, "application/octet-stream",
        Map.of("X-Image-Meta-Store", "objects"));
    assertEquals(204, r.status(), r.body());
    JsonObject image = a.get("/v2/images/" + toS3).json();
    assertEquals("objects", image.getString("stores"));
    JsonObject location = image.getJsonArray("locations").getJsonObject(0);
    assertEquals("objects", location.getJsonObject("metadata").getString("store"));
    assertTrue(location.getString("url").startsWith("s3://127.0.0.1:" + s3.port() + "/" + BUCKET + "/" + toS3 + "."),
        location.getString("url"));
    assertEquals(1, objectsOf(s3, BUCKET, toS3).size());
    assertArrayEquals(data, a.download(toS3, Map.of()).body());
    assertEquals(List.of(), s3.multipartUploads(BUCKET));

    String toFile = image(a);
    assertEquals(204, a.upload(toFile, data).status());
    assertEquals("fast", a.get("/v2/images/" + toFile).json().getString("stores"));
    assertTrue(Files.exists(fastDir.resolve(toFile)));
  }

  @Test
  @DisplayName("with delayed_delete, a deleted image's object stays until the scrubber removes it")
  void delayedDelete() {
    Api a = Api.as(multi, "project-a", "member");
    byte[] data = Bytes.random(5000, 22);
    String id = image(a);
    assertEquals(204, a.sendBytes("PUT", "/v2/images/" + id + "/file", data, "application/octet-stream",
        Map.of("X-Image-Meta-Store", "objects")).status());
    assertEquals(204, a.delete("/v2/images/" + id).status());
    assertEquals(1, objectsOf(s3, BUCKET, id).size(), "kept for the scrubber");
    multi.server().scrubber().scrub().await();
    assertEquals(List.of(), objectsOf(s3, BUCKET, id));
  }
}
