package io.glint.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.BytesHandler;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Where v1 image data comes from besides a whole body: {@code x-glance-api-copy-from} (fetched through the
 * outbound guard, from an allowed local origin and refused from a restricted address), {@code x-image-meta-location}
 * (registered through the same location checks as v2), and a body cut mid-way (the image goes back to queued with
 * no data, as a cut v2 upload does).
 */
@DisplayName("v1 data sources: copy-from through the outbound guard, location, a cut upload")
class V1SourcesTest extends ApiTestBase {
  private static final byte[] DATA = Bytes.random(600_000, 21);
  private static HttpServer origin;
  /**
   * A Glint whose outbound guard allows 127.0.0.1 (as an operator's allowed_hosts would), and whose policy file
   * gives copy_from to role copier only.
   */
  private static TestServer open;

  @BeforeAll
  static void start() throws IOException {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    origin.createContext("/", new BytesHandler(DATA));
    origin.start();
    Path policy = Files.createTempFile("glint-policy", ".yaml");
    Files.writeString(policy, "copy_from: \"role:admin or role:copier\"\n");
    open = TestServer.start(Map.of("import_filtering_opts.allowed_hosts", "127.0.0.1",
        "import_filtering_opts.allowed_ports", "", "oslo_policy.policy_file", policy.toString()));
  }

  @AfterAll
  static void stop() {
    origin.stop(0);
    open.close();
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + origin.getAddress().getPort() + path;
  }

