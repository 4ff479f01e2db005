package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.GlintProcess;
import io.glint.testing.PatternStream;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A 1 GiB web-download through a Glint with a small heap")
class LargeImportTest {
  private static final long ONE_GIB = 1L << 30;

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("1 GiB from a local origin into the file store through a 96 MiB heap: active, right checksum, no OOM")
  void gigabyteWebDownload() throws Exception {
    HttpServer origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    origin.setExecutor(Executors.newCachedThreadPool());
    origin.createContext("/big.raw", exchange -> {
      exchange.sendResponseHeaders(200, ONE_GIB);
      try (OutputStream out = exchange.getResponseBody(); InputStream in = new PatternStream(ONE_GIB)) {
        in.transferTo(out);
      }
    });
    origin.start();
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx96m", "-XX:+UseSerialGC"),
        List.of("--import_filtering_opts.allowed_hosts=127.0.0.1", "--import_filtering_opts.allowed_ports="))) {
      Api api = Api.as(glint.base(), "project-large", "member");
      String id = api.create(new JsonObject().put("name", "big").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      String url = "http://127.0.0.1:" + origin.getAddress().getPort() + "/big.raw";
      assertEquals(202, api.post("/v2/images/" + id + "/import", new JsonObject()
          .put("method", new JsonObject().put("name", "web-download").put("uri", url))).status());
      String expected = md5(new PatternStream(ONE_GIB));
      Await.until(() -> !"importing".equals(api.get("/v2/images/" + id).json().getString("status")),
          Duration.ofMinutes(4), "1 GiB web-download finished");
      JsonObject image = api.get("/v2/images/" + id).json();
      assertEquals("active", image.getString("status"), glint.log());
      assertEquals(ONE_GIB, image.getLong("size"));
      assertEquals(expected, image.getString("checksum"));
      assertEquals("Copied 1024 MiB", api.get("/v2/images/" + id + "/tasks").json().getJsonArray("tasks")
          .getJsonObject(0).getString("message"));
      assertFalse(glint.log().contains("OutOfMemoryError"), glint.log());
      assertTrue(glint.rssBytes() < 400L << 20, "RSS " + (glint.rssBytes() >> 20) + " MiB");
    } finally {
      origin.stop(0);
    }
  }

  private static String md5(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("MD5");
    try (DigestInputStream d = new DigestInputStream(in, md)) {
      byte[] buf = new byte[1 << 16];
      while (d.read(buf) >= 0) {
        // digesting
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
