package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.GlintProcess;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Crash safety of imports: kill -9 mid-import and mid-staging, then restart")
class ImportCrashTest {
  private static final List<String> FLAGS = List.of("--import_filtering_opts.allowed_hosts=127.0.0.1",
      "--import_filtering_opts.allowed_ports=");

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("after kill -9 the interrupted import fails and its image is queued, a cut staging is gone, a whole one"
      + " survives; no partial data anywhere")
  void killDuringImportAndStaging() throws Exception {
    byte[] data = Bytes.random(8 * 1024 * 1024, 51);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    origin.setExecutor(Executors.newCachedThreadPool());
    origin.createContext("/stall.raw", exchange -> {
      exchange.sendResponseHeaders(200, data.length);
      OutputStream out = exchange.getResponseBody();
      out.write(data, 0, 2 * 1024 * 1024);
      out.flush();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    origin.start();
    String url = "http://127.0.0.1:" + origin.getAddress().getPort() + "/stall.raw";
    String importing;
    String cutStaging;
    String staged;
    byte[] whole = Bytes.random(300_000, 52);
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"), FLAGS)) {
      Api api = Api.as(glint.base(), "project-crash", "member");
      staged = create(api);
      assertEquals(204, api.sendBytes("PUT", "/v2/images/" + staged + "/stage", whole, "application/octet-stream",
          Map.of()).status());
      importing = create(api);
      assertEquals(202, api.post("/v2/images/" + importing + "/import", new JsonObject()
          .put("method", new JsonObject().put("name", "web-download").put("uri", url))).status());
      cutStaging = create(api);
      RawHttp raw = new RawHttp(glint.port());
      raw.startStage(cutStaging, "project-crash", 4_000_000).write(Bytes.random(1_000_000, 53));
      Await.until(() -> "processing".equals(TestServer.executeString(
          "SELECT status FROM tasks WHERE image_id = $1", importing))
          && "uploading".equals(status(cutStaging)) && !incoming("images").isEmpty()
          && !incoming("staging").isEmpty(), Duration.ofSeconds(20), "import and staging under way");
      glint.kill();
      raw.close();
    } finally {
      release.countDown();
      origin.stop(0);
    }
    assertEquals("importing", status(importing));
    assertEquals("uploading", status(cutStaging));

    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"), FLAGS)) {
      Api api = Api.as(glint.base(), "project-crash", "member");
      JsonObject back = api.get("/v2/images/" + importing).json();
      assertEquals("queued", back.getString("status"));
      assertFalse(back.containsKey("os_glance_import_task"), back.encode());
      assertNull(back.getValue("size"));
      JsonArray tasks = api.get("/v2/images/" + importing + "/tasks").json().getJsonArray("tasks");
      assertEquals("failure", tasks.getJsonObject(0).getString("status"));
      assertTrue(tasks.getJsonObject(0).getString("message").contains("interrupted"), tasks.encode());
      JsonObject cut = api.get("/v2/images/" + cutStaging).json();
      assertEquals("queued", cut.getString("status"));
      assertNull(cut.getValue("size"));
      assertEquals(List.of(), incoming("images"));
      assertEquals(List.of(), incoming("staging"));
      assertFalse(Files.exists(dataDir.resolve("staging").resolve(cutStaging)));
      assertFalse(Files.exists(dataDir.resolve("images").resolve(importing)));
      // The whole staging waits for its import, which works.
      assertEquals("uploading", api.get("/v2/images/" + staged).json().getString("status"));
      assertTrue(Files.exists(dataDir.resolve("staging").resolve(staged)));
      assertEquals(202, api.post("/v2/images/" + staged + "/import", new JsonObject()
          .put("method", new JsonObject().put("name", "glance-direct"))).status());
      Await.until(() -> "active".equals(status(staged)), Duration.ofSeconds(20), "import after restart");
      assertArrayEquals(whole, api.download(staged, Map.of()).body());
      // The interrupted image can be imported again.
      assertEquals(204, api.sendBytes("PUT", "/v2/images/" + importing + "/stage", whole,
          "application/octet-stream", Map.of()).status());
    }
  }

  private static String status(String id) {
    return TestServer.executeString("SELECT status FROM images WHERE id = $1", id);
  }

  private static String create(Api api) {
    return api.create(new JsonObject().put("name", "crash").put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  private List<Path> incoming(String area) {
    Path dir = dataDir.resolve(area).resolve(".incoming");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
