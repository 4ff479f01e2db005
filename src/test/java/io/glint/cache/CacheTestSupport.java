package io.glint.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Glint servers with an image cache in front of the HTTP store, and images whose data is at a {@link CacheOrigin}. */
final class CacheTestSupport {
  private CacheTestSupport() {}

  static Path newCacheDir() {
    try {
      return Files.createTempDirectory("glint-cache-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Glint whose cache is at {@code dir}, with {@code extra} options. */
  static TestServer start(Path dir, Map<String, String> extra) {
    Map<String, String> options = new HashMap<>();
    options.put("show_multiple_locations", "true");
    options.put("import_filtering_opts.allowed_hosts", "127.0.0.1");
    options.put("import_filtering_opts.allowed_ports", "");
    options.put("image_cache_dir", dir.toString());
    options.putAll(extra);
    return TestServer.start(options);
  }

  static ImageCache cacheOf(TestServer server) {
    return server.server().imageCache().orElseThrow();
  }

  /** An active image of project-a whose data is at {@code url} (added as a location, as Glance's HTTP store). */
  static String image(TestServer glint, String url, long size) {
    Api a = Api.as(glint, "project-a", "member");
    String id = a.create(new JsonObject().put("name", "remote").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    JsonObject location = new JsonObject().put("url", url).put("metadata", new JsonObject());
    Api.Response r = a.patch("/v2/images/" + id, new JsonArray().add(
        new JsonObject().put("op", "add").put("path", "/locations/-").put("value", location)));
    assertEquals(200, r.status(), r.body());
    assertEquals(size, r.json().getLong("size"));
    return id;
  }
}
