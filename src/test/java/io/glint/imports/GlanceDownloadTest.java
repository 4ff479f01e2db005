package io.glint.imports;

import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.Bytes;
import io.glint.testing.TestKeystone;
import io.glint.testing.TestKeystone.Identity;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * glance-download over HTTP: two Glints in keystone mode with one identity server, the second one listed in the
 * catalog as RegionTwo's image service; images are imported from it with the caller's token.
 */
@DisplayName("Import method glance-download: from another region's Glance found in the Keystone catalog")
class GlanceDownloadTest {
  private static TestKeystone keystone;
  private static TestServer local;
  private static TestServer remote;
  private static int warnings;
  private Api here;
  private Api there;

  @BeforeAll
  static void start() {
    warnings = BlockedThreadWatch.mark();
    keystone = TestKeystone.start(TestServer.vertx(), InstantSource.system());
    remote = TestServer.start(keystone.glintSettings());
    keystone.imageEndpoint("RegionTwo", remote.base());
    Map<String, String> settings = new HashMap<>(keystone.glintSettings());
    settings.put("enabled_import_methods", "glance-direct,web-download,copy-image,glance-download");
    settings.put("import_filtering_opts.allowed_hosts", "127.0.0.1");
    settings.put("import_filtering_opts.allowed_ports", "");
    local = TestServer.start(settings);
  }

  @AfterAll
  static void stop() {
    local.close();
    remote.close();
    keystone.close();
    BlockedThreadWatch.assertNoneSince(warnings);
  }

  @BeforeEach
  void clean() {
    local.reset();
    remote.reset();
    String token = keystone.issue(Identity.member("p-alice"));
    here = Api.anonymous(local).with("X-Auth-Token", token);
    there = Api.anonymous(remote).with("X-Auth-Token", token);
  }

  /** An active image in RegionTwo with some properties Glance copies and one it does not. */
  private String remoteImage(byte[] data) {
    String id = there.create(new JsonObject().put("name", "source").put("disk_format", "raw")
        .put("container_format", "ovf").put("hw_disk_bus", "scsi").put("os_distro", "cirros")
        .put("trait:CUSTOM_FAST", "required").put("foo", "bar")).getString("id");
    Api.Response uploaded = there.upload(id, data);
    assertEquals(204, uploaded.status(), uploaded.body());
    return id;
  }

  private String localImage() {
    return here.create(new JsonObject().put("name", "copy").put("disk_format", "iso")
        .put("container_format", "bare").put("os_distro", "unknown")).getString("id");
  }

  private static JsonObject glanceDownload(String remoteId, String region) {
    JsonObject method = new JsonObject().put("name", "glance-download").put("glance_region", region);
    if (remoteId != null) {
      method.put("glance_image_id", remoteId);
    }
    return new JsonObject().put("method", method);
  }

  @Test
  @DisplayName("discovery lists glance-download when enabled")
  void discovery() {
    JsonArray methods = here.get("/v2/info/import").json().getJsonObject("import-methods").getJsonArray("value");
    assertTrue(methods.contains("glance-download"), methods.encode());
  }

  @Test
  @DisplayName("success: the remote image's data, checked against its digests; formats and extra properties copied")
  void success() throws Exception {
    byte[] data = Bytes.random(2 * 1024 * 1024 + 5, 7);
    String source = remoteImage(data);
    String id = localImage();
    Api.Response accepted = importImage(here, id, glanceDownload(source, "regiontwo"));
    assertEquals(202, accepted.status(), accepted.body());
    JsonObject task = awaitTask(here, id);
    assertEquals("success", task.getString("status"), task.encode());
    assertEquals("public", task.getJsonObject("input").getJsonObject("import_req").getJsonObject("method")
        .getString("glance_service_interface"), "Glance's default interface, kept in the task");
    JsonObject image = image(here, id);
    JsonObject original = image(there, source);
    assertEquals("active", image.getString("status"));
    assertEquals(Bytes.md5(data), image.getString("checksum"));
    assertEquals(original.getString("checksum"), image.getString("checksum"));
    assertEquals(original.getString("os_hash_value"), image.getString("os_hash_value"));
    assertEquals(data.length, image.getLong("size"));
    assertEquals("raw", image.getString("disk_format"));
    assertEquals("ovf", image.getString("container_format"));
    assertEquals("scsi", image.getString("hw_disk_bus"));
    assertEquals("cirros", image.getString("os_distro"));
    assertEquals("required", image.getString("trait:CUSTOM_FAST"));
    assertFalse(image.containsKey("foo"), "not among extra_properties: " + image.encode());
    assertEquals("p-alice", image.getString("owner"));
    assertFalse(image.containsKey("os_glance_import_task"));
    assertArrayEquals(data, here.download(id, Map.of()).body());
  }

