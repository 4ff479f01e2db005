package io.glint.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.TestKeystone;
import io.glint.testing.TestKeystone.Identity;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A Glint in keystone mode, spoken to over HTTP, validating tokens with a real (small) identity server. */
class KeystoneApiTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestKeystone keystone;
  private static TestServer glint;
  private static int warningsBefore;

  @BeforeAll
  static void start() {
    warningsBefore = BlockedThreadWatch.mark();
    keystone = TestKeystone.start(TestServer.vertx(), InstantSource.system());
    glint = TestServer.start(keystone.glintSettings());
  }

  @AfterAll
  static void stop() {
    glint.close();
    keystone.close();
    BlockedThreadWatch.assertNoneSince(warningsBefore);
  }

  @BeforeEach
  void clean() {
    glint.reset();
    keystone.failWith(0);
  }

  private static Api as(String token) {
    return Api.anonymous(glint).with("X-Auth-Token", token);
  }

  private static JsonObject image(String name) {
    return new JsonObject().put("name", name).put("disk_format", "raw").put("container_format", "bare");
  }

  @Test
  @DisplayName("a valid token: the image belongs to the token's project, and the caller sees it")
  void validToken() {
    Api alice = as(keystone.issue(Identity.member("p-alice")));
    JsonObject created = alice.create(image("mine"));
    assertEquals("p-alice", created.getString("owner"));
    assertEquals(200, alice.get("/v2/images/" + created.getString("id")).status());
    assertEquals(List.of(created.getString("id")), alice.get("/v2/images").ids());
    assertEquals(404, as(keystone.issue(Identity.member("p-bob"))).get("/v2/images/" + created.getString("id"))
        .status(), "another project's private image is invisible");
  }

  @Test
  @DisplayName("an invalid token: 401 with WWW-Authenticate naming www_authenticate_uri, and Glance's 401 body")
  void invalidToken() {
    Api.Response r = as("gAAAAAnot-a-token").get("/v2/images");
    assertEquals(401, r.status());
    assertEquals("Keystone uri=\"http://keystone.example.com:5000\"", r.header("WWW-Authenticate"));
    assertEquals("401 Unauthorized", r.json().getString("code"));
    assertEquals("Unauthorized", r.json().getString("title"));
    assertTrue(r.message().startsWith("This server could not verify that you are authorized"), r.message());
  }

  @Test
  @DisplayName("no token: 401 with WWW-Authenticate on the API; /, /versions and /healthcheck answer without one")
  void missingToken() {
    Api nobody = Api.anonymous(glint);
    int asked = keystone.validations();
    Api.Response r = nobody.get("/v2/images");
    assertEquals(401, r.status());
    assertEquals("Keystone uri=\"http://keystone.example.com:5000\"", r.header("WWW-Authenticate"));
    assertEquals(401, nobody.post("/v2/images", image("x")).status());
    assertEquals(300, nobody.get("/").status());
    assertEquals(200, nobody.get("/versions").status());
    assertEquals(200, nobody.get("/healthcheck").status());
    assertEquals(asked, keystone.validations(), "Keystone is not asked about nothing");
  }

  @Test
  @DisplayName("identity headers sent by a client are ignored: no admin by X-Roles, no other project by X-Project-Id")
  void forgedHeaders() {
    Api forged = Api.anonymous(glint).with("X-Identity-Status", "Confirmed").with("X-Roles", "admin")
        .with("X-Project-Id", "p-victim").with("X-User-Id", "root");
    assertEquals(401, forged.get("/v2/images").status(), "headers alone authenticate nobody, even from loopback");
    Api member = forged.with("X-Auth-Token", keystone.issue(Identity.member("p-member")));
    JsonObject created = member.create(image("owned"));
    assertEquals("p-member", created.getString("owner"));
    assertEquals(403, member.post("/v2/images", image("pub").put("visibility", "public")).status(),
        "publicizing needs admin: X-Roles: admin was not believed");
  }

  @Test
  @DisplayName("a cached token costs no round trip to Keystone")
  void cachedToken() {
    String token = keystone.issue(Identity.member("p-cached"));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, as(token).get("/v2/images").status());
    }
    assertEquals(1, keystone.validations(token));
  }

  @Test
  @DisplayName("32 concurrent requests with one uncached token cause one validation")
  void concurrentRequestsOneValidation() throws Exception {
    String token = keystone.issue(Identity.member("p-crowd"));
    keystone.hold();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    try {
      for (int i = 0; i < 32; i++) {
        responses.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(glint.base() + "/v2/images"))
            .header("X-Auth-Token", token).build(), HttpResponse.BodyHandlers.ofString()));
      }
      Await.until(() -> keystone.validations(token) >= 1, Duration.ofSeconds(10), "the validation reached Keystone");
    } finally {
      keystone.release();
    }
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      assertEquals(200, r.get().statusCode());
    }
    assertEquals(1, keystone.validations(token));
  }

  @Test
  @DisplayName("an upload whose token is being validated loses no byte: the body waits for the answer")
  void uploadWhileValidating() throws Exception {
    String owner = keystone.issue(Identity.member("p-upload"));
    String id = as(owner).create(image("data")).getString("id");
    String uploader = keystone.issue(Identity.member("p-upload"));
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(7).nextBytes(data);
    keystone.hold();
    CompletableFuture<HttpResponse<String>> upload;
    try {
      upload = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(glint.base() + "/v2/images/" + id + "/file"))
          .header("X-Auth-Token", uploader).header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
      Await.until(() -> keystone.validations(uploader) == 1, Duration.ofSeconds(10), "the validation reached Keystone");
    } finally {
      keystone.release();
    }
    assertEquals(204, upload.get().statusCode(), upload.get().body());
    JsonObject shown = as(owner).get("/v2/images/" + id).json();
    assertEquals("active", shown.getString("status"));
    assertEquals(data.length, shown.getLong("size"));
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)), shown.getString("checksum"));
  }

  @Test
  @DisplayName("Keystone failing: 503 for a token not yet validated (never a pass); validated tokens keep working")
  void keystoneFailing() {
    String cached = keystone.issue(Identity.member("p-ok"));
    assertEquals(200, as(cached).get("/v2/images").status());
    keystone.failWith(500);
    Api.Response r = as(keystone.issue(Identity.member("p-new"))).get("/v2/images");
    assertEquals(503, r.status());
    assertTrue(r.message().contains("Keystone"), r.message());
    assertEquals(200, as(cached).get("/v2/images").status());
  }

  @Test
  @DisplayName("Glint starts while Keystone is unreachable, serves /versions, and answers 503 to tokens")
  void keystoneUnreachable() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    Map<String, String> settings = new HashMap<>(keystone.glintSettings());
    settings.put("keystone_authtoken.auth_url", "http://127.0.0.1:" + deadPort + "/v3");
    try (TestServer orphan = TestServer.start(settings)) {
      assertEquals(200, Api.anonymous(orphan).get("/versions").status());
      Api.Response r = Api.anonymous(orphan).with("X-Auth-Token", keystone.issue(Identity.member("p-x")))
          .get("/v2/images");
      assertEquals(503, r.status());
      assertEquals(401, Api.anonymous(orphan).get("/v2/images").status(), "no token: 401 without asking Keystone");
    }
  }
}
