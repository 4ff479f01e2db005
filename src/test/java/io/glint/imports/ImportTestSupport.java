package io.glint.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.glint.format.QemuImg;
import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/** Helpers of the import tests: a local HTTP origin, waiting for imports, looking at the staging area. */
final class ImportTestSupport {
  private ImportTestSupport() {}

  /** A local HTTP origin on a random port of 127.0.0.1 serving byte arrays, redirects and broken bodies. */
  static final class Origin implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final Map<String, Integer> cuts = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    Origin() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(threads);
      server.createContext("/", this::serve);
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Origin file(String path, byte[] data) {
      files.put(path, data);
      return this;
    }

    Origin redirect(String path, String to) {
      redirects.put(path, to);
      return this;
    }

    /** Serves {@code path}'s head for all its bytes, then only {@code send} of them and hangs up. */
    Origin cut(String path, byte[] data, int send) {
      files.put(path, data);
      cuts.put(path, send);
      return this;
    }

    /** The {@code X-Auth-Token} of the last request for {@code path} ("" without one), or null when none came. */
    String tokenSeen(String path) {
      return tokens.get(path);
    }

    private void serve(HttpExchange exchange) throws IOException {
      String path = exchange.getRequestURI().getPath();
      String token = exchange.getRequestHeaders().getFirst("X-Auth-Token");
      tokens.put(path, token == null ? "" : token);
      String to = redirects.get(path);
      if (to != null) {
        exchange.getResponseHeaders().add("Location", to);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
        return;
      }
      byte[] data = files.get(path);
      if (data == null) {
        exchange.sendResponseHeaders(404, -1);
        exchange.close();
        return;
      }
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().add("Content-Length", Integer.toString(data.length));
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
        return;
      }
      exchange.sendResponseHeaders(200, data.length);
      OutputStream out = exchange.getResponseBody();
      int send = cuts.getOrDefault(path, data.length);
      for (int at = 0; at < send; at += 65_536) {
        out.write(data, at, Math.min(65_536, send - at));
      }
      if (send < data.length) {
        out.flush();
        exchange.close();
        return;
      }
      out.close();
    }

    @Override
    public void close() {
      server.stop(0);
      threads.shutdownNow();
    }
  }

  /** Lets imports fetch from a local {@link Origin}: loopback, on any port. */
  static final Map<String, String> LOCAL_ORIGIN = Map.of("import_filtering_opts.allowed_hosts", "127.0.0.1",
      "import_filtering_opts.allowed_ports", "");

  /**
   * A Glint with {@code settings} and {@link #LOCAL_ORIGIN}, and a local origin; closing it fails when Vert.x
   * reported a blocked thread meanwhile.
   */
  static final class ImportServer implements AutoCloseable {
    final TestServer server;
    final Origin origin;
    private final int warnings = BlockedThreadWatch.mark();

    ImportServer(Map<String, String> settings) throws IOException {
      Map<String, String> all = new HashMap<>(settings);
      all.putAll(LOCAL_ORIGIN);
      server = TestServer.start(all);
      origin = new Origin();
    }

    @Override
    public void close() {
      origin.close();
      server.close();
      BlockedThreadWatch.assertNoneSince(warnings);
    }
  }

  static String create(Api api, String diskFormat) {
    return api.create(new JsonObject().put("name", "import").put("disk_format", diskFormat)
        .put("container_format", "bare")).getString("id");
  }

  static Api.Response stage(Api api, String id, byte[] data) {
    return api.sendBytes("PUT", "/v2/images/" + id + "/stage", data, "application/octet-stream", Map.of());
  }

  static Api.Response importImage(Api api, String id, JsonObject body) {
    return api.post("/v2/images/" + id + "/import", body);
  }

  static JsonObject method(String name) {
    return new JsonObject().put("method", new JsonObject().put("name", name));
  }

  static JsonObject webDownload(String uri) {
    return new JsonObject().put("method", new JsonObject().put("name", "web-download").put("uri", uri));
  }

  /** Waits until the image's last task has finished; returns that task (as {@code GET /v2/images/{id}/tasks}). */
  static JsonObject awaitTask(Api api, String id) throws InterruptedException {
    JsonObject[] last = new JsonObject[1];
    Await.until(() -> {
      JsonArray tasks = api.get("/v2/images/" + id + "/tasks").json().getJsonArray("tasks");
      if (tasks.isEmpty()) {
        return false;
      }
      last[0] = tasks.getJsonObject(tasks.size() - 1);
      String status = last[0].getString("status");
      return status.equals("success") || status.equals("failure");
    }, Duration.ofSeconds(60), "import task of " + id + " finished");
    return last[0];
  }

  static JsonObject image(Api api, String id) {
    Api.Response r = api.get("/v2/images/" + id);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  /** A qcow2 whose backing file is the qcow2 {@code base} (made next to it): what the safety checks refuse. */
  static byte[] qcow2BackedBy(Path base) throws IOException {
    return Files.readAllBytes(QemuImg.create(base.resolveSibling("backed.qcow2"), "qcow2", null, "-b",
        base.toString(), "-F", "qcow2"));
  }

  /** Regular files under a directory (the staging area, a store), however deep. */
  static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