  @Test
  @DisplayName("a remote image that does not exist: the task fails, the image is queued again")
  void remoteMissing() throws Exception {
    String id = localImage();
    String missing = UUID.randomUUID().toString();
    assertEquals(202, importImage(here, id, glanceDownload(missing, "RegionTwo")).status());
    JsonObject task = awaitTask(here, id);
    assertEquals("failure", task.getString("status"));
    assertEquals("Remote image " + missing + " could not be read: The remote server answered 404.",
        task.getString("message"));
    assertQueuedAsBefore(id);
  }

  @Test
  @DisplayName("a remote image that is not active: Glance's message, the image queued")
  void remoteNotActive() throws Exception {
    String source = there.create(new JsonObject().put("name", "empty").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    String id = localImage();
    assertEquals(202, importImage(here, id, glanceDownload(source, "RegionTwo")).status());
    JsonObject task = awaitTask(here, id);
    assertEquals("failure", task.getString("status"));
    assertEquals("Source image status should be active instead of queued", task.getString("message"));
    assertQueuedAsBefore(id);
  }

  @Test
  @DisplayName("a region the catalog does not have (or an interface it lacks): Glance's GlanceEndpointNotFound")
  void wrongRegion() throws Exception {
    String source = remoteImage(Bytes.random(1000, 1));
    String id = localImage();
    assertEquals(202, importImage(here, id, glanceDownload(source, "RegionNine")).status());
    JsonObject task = awaitTask(here, id);
    assertEquals("failure", task.getString("status"));
    assertEquals("public glance endpoint not found for region RegionNine", task.getString("message"));
    assertQueuedAsBefore(id);

    JsonObject body = glanceDownload(source, "RegionTwo");
    body.getJsonObject("method").put("glance_service_interface", "private");
    assertEquals(202, importImage(here, id, body).status());
    Api.Response tasks = here.get("/v2/images/" + id + "/tasks");
    assertEquals(200, tasks.status());
    JsonObject second = awaitSecondTask(id);
    assertEquals("private glance endpoint not found for region RegionTwo", second.getString("message"));
    assertQueuedAsBefore(id);
  }

  @Test
  @DisplayName("data that is not what the remote image records: refused by digest, metadata put back")
  void checksumMismatch() throws Exception {
    byte[] data = Bytes.random(300_000, 3);
    String source = remoteImage(data);
    List<Path> stored = files(remote.imageDirectory());
    assertEquals(1, stored.size(), stored.toString());
    byte[] tampered = data.clone();
    tampered[1000] ^= 1;
    Files.write(stored.get(0), tampered);
    String id = localImage();
    assertEquals(202, importImage(here, id, glanceDownload(source, "RegionTwo")).status());
    JsonObject task = awaitTask(here, id);
    assertEquals("failure", task.getString("status"));
    assertEquals("checksum of downloaded data is different from the checksum of remote image " + source + ".",
        task.getString("message"));
    assertQueuedAsBefore(id);
    assertTrue(files(local.imageDirectory()).isEmpty(), "nothing left in the store");
  }

  @Test
  @DisplayName("request checks: glance_region, glance_image_id, a UUID, as Glance answers them")
  void requestChecks() {
    String id = localImage();
    Api.Response r = importImage(here, id, new JsonObject().put("method", new JsonObject()
        .put("name", "glance-download").put("glance_image_id", UUID.randomUUID().toString())));
    assertEquals(400, r.status());
    assertEquals("'glance_region' needs to be set for glance-download import method", r.message());
    r = importImage(here, id, glanceDownload(null, "RegionTwo"));
    assertEquals(400, r.status());
    assertEquals("'glance_image_id' needs to be set for glance-download import method", r.message());
    r = importImage(here, id, glanceDownload("not-a-uuid", "RegionTwo"));
    assertEquals(400, r.status());
    assertEquals("Remote image id does not look like a UUID: not-a-uuid", r.message());
    assertEquals("queued", image(here, id).getString("status"));
  }

  @Test
  @DisplayName("without Keystone there is no catalog: refused with Glance's GlanceEndpointNotFound, nothing started")
  void trustedHeadersMode() {
    try (TestServer plain = TestServer.start(Map.of("enabled_import_methods", "glance-direct,glance-download"))) {
      Api alice = Api.as(plain, "p-alice", "member");
      String id = alice.create(new JsonObject().put("name", "x").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      Api.Response r = importImage(alice, id, glanceDownload(UUID.randomUUID().toString(), "RegionTwo"));
      assertEquals(400, r.status(), r.body());
      assertEquals("public glance endpoint not found for region RegionTwo", r.message());
      JsonObject image = image(alice, id);
      assertEquals("queued", image.getString("status"));
      assertNull(image.getString("os_glance_import_task"));
    }
  }

  @Test
  @DisplayName("a remote Glance that redirects to another server: followed through the guard, the token not sent there")
  void redirectKeepsTokenHome() throws Exception {
    byte[] data = Bytes.random(70_000, 5);
    String source = UUID.randomUUID().toString();
    try (Origin glance = new Origin(); Origin elsewhere = new Origin()) {
      JsonObject view = new JsonObject().put("id", source).put("status", "active").put("disk_format", "raw")
          .put("container_format", "bare").put("size", data.length).put("checksum", Bytes.md5(data))
          .put("os_hash_algo", "sha512").put("os_hash_value", Bytes.sha512(data)).put("os_type", "linux")
          .put("os_glance_import_task", "x").put("visibility", "private");
      glance.redirect("/v2/images/" + source, elsewhere.url("/v2/images/" + source));
      glance.file("/v2/images/" + source + "/file", data);
      elsewhere.file("/v2/images/" + source, view.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      keystone.imageEndpoint("RegionThree", glance.url("/"));
      String token = keystone.issue(Identity.member("p-carol"));
      Api carol = Api.anonymous(local).with("X-Auth-Token", token);
      String id = carol.create(new JsonObject().put("name", "c").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      assertEquals(202, importImage(carol, id, glanceDownload(source, "RegionThree")).status());
      JsonObject task = awaitTask(carol, id);
      assertEquals("success", task.getString("status"), task.encode());
      assertEquals(token, glance.tokenSeen("/v2/images/" + source), "the catalog's Glance gets the token");
      assertEquals(token, glance.tokenSeen("/v2/images/" + source + "/file"));
      assertEquals("", elsewhere.tokenSeen("/v2/images/" + source), "another server never does");
      JsonObject image = image(carol, id);
      assertEquals("active", image.getString("status"));
      assertEquals("linux", image.getString("os_type"));
      assertFalse(image.containsKey("os_glance_import_task"), "reserved properties are never copied");
      assertArrayEquals(data, carol.download(id, Map.of()).body());
    }
  }

  @Test
  @DisplayName("with a plugin that needs the data in a file: staged first, checked against the remote digests there")
  void stagedFirst() throws Exception {
    Map<String, String> settings = new HashMap<>(keystone.glintSettings());
    settings.put("enabled_import_methods", "glance-download");
    settings.put("import_filtering_opts.allowed_hosts", "127.0.0.1");
    settings.put("import_filtering_opts.allowed_ports", "");
    settings.put("image_import_opts.image_import_plugins", "image_decompression");
    try (TestServer staged = TestServer.start(settings)) {
      Api api = Api.anonymous(staged).with("X-Auth-Token", keystone.issue(Identity.member("p-alice")));
      byte[] data = Bytes.random(500_000, 9);
      String good = remoteImage(data);
      String id = api.create(new JsonObject().put("name", "s").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      assertEquals(202, importImage(api, id, glanceDownload(good, "RegionTwo")).status());
      assertEquals("success", awaitTask(api, id).getString("status"));
      assertEquals(Bytes.sha512(data), image(api, id).getString("os_hash_value"));

      List<Path> stored = files(remote.imageDirectory());
      byte[] tampered = data.clone();
      tampered[0] ^= 1;
      String bad = remoteImage(data);
      List<Path> after = new java.util.ArrayList<>(files(remote.imageDirectory()));
      after.removeAll(stored);
      Files.write(after.get(0), tampered);
      String id2 = api.create(new JsonObject().put("name", "s2").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      assertEquals(202, importImage(api, id2, glanceDownload(bad, "RegionTwo")).status());
      JsonObject task = awaitTask(api, id2);
      assertEquals("checksum of downloaded data is different from the checksum of remote image " + bad + ".",
          task.getString("message"));
      assertEquals("queued", image(api, id2).getString("status"));
      assertFalse(staged.server().staging().has(id2), "staged data removed");
    }
  }

  private JsonObject awaitSecondTask(String id) throws InterruptedException {
    JsonObject[] last = new JsonObject[1];
    io.glint.testing.Await.until(() -> {
      JsonArray tasks = here.get("/v2/images/" + id + "/tasks").json().getJsonArray("tasks");
      if (tasks.size() < 2) {
        return false;
      }
      for (Object t : tasks) {
        JsonObject task = (JsonObject) t;
        String status = task.getString("status");
        if (!status.equals("success") && !status.equals("failure")) {
          return false;
        }
        if (task.getString("message").startsWith("private")) {
          last[0] = task;
        }
      }
      return last[0] != null;
    }, java.time.Duration.ofSeconds(60), "second import task of " + id + " finished");
    return last[0];
  }

  /** Back to queued, without data, lock or progress left, with its own formats and properties. */
  private void assertQueuedAsBefore(String id) {
    JsonObject image = image(here, id);
    assertEquals("queued", image.getString("status"), image.encode());
    assertNull(image.getValue("size"));
    assertNull(image.getValue("checksum"));
    assertFalse(image.containsKey("os_glance_import_task"), image.encode());
    assertEquals("iso", image.getString("disk_format"));
    assertEquals("bare", image.getString("container_format"));
    assertEquals("unknown", image.getString("os_distro"));
    assertFalse(image.containsKey("hw_disk_bus"), image.encode());
    assertFalse(image.containsKey("trait:CUSTOM_FAST"), image.encode());
  }
}
