package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.glint.testing.BytesHandler;
import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Policy {@code modify_active_image_locations} over HTTP: by default only admins change the locations of an active
 * image (OSSN-0065); an operator's policy file that sets it to {@code rule:default} gives owners Glance's
 * behaviour ({@code glance/api/v2/images.py}: replace, add with {@code validation_data}, remove).
 */
@DisplayName("Active image locations: admin-only by default, Glance's behaviour when the policy file relaxes it")
class ActiveLocationPolicyTest extends ApiTestBase {
  private static final byte[] DATA = Bytes.random(300_000, 7);
  private static final byte[] OTHER = Bytes.random(1000, 8);
  private static HttpServer origin;
  private static TestServer strict;
  private static TestServer relaxed;

  @BeforeAll
  static void start() throws Exception {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    origin.createContext("/", new BytesHandler(DATA));
    origin.start();
    Map<String, String> settings = Map.of(
        "show_multiple_locations", "true",
        "import_filtering_opts.allowed_hosts", "127.0.0.1",
        "import_filtering_opts.allowed_ports", "");
    strict = TestServer.start(settings);
    Path policy = Files.createTempFile("glint-policy", ".yaml");
    Files.writeString(policy, "# Glance's behaviour: owners may change the locations of active images\n"
        + "modify_active_image_locations: \"rule:default\"\n");
    Map<String, String> relaxedSettings = new java.util.HashMap<>(settings);
    relaxedSettings.put("oslo_policy.policy_file", policy.toString());
    relaxed = TestServer.start(relaxedSettings);
  }

  @AfterAll
  static void stop() {
    origin.stop(0);
    strict.close();
    relaxed.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + origin.getAddress().getPort() + path;
  }

  private JsonObject location(String path) {
    return new JsonObject().put("url", url(path)).put("metadata", new JsonObject());
  }

  private static JsonObject validation(byte[] data) {
    return new JsonObject().put("checksum", Bytes.md5(data)).put("os_hash_algo", "sha512")
        .put("os_hash_value", Bytes.sha512(data));
  }

  private static JsonArray op(String op, String path, Object value) {
    JsonObject o = new JsonObject().put("op", op).put("path", path);
    if (value != null) {
      o.put("value", value);
    }
    return new JsonArray().add(o);
  }

  /** A queued image of project-a made active by its owner with a first location carrying validation data. */
  private String activeImage(Api owner) {
    String id = owner.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
    Response r = owner.patch("/v2/images/" + id, op("add", "/locations/-",
        location("/one.img").put("validation_data", validation(DATA))));
    assertEquals(200, r.status(), r.body());
    assertEquals("active", r.json().getString("status"));
    return id;
  }

  @Test
  @DisplayName("default: an owner may not add, replace or remove locations of an active image; an admin may")
  void adminOnlyByDefault() {
    Api owner = Api.as(strict, "project-a", "member");
    Api admin = Api.as(strict, "project-admin", "admin");
    String id = activeImage(owner);
    String path = "/v2/images/" + id;
    Response add = owner.patch(path, op("add", "/locations/-", location("/two.img")));
    assertEquals(403, add.status());
    assertEquals("Only an administrator may change the locations of an active image (see OSSN-0065).",
        add.message());
    assertEquals(403, owner.patch(path, op("replace", "/locations", new JsonArray().add(location("/two.img"))))
        .status());
    assertEquals(200, admin.patch(path, op("add", "/locations/-", location("/two.img"))).status());
    assertEquals(403, owner.patch(path, op("remove", "/locations/0", null)).status());
    assertEquals(200, admin.patch(path, op("remove", "/locations/0", null)).status());
  }

  @Test
  @DisplayName("relaxed: replace, remove, and add with matching validation_data succeed; a different hash is 409")
  void glanceBehaviourWhenRelaxed() {
    Api owner = Api.as(relaxed, "project-a", "member");
    String id = activeImage(owner);
    String path = "/v2/images/" + id;

    Response added = owner.patch(path, op("add", "/locations/-",
        location("/two.img").put("validation_data", validation(DATA))));
    assertEquals(200, added.status(), added.body());
    assertEquals(2, added.json().getJsonArray("locations").size());
    assertEquals(Bytes.sha512(DATA), added.json().getString("os_hash_value"));

    Response mismatch = owner.patch(path, op("add", "/locations/-",
        location("/three.img").put("validation_data", validation(OTHER))));
    assertEquals(409, mismatch.status(), mismatch.body());
    assertEquals("checksum is already set with a different value", mismatch.message());

    JsonObject malformed = validation(DATA).put("checksum", "abc");
    assertEquals(400, owner.patch(path, op("add", "/locations/-",
        location("/three.img").put("validation_data", malformed))).status(), "the image schema refuses it");

    Response replaced = owner.patch(path, op("replace", "/locations",
        new JsonArray().add(location("/three.img")).add(location("/four.img"))));
    assertEquals(200, replaced.status(), replaced.body());
    assertEquals(List.of(url("/three.img"), url("/four.img")), urls(replaced.json()));

    Response removed = owner.patch(path, op("remove", "/locations/0", null));
    assertEquals(200, removed.status(), removed.body());
    assertEquals(List.of(url("/four.img")), urls(removed.json()));
    assertEquals(403, owner.patch(path, op("remove", "/locations/0", null)).status(), "never the last one");
    assertArrayEquals(DATA, owner.download(id, Map.of()).body());

    Api stranger = Api.as(relaxed, "project-b", "member");
    assertEquals(404, stranger.patch(path, op("add", "/locations/-", location("/five.img"))).status(),
        "the relaxed rule does not open other projects' images");
  }

  private static List<String> urls(JsonObject image) {
    return image.getJsonArray("locations").stream().map(o -> ((JsonObject) o).getString("url")).toList();
  }
}