  private static Map<String, String> meta(String... pairs) {
    Map<String, String> h = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      h.put(pairs[i].startsWith("x-") ? pairs[i] : "x-image-meta-" + pairs[i], pairs[i + 1]);
    }
    return h;
  }

  @Test
  @DisplayName("copy-from an allowed origin: policy copy_from, 201 queued at once, then active with the origin's bytes")
  void copyFromAllowedOrigin() throws Exception {
    V1Client noCopier = V1Client.as(open, "project-a", "member");
    V1Client.Reply denied = noCopier.post("/v1/images", meta("name", "copied", "disk_format", "raw",
        "container_format", "bare", "x-glance-api-copy-from", url("/cirros.img")), null);
    assertEquals(403, denied.status(), "policy copy_from: " + denied);
    assertEquals(List.of(), Api.as(open, "project-a", "member").get("/v2/images").ids());
    V1Client c = V1Client.as(open, "project-a", "member,copier");
    V1Client.Reply r = c.post("/v1/images", meta("name", "copied", "disk_format", "raw", "container_format", "bare",
        "x-glance-api-copy-from", url("/cirros.img")), null);
    assertEquals(201, r.status(), r::toString);
    String id = r.image().getString("id");
    Api v2 = Api.as(open, "project-a", "member");
    Await.until(() -> "active".equals(v2.get("/v2/images/" + id).json().getString("status")), Duration.ofSeconds(20),
        "the copy to finish");
    JsonObject image = v2.get("/v2/images/" + id).json();
    assertEquals(Bytes.md5(DATA), image.getString("checksum"));
    assertEquals(DATA.length, image.getLong("size"));
    assertArrayEquals(DATA, c.get("/v1/images/" + id).body());
  }

  @Test
  @DisplayName("copy-from a restricted address, or not http(s): 400 and no image")
  void copyFromRefused() {
    V1Client c = V1Client.as(server, "project-a", "member");
    V1Client.Reply refused = c.post("/v1/images", meta("name", "copied", "disk_format", "raw",
        "container_format", "bare", "x-glance-api-copy-from", url("/cirros.img")), null);
    assertEquals(400, refused.status(), refused::toString);
    assertTrue(refused.text().contains("External sources are not supported"), refused::toString);
    V1Client.Reply file = c.post("/v1/images", meta("name", "copied", "disk_format", "raw",
        "container_format", "bare", "x-glance-api-copy-from", "file:///etc/passwd"), null);
    assertEquals(400, file.status(), file::toString);
    V1Client.Reply metadata = c.post("/v1/images", meta("name", "copied", "disk_format", "raw",
        "container_format", "bare", "x-glance-api-copy-from", "http://169.254.169.254/latest/meta-data"), null);
    assertEquals(400, metadata.status(), metadata::toString);
    assertEquals(List.of(), alice.get("/v2/images").ids());
  }

  @Test
  @DisplayName("x-image-meta-location: registered and active with the store's size; a wrong size is a 409")
  void location() {
    V1Client c = V1Client.as(open, "project-a", "member");
    V1Client.Reply r = c.post("/v1/images", meta("name", "remote", "disk_format", "raw", "container_format", "bare",
        "location", url("/remote.img")), null);
    assertEquals(201, r.status(), r::toString);
    assertEquals("active", r.image().getString("status"));
    assertEquals(DATA.length, r.image().getLong("size"));
    assertTrue(!r.image().containsKey("location"), "never shown");
    String id = r.image().getString("id");
    assertArrayEquals(DATA, c.get("/v1/images/" + id).body());
    V1Client.Reply wrong = c.post("/v1/images", meta("name", "remote", "disk_format", "raw", "container_format",
        "bare", "size", "5", "location", url("/remote.img")), null);
    assertEquals(409, wrong.status(), wrong::toString);
    assertEquals(List.of(id), Api.as(open, "project-a", "member").get("/v2/images").ids(), "no image left");

    V1Client guarded = V1Client.as(server, "project-a", "member");
    V1Client.Reply refused = guarded.post("/v1/images", meta("name", "remote", "disk_format", "raw",
        "container_format", "bare", "location", url("/remote.img")), null);
    assertEquals(400, refused.status(), refused::toString);
  }

  @Test
  @DisplayName("a v1 upload cut mid-body leaves the image queued with no data, and a new upload works")
  void cutUpload() throws Exception {
    String head = "POST /v1/images HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Identity-Status: Confirmed\r\n"
        + "X-Project-Id: project-a\r\nX-Roles: member\r\nContent-Type: application/octet-stream\r\n"
        + "x-image-meta-name: cut\r\nx-image-meta-disk_format: raw\r\nx-image-meta-container_format: bare\r\n"
        + "Content-Length: " + DATA.length + "\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(Arrays.copyOf(DATA, DATA.length / 4));
      out.flush();
      Await.until(() -> alice.get("/v2/images").ids().size() == 1, Duration.ofSeconds(10), "the image to exist");
    }
    String id = alice.get("/v2/images").ids().get(0);
    Await.stable(() -> "queued".equals(alice.get("/v2/images/" + id).json().getString("status"))
        && files(server.imageDirectory().resolve(".incoming")).isEmpty(), Duration.ofMillis(300),
        Duration.ofSeconds(5), "back to queued, no partial file");
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertNull(image.getValue("size"));
    assertNull(image.getValue("checksum"));
    // The same through a v1 PUT to the queued image.
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.write(("PUT /v1/images/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Identity-Status: Confirmed\r\n"
          + "X-Project-Id: project-a\r\nX-Roles: member\r\nContent-Type: application/octet-stream\r\n"
          + "Content-Length: " + DATA.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      raw.write(Arrays.copyOf(DATA, DATA.length / 3)).abort();
    }
    Await.stable(() -> "queued".equals(alice.get("/v2/images/" + id).json().getString("status"))
        && files(server.imageDirectory().resolve(".incoming")).isEmpty(), Duration.ofMillis(300),
        Duration.ofSeconds(5), "back to queued after the cut PUT");
    V1Client c = V1Client.as(server, "project-a", "member");
    V1Client.Reply whole = c.put("/v1/images/" + id, Map.of(), DATA);
    assertEquals(200, whole.status(), whole::toString);
    assertEquals(Bytes.md5(DATA), whole.image().getString("checksum"));
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
