package io.glint.robustness;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import com.sun.net.httpserver.HttpServer;
import io.glint.testing.BytesHandler;
import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A bounded, seeded fuzz run against a real Glint over real sockets: JSON bodies, JSON-patch documents, query
 * strings, and headers and paths, each generated from a fixed seed by mutating valid requests. Whatever the
 * request, Glint must answer it, within {@value #TIMEOUT_MS} ms, with a status below 500 (or 501 for a transfer
 * coding other than a lone {@code chunked}, as RFC 9112 §6.1 says). A connection closed
 * without an answer is a failure too, unless the request was deliberately malformed at the HTTP framing level
 * (a request line or header that cannot be parsed, a bad {@code Content-Length} or chunk).
 *
 * <p>Every request is written by hand over its own socket ({@code Connection: close}), so that bytes an
 * ordinary client refuses to send (a custom {@code Host}, {@code %zz} in a query, raw control characters) can
 * be sent. Each test seeds the database with real images (one with data, one shared with an accepted member,
 * public, community, hidden) so that ids and markers are real as well as random; location patches go half to
 * the shared Glint (locations hidden) and half to a second Glint with {@code show_multiple_locations} and a
 * local origin, so that they get past the visibility check.
 *
 * <p>Bounded by request count (about 6,500 in all); a family stops after {@value #MAX_TIMEOUTS} requests
 * without an answer. Replay with {@code -Dglint.fuzz.seed=N} (the seed is in every failure message); scale
 * with {@code -Dglint.fuzz.factor=F}; print every request with {@code -Dglint.fuzz.verbose=true}. A failure
 * lists the distinct failure classes (outcome and the root cause Glint logged), the routes each happened on,
 * the smallest example with a {@code printf ... | nc} reproduction, and the smallest example of other routes.
 */
@DisplayName("Fuzzing: malformed requests are answered in time, never with a 5xx")
class GlanceFuzzTest extends ApiTestBase {

  private static final long SEED = Long.getLong("glint.fuzz.seed", 20261126L);
  private static final double FACTOR = Double.parseDouble(System.getProperty("glint.fuzz.factor", "1"));
  private static final int TIMEOUT_MS = 10_000;
  /** A family stops after this many requests without an answer in time: each costs the whole timeout. */
  private static final int MAX_TIMEOUTS = 3;
  private static final int MAX_LISTED = 20;
  /** Print every request and its answer ({@code -Dglint.fuzz.verbose=true}). */
  private static final boolean VERBOSE = Boolean.getBoolean("glint.fuzz.verbose");

  private static final Who ALICE = Who.of("alice", "project-a", "member");
  private static final Who BOB = Who.of("bob", "project-b", "member");
  private static final Who ADMIN = Who.of("admin", "project-admin", "admin,member");
  private static final Who READER = Who.of("reader", "project-a", "reader");
  private static final Who ANONYMOUS =
      new Who("anonymous", java.util.Collections.singletonList(new String[] {"Accept", "application/json"}));

  /** A second Glint on the same database with {@code show_multiple_locations}, so location patches apply. */
  private static TestServer locationsGlint;
  /** An origin for location URLs: any path, 1,000 bytes. */
  private static HttpServer origin;
  private static ExecutorService writer;
  private static final ServerLog SERVER_LOG = new ServerLog();

  private Fixture fixture;

  // ------------------------------------------------------------------------------------------------------------
  // set-up

  @BeforeAll
  static void startHelpers() throws IOException {
    byte[] data = Bytes.random(1000, 3);
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    origin.createContext("/", new BytesHandler(data));
    origin.start();
    locationsGlint = TestServer.start(Map.of(
        "show_multiple_locations", "true",
        "show_image_direct_url", "true",
        "import_filtering_opts.allowed_hosts", "127.0.0.1",
        "import_filtering_opts.allowed_ports", ""));
    writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-writer");
      t.setDaemon(true);
      return t;
    });
    SERVER_LOG.install();
  }

  @AfterAll
  static void stopHelpers() {
    SERVER_LOG.uninstall();
    writer.shutdownNow();
    locationsGlint.close();
    origin.stop(0);
  }

  /** Ids of real images: active with data, queued, shared with an accepted member, public, community, hidden. */
  private record Fixture(String active, String queued, String shared, String publicImage, String community,
      String hidden, List<String> ids) {}

  @BeforeEach
  void seedImages() {
    String active = alice.create(new JsonObject().put("name", "cirros").put("disk_format", "raw")
        .put("container_format", "bare").put("tags", new JsonArray().add("a").add("b"))
        .put("os_distro", "cirros")).getString("id");
    ok(alice.upload(active, Bytes.random(1024, 7)));
    String queued = alice.create(new JsonObject().put("name", "queued").put("visibility", "private")
        .put("tags", new JsonArray().add("x")).put("hw_disk_bus", "virtio")).getString("id");
    String shared = alice.create(new JsonObject().put("name", "shared").put("visibility", "shared")
        .put("disk_format", "qcow2").put("container_format", "bare")).getString("id");
    ok(alice.post("/v2/images/" + shared + "/members", new JsonObject().put("member", "project-b")));
    ok(bob.send("PUT", "/v2/images/" + shared + "/members/project-b",
        new JsonObject().put("status", "accepted").encode(), "application/json"));
    String publicImage = admin.create(new JsonObject().put("name", "public").put("visibility", "public")
        .put("os_distro", "ubuntu")).getString("id");
    String community = bob.create(new JsonObject().put("name", "community").put("visibility", "community"))
        .getString("id");
    String hidden = admin.create(new JsonObject().put("name", "hidden").put("visibility", "public")
        .put("os_hidden", true).put("protected", true)).getString("id");
    fixture = new Fixture(active, queued, shared, publicImage, community, hidden,
        List.of(active, queued, shared, publicImage, community, hidden));
  }

  private static void ok(Api.Response r) {
    assertTrue(r.status() < 300, () -> "fixture request failed: " + r);
  }

  // ------------------------------------------------------------------------------------------------------------
  // the four families

  @Test
  @DisplayName("mutated JSON bodies for create, add member and update member never get a 5xx")
  void jsonBodies() {
    Campaign c = new Campaign("jsonBodies");
    int n = count(1500);
    for (int i = 0; i < n && c.going(); i++) {
      c.run(jsonRequest(c.random));
    }
    c.check();
  }

  @Test
  @DisplayName("mutated JSON-patch documents never get a 5xx, with locations visible or not")
  void patchDocuments() {
    Campaign c = new Campaign("patchDocuments");
    Api locAlice = Api.as(locationsGlint, "project-a", "member");
    List<String> queuedOnLoc = new ArrayList<>();
    int n = count(1500);
    for (int i = 0; i < n && c.going(); i++) {
      if (i % 20 == 0) {
        queuedOnLoc.add(locAlice.create(new JsonObject().put("name", "loc-" + i).put("disk_format", "raw")
            .put("container_format", "bare")).getString("id"));
      }
      c.run(patchRequest(c.random, queuedOnLoc));
    }
    c.check();
  }

  @Test
  @DisplayName("random query strings for the image and member lists never get a 5xx")
  void queryStrings() {
    Campaign c = new Campaign("queryStrings");
    int n = count(2000);
    for (int i = 0; i < n && c.going(); i++) {
      c.run(queryRequest(c.random));
    }
    c.check();
  }

  @Test
  @DisplayName("odd headers and path segments on every route never get a 5xx")
  void headersAndPaths() {
    Campaign c = new Campaign("headersAndPaths");
    for (Req probe : probes()) {
      c.run(probe);
    }
    int n = count(1500);
    for (int i = 0; i < n && c.going(); i++) {
      c.run(headerPathRequest(c.random));
    }
    c.check();
  }

  private static int count(int base) {
    return Math.max(1, (int) Math.round(base * FACTOR));
  }

  // ------------------------------------------------------------------------------------------------------------
  // family 1: JSON bodies

  private static final List<String> CREATE_KEYS = List.of("name", "id", "status", "location", "locations", "owner",
      "visibility", "protected", "os_hidden", "min_disk", "min_ram", "tags", "disk_format", "container_format",
      "checksum", "size", "virtual_size", "created_at", "updated_at", "self", "file", "schema", "direct_url",
      "deleted", "os_glance_foo", "os_hash_value", "os_hash_algo", "kernel_id", "ramdisk_id", "instance_uuid",
      "member", "os_distro", "hw_disk_bus", "stores");
  private static final List<String> MEMBER_KEYS = List.of("member", "status", "image_id", "member_id",
      "created_at", "can_share", "id");

  private Req jsonRequest(Random r) {
    Fixture f = fixture;
    int target = r.nextInt(10);
    Req q;
    Map<String, Object> m = new LinkedHashMap<>();
    List<String> keys;
    if (target < 6) {
      q = new Req(server.port(), "POST /v2/images", "POST", "/v2/images");
      q.who = pick(r, ALICE, ALICE, ALICE, ADMIN, BOB, READER);
      keys = CREATE_KEYS;
      if (r.nextBoolean()) {
        m.put("name", "fuzz-" + r.nextInt(1000));
      }
      if (r.nextBoolean()) {
        m.put("disk_format", pick(r, "raw", "qcow2", "iso"));
        m.put("container_format", pick(r, "bare", "ovf"));
      }
      if (r.nextInt(3) == 0) {
        m.put("visibility", pick(r, "private", "shared", "public", "community"));
      }
      if (r.nextInt(3) == 0) {
        m.put("tags", new ArrayList<>(List.of("t" + r.nextInt(5))));
      }
      if (r.nextInt(3) == 0) {
        m.put("min_disk", (long) r.nextInt(10));
      }
      if (r.nextInt(3) == 0) {
        m.put("os_distro", "linux");
      }
    } else if (target < 8) {
      String id = r.nextInt(5) == 0 ? pick(r, f.ids()) : f.shared();
      q = new Req(server.port(), "POST /v2/images/{id}/members", "POST", "/v2/images/" + id + "/members");
      q.who = pick(r, ALICE, ALICE, ADMIN, BOB);
      keys = MEMBER_KEYS;
      m.put("member", "project-" + r.nextInt(1_000_000));
    } else {
      q = new Req(server.port(), "PUT /v2/images/{id}/members/{member}", "PUT",
          "/v2/images/" + f.shared() + "/members/project-b");
      q.who = pick(r, BOB, BOB, BOB, ALICE, ADMIN);
      keys = MEMBER_KEYS;
      m.put("status", pick(r, "accepted", "pending", "rejected"));
    }
    List<String> shape = new ArrayList<>();
    Object body = m;
    int mutations = 1 + r.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      int k = r.nextInt(14);
      if (k < 7) {
        String key = r.nextInt(5) == 0 ? weirdKey(r) : pick(r, keys);
        Object v = randomValue(r, 0);
        m.put(key, v);
        shape.add(keyLabel(key) + "=" + kind(v));
      } else if (k == 7 && !m.isEmpty()) {
        String key = pick(r, new ArrayList<>(m.keySet()));
        m.remove(key);
        shape.add("-" + keyLabel(key));
      } else if (k == 8) {
        String key = pick(r, keys);
        int depth = 20 + r.nextInt(300);
        m.put(key, nested(r, depth));
        shape.add(keyLabel(key) + "=nested");
      } else if (k == 9) {
        List<Object> tags = new ArrayList<>();
        int count = r.nextInt(8) == 0 ? 129 + r.nextInt(10) : 1 + r.nextInt(4);
        for (int t = 0; t < count; t++) {
          tags.add(r.nextInt(3) == 0 ? randomValue(r, 1) : randomString(r));
        }
        m.put("tags", tags);
        shape.add("tags=list(" + (count > 128 ? "over-quota" : "random") + ")");
      } else if (k == 10 && r.nextInt(3) == 0) {
        body = randomValue(r, 0);
        shape.add("root=" + kind(body));
        break;
      } else if (k == 11) {
        int props = 120 + r.nextInt(20);
        for (int p = 0; p < props; p++) {
          m.put("prop_" + p, "v");
        }
        shape.add("many-properties");
      } else {
        String key = pick(r, keys);
        String v = randomString(r);
        m.put(key, v);
        shape.add(keyLabel(key) + "=" + stringKind(v));
      }
    }
    byte[] bytes = json(body, r).getBytes(StandardCharsets.UTF_8);
    if (r.nextInt(4) == 0) {
      bytes = mutateBytes(r, bytes, body, shape);
    }
    q.body = bytes;
    if (r.nextInt(8) == 0) {
      String type = pick(r, "text/plain", "", "application/json; charset=utf-16", "application/json; charset=\u0001",
          "application/x-www-form-urlencoded", "*/*", "application/octet-stream", "multipart/form-data; boundary=x",
          "multipart/form-data", Api.PATCH_V21, "application/json;;;", "application/json; charset=latin1");
      q.header("Content-Type", type);
      shape.add("content-type:" + type);
      if (type.contains("form") && r.nextBoolean()) {
        // a form body proper: what a form decoder in front of the JSON parser would choke on
        int kind = r.nextInt(4);
        q.body = switch (kind) {
          case 0 -> "a=%zz&b=%".getBytes(StandardCharsets.US_ASCII);
          case 1 -> formFields(300 + r.nextInt(100));
          case 2 -> "x".repeat(1025 + r.nextInt(3000)).getBytes(StandardCharsets.US_ASCII);
          default -> ("a=" + "x".repeat(2000 + r.nextInt(3000))).getBytes(StandardCharsets.US_ASCII);
        };
        shape.add("form-body:" + List.of("bad-escape", "many-fields", "long-unnamed-field", "long-value").get(kind));
      }
    } else if (r.nextInt(30) == 0) {
      shape.add("no content-type");
    } else {
      q.header("Content-Type", "application/json");
    }
    q.shape = String.join(" ", shape);
    return q;
  }

  private static byte[] formFields(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : "&").append('f').append(i).append("=1");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static final String[] INVALID_UTF8 = {"\\xc0\\xaf", "\\xff", "\\xfe", "\\xed\\xa0\\x80",
      "\\xf8\\x88\\x80\\x80\\x80",
      "\\x80", "\\xe2\\x82", "\\xc3", "\\xf4\\x90\\x80\\x80"};

  private byte[] mutateBytes(Random r, byte[] bytes, Object body, List<String> shape) {
    switch (r.nextInt(12)) {
      case 0 -> {
        shape.add("bytes:truncated");
        return Arrays.copyOf(bytes, bytes.length == 0 ? 0 : r.nextInt(bytes.length));
      }
      case 1 -> {
        if (bytes.length > 0) {
          bytes = bytes.clone();
          bytes[r.nextInt(bytes.length)] ^= (byte) (1 + r.nextInt(255));
        }
        shape.add("bytes:flipped");
        return bytes;
      }
      case 2 -> {
        shape.add("bytes:invalid-utf8-in-string");
        byte[] bad = unescape(pick(r, INVALID_UTF8));
        int at = indexAfterQuote(r, bytes);
        return splice(bytes, at, bad);
      }
      case 3 -> {
        if (bytes.length > 0 && bytes[0] == '{' && body instanceof Map<?, ?> map && !map.isEmpty()) {
          String key = (String) pick(r, new ArrayList<>(map.keySet()));
          StringBuilder sb = new StringBuilder();
          quote(sb, key, false);
          sb.append(':');
          write(sb, randomValue(r, 1), r);
          sb.append(map.size() > 0 ? "," : "");
          shape.add("bytes:duplicate-key");
          return splice(bytes, 1, sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        shape.add("bytes:trailing-garbage");
        return concat(bytes, "}".getBytes(StandardCharsets.US_ASCII));
      }
      case 4 -> {
        int depth = r.nextInt(8) == 0 ? 2000 + r.nextInt(3000) : 100 + r.nextInt(700);
        shape.add("bytes:deep-nesting-" + (depth >= 1000 ? "over-1000" : "under-1000"));
        StringBuilder sb = new StringBuilder();
        boolean arrays = r.nextBoolean();
        sb.append("{\"name\":");
        for (int i = 0; i < depth; i++) {
          sb.append(arrays ? "[" : "{\"a\":");
        }
        sb.append("1");
        for (int i = 0; i < depth; i++) {
          sb.append(arrays ? "]" : "}");
        }
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
      }
      case 5 -> {
        shape.add("bytes:bom");
        return concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, bytes);
      }
      case 6 -> {
        String tail = pick(r, "}", ",", "\u0000", " x", "{}", "]", "\"");
        shape.add("bytes:trailing-garbage");
        return concat(bytes, tail.getBytes(StandardCharsets.UTF_8));
      }
      case 7 -> {
        shape.add("bytes:empty-or-blank");
        return pick(r, "", " ", "\r\n", "\t").getBytes(StandardCharsets.US_ASCII);
      }
      case 8 -> {
        shape.add("bytes:utf16");
        return new String(bytes, StandardCharsets.UTF_8)
            .getBytes(r.nextBoolean() ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
      }
      case 9 -> {
        shape.add("bytes:raw-control-in-string");
        return splice(bytes, indexAfterQuote(r, bytes), new byte[] {(byte) (int) pick(r, 0, 1, 0x1f, 0x7f)});
      }
      case 10 -> {
        shape.add("bytes:long-number");
        if (bytes.length > 1 && bytes[0] == '{') {
          String digits = "\"min_ram\":" + "9".repeat(900 + r.nextInt(600)) + (bytes.length > 2 ? "," : "");
          return splice(bytes, 1, digits.getBytes(StandardCharsets.US_ASCII));
        }
        return "9".repeat(1500).getBytes(StandardCharsets.US_ASCII);
      }
      default -> {
        shape.add("bytes:cesu-surrogate");
        return splice(bytes, indexAfterQuote(r, bytes), new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0xbd,
            (byte) 0xed, (byte) 0xb8, (byte) 0x80});
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // family 2: JSON-patch documents

  private static final List<String> PATCH_PATHS = List.of("/name", "/tags", "/tags/-", "/tags/0", "/locations",
      "/locations/0", "/locations/-", "/locations/1", "/locations/99", "/locations/-1", "/locations/x", "/x", "/a/b",
      "/~0", "/~1", "/a~1b", "/~2", "/~", "", "/", "name", "//name", "/name/", "/os_distro", "/min_disk", "/min_ram",
      "/protected", "/visibility", "/owner", "/id", "/status", "/checksum", "/size", "/os_hidden", "/disk_format",
      "/container_format", "/direct_url", "/os_glance_x", "/x\u0000y", "/\u0000", "/\ud800", "/🙂", "/kernel_id",
      "/ramdisk_id", "/locations/0/url", "/tags/~1");
  private static final List<Object> PATCH_OPS = Arrays.asList("add", "add", "replace", "replace", "remove", "move",
      "copy", "test", "foo", "", "ADD", null, 5L);

  private Req patchRequest(Random r, List<String> queuedOnLoc) {
    Fixture f = fixture;
    boolean loc = r.nextInt(10) < 7;
    String id;
    if (loc && r.nextInt(3) > 0) {
      id = queuedOnLoc.get(Math.max(0, queuedOnLoc.size() - 1 - r.nextInt(3)));
    } else if (r.nextInt(15) == 0) {
      id = pick(r, randomUuid(r), "%00", "x", randomUuid(r) + "%00");
    } else {
      id = pick(r, f.ids());
    }
    Req q = new Req(loc ? locationsGlint.port() : server.port(), "PATCH /v2/images/{id}", "PATCH",
        "/v2/images/" + id);
    q.who = pick(r, ALICE, ALICE, ADMIN, ADMIN, BOB, READER);
    boolean draft4 = r.nextInt(5) == 0;
    List<String> shape = new ArrayList<>();
    shape.add(loc ? "locations-visible" : "locations-hidden");
    Object body;
    if (r.nextInt(10) == 0) {
      body = r.nextBoolean() ? randomValue(r, 0)
          : map("op", "replace", "path", "/name", "value", "not-in-a-list");
      shape.add("root=" + kind(body));
    } else {
      List<Object> ops = new ArrayList<>();
      int n = r.nextInt(12) == 0 ? 0 : r.nextInt(5) < 3 ? 1 : 2 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        ops.add(r.nextInt(5) < 3 ? plausibleOp(r, draft4, shape) : patchOp(r, draft4, shape));
      }
      body = ops;
    }
    byte[] bytes = json(body, r).getBytes(StandardCharsets.UTF_8);
    if (r.nextInt(12) == 0) {
      bytes = mutateBytes(r, bytes, body, shape);
    }
    q.body = bytes;
    String type = draft4 ? Api.PATCH_V20 : Api.PATCH_V21;
    if (r.nextInt(15) == 0) {
      type = pick(r, "application/json", "application/json-patch+json", Api.PATCH_V21 + "; charset=utf-8",
          Api.PATCH_V21 + ";", "application/openstack-images-v2.2-json-patch", "", "text/plain",
          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x");
      shape.add("content-type:" + type);
    }
    q.header("Content-Type", type);
    if (draft4) {
      shape.add("v2.0");
    }
    q.shape = String.join(" ", shape);
    return q;
  }

  /** An op of a valid shape (known op, sensible path) whose value is random: it gets past validation. */
  private Object plausibleOp(Random r, boolean draft4, List<String> shape) {
    String op;
    String path;
    Object value;
    switch (r.nextInt(12)) {
      case 0 -> { op = "replace"; path = "/name"; value = randomString(r); }
      case 1 -> { op = "add"; path = "/tags/-"; value = randomString(r); }
      case 2 -> { op = "replace"; path = "/tags"; value = new ArrayList<>(List.of(randomString(r))); }
      case 3 -> { op = "add"; path = "/" + pick(r, "os_distro", "prop_" + r.nextInt(3), "hw_disk_bus");
        value = randomString(r); }
      case 4 -> { op = "add"; path = "/" + escapePointer(weirdKey(r)); value = randomString(r); }
      case 5 -> { op = "replace"; path = pick(r, "/min_disk", "/min_ram"); value = randomValue(r, 2); }
      case 6, 7, 8 -> { op = "add"; path = pick(r, "/locations/-", "/locations/0", "/locations/1");
        value = location(r, shape); }
      case 9 -> { op = "replace"; path = "/locations"; value = new ArrayList<>(List.of(location(r, shape))); }
      case 10 -> { op = "remove"; path = pick(r, "/locations/0", "/locations/1", "/os_distro", "/tags", "/name");
        value = null; }
      default -> { op = "replace"; path = pick(r, "/visibility", "/protected", "/os_hidden", "/disk_format",
          "/container_format"); value = randomValue(r, 2); }
    }
    Map<String, Object> change = new LinkedHashMap<>();
    if (draft4) {
      change.put(op, path);
    } else {
      change.put("op", op);
      change.put("path", path);
    }
    if (!op.equals("remove")) {
      change.put("value", value);
    }
    shape.add(op + " " + pathLabel(path) + (op.equals("remove") ? "" : "=" + kind(value)));
    return change;
  }

  private static String escapePointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private Object patchOp(Random r, boolean draft4, List<String> shape) {
    Object op = pick(r, PATCH_OPS);
    String path = pick(r, PATCH_PATHS);
    if (r.nextInt(15) == 0) {
      path = "/" + "x".repeat(300 + r.nextInt(3000));
    }
    Object value;
    String valueKind;
    if (path.startsWith("/locations") && r.nextInt(4) > 0) {
      value = path.equals("/locations") ? new ArrayList<>(List.of(location(r, shape))) : location(r, shape);
      valueKind = "location";
    } else if (path.startsWith("/tags") && r.nextBoolean()) {
      value = path.equals("/tags") ? new ArrayList<>(List.of(randomString(r), randomString(r))) : randomString(r);
      valueKind = "tags:" + kind(value);
    } else if (r.nextInt(3) == 0) {
      value = randomString(r);
      valueKind = kind(value);
    } else {
      value = randomValue(r, 0);
      valueKind = kind(value);
    }
    Map<String, Object> change = new LinkedHashMap<>();
    if (draft4) {
      String name = op instanceof String s && !s.isEmpty() ? s : "replace";
      change.put(name, r.nextInt(20) == 0 ? randomValue(r, 1) : path);
    } else {
      if (r.nextInt(25) > 0) {
        change.put("op", op);
      }
      if (r.nextInt(25) > 0) {
        change.put("path", r.nextInt(30) == 0 ? randomValue(r, 1) : path);
      }
    }
    if (r.nextInt(12) > 0) {
      change.put("value", value);
    }
    if ("move".equals(op) || "copy".equals(op) || r.nextInt(20) == 0) {
      change.put("from", pick(r, PATCH_PATHS));
    }
    if (r.nextInt(20) == 0) {
      change.put(weirdKey(r), randomValue(r, 1));
    }
    shape.add(op + " " + pathLabel(path) + "=" + valueKind);
    return r.nextInt(40) == 0 ? randomValue(r, 1) : change;
  }

  private Object location(Random r, List<String> shape) {
    int port = origin.getAddress().getPort();
    String base = "http://127.0.0.1:" + port;
    String url;
    String kind;
    switch (r.nextInt(20)) {
      case 0 -> { url = "file:///etc/passwd"; kind = "file"; }
      case 1 -> { url = "http://127.0.0.1/"; kind = "port-80"; }
      case 2 -> { url = "http://127.0.0.1:99999/x"; kind = "bad-port"; }
      case 3 -> { url = "http://[::1"; kind = "bad-ipv6"; }
      case 4 -> { url = base + "/" + "x".repeat(250 + r.nextInt(3000)); kind = "long"; }
      case 5 -> { url = base + "/a\u0000b"; kind = "NUL"; }
      case 6 -> { url = base + "/a%00b-" + r.nextInt(1_000_000); kind = "pct00"; }
      case 7 -> { url = "swift+config://ref1/container/obj"; kind = "swift"; }
      case 8 -> { url = pick(r, "", " ", "http://", "http:", "://", "\u0000"); kind = "empty-ish"; }
      case 9 -> { url = base + "/\ud800-" + r.nextInt(1_000_000); kind = "lone-surrogate"; }
      case 10 -> { url = "http://0x7f000001:" + port + "/hex-" + r.nextInt(1_000_000); kind = "hex-ip"; }
      case 11 -> { url = "http://user:pass@127.0.0.1:" + port + "/u-" + r.nextInt(1_000_000); kind = "userinfo"; }
      case 12 -> { url = "http://localhost:" + port + "/l"; kind = "hostname"; }
      case 13 -> { url = base + "/🙂-" + r.nextInt(1_000_000) + "?q=%zz#frag"; kind = "unicode"; }
      default -> { url = base + "/img-" + r.nextInt(1_000_000); kind = "origin"; }
    }
    Map<String, Object> loc = new LinkedHashMap<>();
    if (r.nextInt(20) > 0) {
      loc.put("url", r.nextInt(20) == 0 ? randomValue(r, 2) : url);
    }
    Object metadata;
    String metaKind;
    int m = r.nextInt(10);
    if (m < 3) {
      metadata = new LinkedHashMap<>();
      metaKind = "{}";
    } else if (m < 9) {
      Map<String, Object> meta = new LinkedHashMap<>();
      int entries = 1 + r.nextInt(3);
      List<String> kinds = new ArrayList<>();
      for (int i = 0; i < entries; i++) {
        String key = r.nextInt(3) == 0 ? weirdKey(r) : pick(r, "store", "backend", "k", "size");
        Object v = randomValue(r, 1);
        meta.put(key, v);
        kinds.add(keyLabel(key) + ":" + kind(v));
      }
      metadata = meta;
      metaKind = "{" + String.join(",", kinds) + "}";
    } else {
      metadata = randomValue(r, 2);
      metaKind = kind(metadata);
    }
    if (r.nextInt(20) > 0) {
      loc.put("metadata", metadata);
    }
    if (r.nextInt(10) == 0) {
      Map<String, Object> vd = new LinkedHashMap<>();
      vd.put(pick(r, "checksum", "os_hash_algo", "os_hash_value", "x"), randomString(r));
      vd.put("os_hash_algo", pick(r, "sha512", "md5", "", "\u0000"));
      vd.put("os_hash_value", pick(r, "0".repeat(128), "zz", ""));
      loc.put("validation_data", vd);
      metaKind += "+validation_data";
    }
    shape.add("url:" + kind + " metadata:" + metaKind);
    return loc;
  }

  // ------------------------------------------------------------------------------------------------------------
  // family 3: query strings

  private static final List<String> QUERY_NAMES = List.of("limit", "marker", "sort", "sort_key", "sort_dir", "name",
      "status", "visibility", "owner", "tag", "member_status", "size_min", "size_max", "created_at", "updated_at",
      "os_hidden", "protected", "checksum", "id", "disk_format", "container_format", "os_distro", "hw_disk_bus",
      "min_disk", "os_hash_value");
  private static final List<String> GARBAGE = List.of("%00", "%ff", "%c0%af", "%", "%zz", "%e2%82", "%ed%a0%80", "+",
      "%2B", "%26", "%3D", "%25", "%f0%9f%99%82", "%0d%0a", "%u0041", "%%", "%0", "%fe%ff");

  private Req queryRequest(Random r) {
    Fixture f = fixture;
    boolean members = r.nextInt(7) == 0;
    List<String> shape = new ArrayList<>();
    StringBuilder query = new StringBuilder();
    int n = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(5);
    for (int i = 0; i < n; i++) {
      String name;
      int which = r.nextInt(20);
      if (which == 0) {
        name = pick(r, "", "%00", "a%00", "limit%5B%5D", "x".repeat(300), "%", "%zz", "os_glance_x", "limit ");
      } else if (which == 1) {
        name = "prop_" + r.nextInt(5);
      } else {
        name = pick(r, QUERY_NAMES);
      }
      String value = queryValue(r, f, name);
      String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
      String label = nameLabel(name) + "=" + valueLabel(value);
      if (r.nextInt(5) == 0) {
        String g = pick(r, GARBAGE);
        int at = r.nextInt(encoded.length() + 1);
        encoded = encoded.substring(0, at) + g + encoded.substring(at);
        label += "+" + g;
      }
      if (r.nextInt(10) == 0) {
        encoded = "x".repeat(2000 + r.nextInt(14000));
        label = nameLabel(name) + "=very-long";
      }
      if (query.length() > 0 || r.nextInt(20) == 0) {
        query.append(pick(r, "&", "&", "&", "&", "&", "&&", ";", "&=&"));
      }
      int form = r.nextInt(20);
      if (form == 0) {
        query.append(name);
        label = nameLabel(name) + " (no =)";
      } else if (form == 1) {
        query.append(name).append("==").append(encoded);
      } else {
        query.append(name).append('=').append(encoded);
      }
      if (r.nextInt(10) == 0) {
        query.append('&').append(name).append('=').append(encoded);
        label += " (repeated)";
      }
      shape.add(label);
    }
    if (r.nextInt(30) == 0) {
      query.append(pick(r, "&", "#frag", "?", "=", "%"));
    }
    String id = r.nextInt(5) == 0 ? pick(r, f.ids()) : f.shared();
    String path = members ? "/v2/images/" + id + "/members" : "/v2/images";
    Req q = new Req(server.port(), members ? "GET /v2/images/{id}/members" : "GET /v2/images", "GET",
        path + (query.length() == 0 && r.nextBoolean() ? "" : "?" + query));
    q.who = pick(r, ALICE, ALICE, ALICE, BOB, ADMIN, ADMIN, READER, ANONYMOUS);
    q.shape = String.join(" & ", shape);
    return q;
  }

  private String queryValue(Random r, Fixture f, String name) {
    String op = pick(r, "gt:", "gte:", "lt:", "lte:", "eq:", "neq:", "foo:", "", "gt:gt:", "in:");
    switch (name) {
      case "limit":
        return pick(r, "0", "1", "2", "-1", "1000", "1001", "99999999999999999999", "abc", "", "1.5", " 1", "0x10",
            "2147483648", "1e3");
      case "marker":
        return pick(r, pick(r, f.ids()), pick(r, f.ids()), randomUuid(r), "", "x", pick(r, f.ids()) + "\u0000",
            "\u0000", randomString(r));
      case "sort_key":
        return pick(r, "name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at",
            "foo", "", "id,name", "name,name", "os_distro", "min_disk", "owner", "visibility", "\u0000");
      case "sort_dir":
        return pick(r, "asc", "desc", "up", "", "asc,desc", "ASC", "\u0000");
      case "sort": {
        StringBuilder sb = new StringBuilder();
        int keys = r.nextInt(4);
        for (int i = 0; i < keys; i++) {
          if (i > 0) {
            sb.append(',');
          }
          sb.append(pick(r, "name", "size", "id", "created_at", "foo", "", "os_distro", "status"));
          if (r.nextBoolean()) {
            sb.append(':').append(pick(r, "asc", "desc", "up", "", "asc:desc"));
          }
        }
        return r.nextInt(10) == 0 ? pick(r, ":", ",", "name:", ":asc", ",,,", "name:asc,") : sb.toString();
      }
      case "status":
        return pick(r, "active", "queued", "saving", "deactivated", "killed", "deleted", "pending_delete",
            "importing", "foo", "", "in:active,queued", "ACTIVE");
      case "visibility":
        return pick(r, "public", "private", "shared", "community", "all", "foo", "", "PUBLIC");
      case "member_status":
        return pick(r, "pending", "accepted", "rejected", "all", "foo", "");
      case "size_min":
      case "size_max":
      case "min_disk":
        return pick(r, "0", "1", "-1", "1024", "9223372036854775807", "9223372036854775808", "abc", "", "1.5",
            "1e3", "-9223372036854775809", " 5");
      case "created_at":
      case "updated_at":
        return op + pick(r, "2020-01-01T00:00:00Z", "2020-01-01", "2020-13-45T99:99:99Z", "99999-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "2020-01-01T00:00:00+25:00",
            "2020-01-01T00:00:00.123456789Z", "now", "", "1e10", "2020-01-01T00:00:00Z\u0000",
            "294277-01-01T00:00:00Z", "+294277-01-01T00:00:00Z", "5874898-01-01T00:00:00Z",
            "-4713-11-24T00:00:00Z", "2038-01-19T03:14:08Z", "1970-01-01T00:00:00-00:00", "2020-02-30T00:00:00Z",
            "2020-01-01T24:00:00Z", "2020-01-01T00:00:60Z", "2020-W01-1", "20200101T000000Z");
      case "os_hidden":
      case "protected":
        return pick(r, "true", "false", "True", "1", "yes", "", "maybe", "\u0000");
      case "id":
        return pick(r, "in:", "") + pick(r, f.ids()) + pick(r, "", "," + pick(r, f.ids()), "," + randomUuid(r),
            ",", ",,", ",\"" + pick(r, f.ids()) + "\"", ",\u0000", ",x");
      case "disk_format":
      case "container_format":
        return pick(r, "raw", "qcow2", "bare", "foo", "", "in:raw,qcow2", "\u0000");
      default:
        return r.nextInt(4) == 0 ? op + randomString(r) : randomString(r);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // family 4: headers and paths

  private Req headerPathRequest(Random r) {
    Fixture f = fixture;
    List<String> shape = new ArrayList<>();
    String idSeg = segment(r, f.ids(), shape, "id");
    String route;
    String method;
    String target;
    int which = r.nextInt(24);
    switch (which) {
      case 0, 1, 2 -> {
        route = "/v2/images/{id}";
        method = pick(r, "GET", "GET", "PATCH", "DELETE", "HEAD", "PUT", "POST");
        target = "/v2/images/" + idSeg;
      }
      case 3, 4, 5 -> {
        route = "/v2/images/{id}/file";
        method = pick(r, "GET", "GET", "PUT", "HEAD", "DELETE");
        target = "/v2/images/" + idSeg + "/file";
      }
      case 6, 7, 8 -> {
        String m = segment(r, List.of("project-b", "project-a", "project-c"), shape, "member");
        route = "/v2/images/{id}/members/{member}";
        method = pick(r, "GET", "PUT", "DELETE", "POST");
        target = "/v2/images/" + idSeg + "/members/" + m;
      }
      case 9, 10 -> {
        route = "/v2/images/{id}/members";
        method = pick(r, "GET", "POST", "PUT");
        target = "/v2/images/" + idSeg + "/members";
      }
      case 11, 12, 13 -> {
        String tag = segment(r, List.of("a", "b", "new-tag", "x"), shape, "tag");
        route = "/v2/images/{id}/tags/{tag}";
        method = pick(r, "PUT", "DELETE", "GET");
        target = "/v2/images/" + idSeg + "/tags/" + tag;
      }
      case 14, 15 -> {
        route = "/v2/images/{id}/actions/{action}";
        method = pick(r, "POST", "POST", "GET");
        target = "/v2/images/" + idSeg + "/actions/" + pick(r, "deactivate", "reactivate", "foo", "%00", "");
      }
      case 16, 17 -> {
        route = "/v2/images";
        method = pick(r, "GET", "POST", "DELETE");
        target = "/v2/images";
      }
      case 18 -> {
        route = "/v2/stores/{store}/{id}";
        method = "DELETE";
        target = "/v2/stores/" + segment(r, List.of("file", "http", "foo"), shape, "store") + "/" + idSeg;
      }
      default -> {
        route = "misc";
        method = pick(r, "GET", "GET", "HEAD", "POST");
        target = pick(r, "/", "/versions", "/healthcheck", "/v2", "/v2/", "/v2.1/images/" + idSeg, "/v2.99/images",
            "/v2.%00/images", "/v2/schemas/" + idSeg, "/v2/schemas/image", "/v2/info/stores", "/v2/info/stores/detail",
            "//v2/images", "/v2//images", "/v2/images/", "/v2/images/../versions", "/v2/images/%2e%2e/%2e%2e/versions",
            "*", "http://127.0.0.1/v2/images", "/v2/images?", "/v2/images#x", "/v3/images", "/v1/images",
            "/v2/images/" + idSeg + "/", "/v2/images/" + idSeg + "/file/x");
      }
    }
    if (r.nextInt(12) == 0) {
      method = pick(r, "OPTIONS", "TRACE", "FOO", "get", "PROPFIND", "HEAD", "PATCH", "M-SEARCH");
      shape.add("method:" + method);
    }
    Req q = new Req(server.port(), method + " " + route, method, target);
    q.who = pick(r, ALICE, ALICE, ALICE, ADMIN, ADMIN, BOB, READER, ANONYMOUS);
    // a plausible body for the route
    if (method.equals("PATCH")) {
      q.body = "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"h\"}]".getBytes(StandardCharsets.US_ASCII);
      q.header("Content-Type", Api.PATCH_V21);
    } else if (method.equals("POST") && route.equals("/v2/images")) {
      q.body = "{\"name\":\"h\"}".getBytes(StandardCharsets.US_ASCII);
      q.header("Content-Type", "application/json");
    } else if (method.equals("POST") && route.endsWith("/members")) {
      q.body = "{\"member\":\"project-c\"}".getBytes(StandardCharsets.US_ASCII);
      q.header("Content-Type", "application/json");
    } else if (method.equals("PUT") && route.endsWith("{member}")) {
      q.body = "{\"status\":\"accepted\"}".getBytes(StandardCharsets.US_ASCII);
      q.header("Content-Type", "application/json");
    } else if (method.equals("PUT") && route.endsWith("/file")) {
      q.body = Bytes.random(r.nextInt(2048), r.nextLong());
      q.header("Content-Type", "application/octet-stream");
    } else if (r.nextInt(15) == 0) {
      q.body = "{}".getBytes(StandardCharsets.US_ASCII);
      shape.add("unexpected-body");
    }
    int mutations = 1 + r.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      mutateHeader(r, q, shape);
    }
    q.shape = String.join(" ", shape);
    return q;
  }

  /** A few fixed requests that random generation reaches only rarely. */
  private List<Req> probes() {
    int port = server.port();
    List<Req> probes = new ArrayList<>();
    Req noHost = new Req(port, "GET /v2/images", "GET", "/v2/images");
    noHost.noHost = true;
    noHost.shape = "probe: no Host header";
    probes.add(noHost);
    Req badHost = new Req(port, "GET /v2/images", "GET", "/v2/images").header("Host", "a b");
    badHost.shape = "probe: Host with a space";
    probes.add(badHost);
    Req badAccept = new Req(port, "GET /v2/images/{id}", "GET", "/v2/images/" + UUID.randomUUID())
        .header("Accept", ";");
    badAccept.shape = "probe: a 404 with Accept ';'";
    probes.add(badAccept);
    Req nul = new Req(port, "GET /v2/images/{id}", "GET", "/v2/images/%00");
    nul.shape = "probe: %00 as the id";
    probes.add(nul);
    Req h2c = new Req(port, "GET /v2/images", "GET", "/v2/images").header("Upgrade", "h2c")
        .header("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA").header("Connection", "Upgrade");
    h2c.shape = "probe: h2c upgrade without HTTP2-Settings in Connection";
    probes.add(h2c);
    return probes;
  }

  private static String segment(Random r, List<String> real, List<String> shape, String what) {
    if (r.nextInt(5) < 3) {
      return pick(r, real);
    }
    String s;
    switch (r.nextInt(22)) {
      case 0 -> s = "%00";
      case 1 -> s = "a%00b";
      case 2 -> s = pick(r, real) + "%00";
      case 3 -> s = "%2f";
      case 4 -> s = "a%2Fb";
      case 5 -> s = "..";
      case 6 -> s = "%2e%2e";
      case 7 -> s = ".";
      case 8 -> s = "x".repeat(256 + r.nextInt(100));
      case 9 -> s = "x".repeat(5000 + r.nextInt(5000));
      case 10 -> s = "%e2%98%83";
      case 11 -> s = "☃";
      case 12 -> s = "%ff";
      case 13 -> s = "%c0%af";
      case 14 -> s = "%";
      case 15 -> s = "%zz";
      case 16 -> s = "";
      case 17 -> s = ";x";
      case 18 -> s = "%20";
      case 19 -> s = "%0d%0aX-Injected:%20yes";
      case 20 -> s = "%ed%a0%80";
      default -> s = randomUuid(r);
    }
    shape.add(what + ":" + (s.length() > 40 ? "long(" + s.length() + ")" : s));
    return s;
  }

  private static String randomUuid(Random r) {
    return new UUID(r.nextLong(), r.nextLong()).toString();
  }

  private static final String[] HEADER_NAMES = {"Host", "Accept", "Content-Type", "X-Roles", "X-Project-Id",
      "X-User-Id", "X-Identity-Status", "X-Openstack-Request-ID", "Range", "Content-Range", "X-Image-Meta-Store",
      "x-openstack-image-size", "X-Tenant-Id", "Accept-Encoding", "Content-Encoding", "Expect", "Connection",
      "Transfer-Encoding", "Content-Length", "X-Forwarded-For", "Forwarded", "X-Forwarded-Host", "X-Forwarded-Proto",
      "If-None-Match", "Origin", "X-Service-Roles", "X-Roles (duplicate)"};

  private static void mutateHeader(Random r, Req q, List<String> shape) {
    String name = pick(r, HEADER_NAMES);
    String value;
    switch (name) {
      case "Host" -> value = pick(r, "a b", "x:abc", "x:99999", "[::1", "[::1]:80", "a/b", "x@y", "", "127.0.0.1:0",
          "-1", "x".repeat(5000), "☃.example", "host:80:80", "[zz]", "%00", "a\tb", ":80", "127.0.0.1:-1",
          "example.com:65536", "[::1]x", "[::1]:abc", "a\u0001b", "h:" + "9".repeat(30), ".", "?");
      case "Accept" -> value = pick(r, "*/*", "text/html", "application/json;q=0", "garbage", "", "x".repeat(9000),
          "application/xml", "text/*;q=abc", "application/json, text/html;q=0.5", ";;;", "\u0001");
      case "Content-Type" -> value = pick(r, "", "garbage", "application/json; charset=ebcdic",
          "multipart/form-data; boundary=", "multipart/form-data; boundary=zz", "application/x-www-form-urlencoded",
          Api.PATCH_V21 + "; x=y", Api.PATCH_V20, "application/octet-stream", "text/plain; charset=\"",
          "application/json;charset=utf-8;charset=latin1", "/", "☃/☃");
      case "X-Roles", "X-Roles (duplicate)" -> value = pick(r, "", ",,,", "admin", "ADMIN", "reader", " admin ",
          "x".repeat(5000), "admin,reader,member", "☃", "admin\u0001", "member;admin", "%00");
      case "X-Project-Id", "X-User-Id", "X-Tenant-Id" -> value = pick(r, "", "x".repeat(300), "x".repeat(5000),
          "☃", "%00", "a b", "project-b", "project-a", "'; DROP TABLE images; --", "\u0001", "\u007f", "\\");
      case "X-Identity-Status" -> value = pick(r, "Invalid", "confirmed", "", "Confirmed ", "Confirmed");
      case "X-Openstack-Request-ID" -> value = pick(r, "", "req-", "req-" + "x".repeat(60), "x".repeat(1000),
          "☃", "req-\u0001", "\u000b", "a\tb", "%00", "req-é");
      case "Range", "Content-Range" -> value = pick(r, "bytes=0-0", "bytes=-1", "bytes=5-1",
          "bytes=0-99999999999999999999",
          "bytes=", "foo", "bytes=0-1,2-3", "bytes=-0", "bytes=9223372036854775807-", "bytes=-9223372036854775808",
          "bytes 0-1/2", "bytes */2", "bytes 0-9223372036854775807/*", "bytes=0-", "bytes=1024-", "bytes=1023-1023",
          "bytes 1-0/5", "bytes 0-1/x", "items=0-1");
      case "X-Image-Meta-Store" -> value = pick(r, "file", "http", "foo", "", "☃", "%00", "x".repeat(300));
      case "x-openstack-image-size" -> value = pick(r, "-1", "9999999999999999999", "abc", "1.5", "", "0", "1024",
          "1099511627777");
      case "Accept-Encoding" -> value = pick(r, "gzip", "br", "deflate", "*", "identity;q=0", "x");
      case "Content-Encoding" -> value = pick(r, "gzip", "deflate", "br", "x");
      case "Expect" -> value = pick(r, "100-continue", "foo", "");
      case "Connection" -> value = pick(r, "keep-alive", "Upgrade", "close, Upgrade", "x");
      case "Transfer-Encoding" -> value = pick(r, "chunked", "chunked", "gzip, chunked", "identity", "x");
      case "Content-Length" -> value = pick(r, "abc", "-1", "1, 2", "99999999999999999999", " 0");
      case "X-Forwarded-For", "Forwarded", "X-Forwarded-Host", "X-Forwarded-Proto" -> value = pick(r, "10.0.0.1",
          "for=10.0.0.1;host=evil;proto=https", "evil.example:80", "https", "", "☃", "[::1", "a b");
      case "If-None-Match" -> value = pick(r, "*", "\"x\"", "");
      case "Origin" -> value = pick(r, "http://evil.example", "null", "");
      default -> value = pick(r, "", "x", "☃");
    }
    String headerName = name;
    if (name.equals("X-Roles (duplicate)")) {
      headerName = "X-Roles";
      q.header(headerName, value);
      q.header(headerName, "admin");
      shape.add("X-Roles:dup(" + valueLabel(value) + ",admin)");
      return;
    }
    if (name.equals("Host") && r.nextInt(8) == 0) {
      q.header("Host", "127.0.0.1");
      shape.add("Host:duplicate");
    } else if (name.equals("Host") && r.nextInt(7) == 0) {
      q.noHost = true;
      shape.add("Host:missing");
      return;
    }
    if (name.equals("Transfer-Encoding")) {
      if (q.body == null) {
        q.body = new byte[0];
      }
      if (value.endsWith("chunked")) {
        // a well-formed chunked body, or one broken beyond doubt (never a valid prefix: the server would wait)
        q.chunked = true;
        if (r.nextInt(3) == 0) {
          q.framing = true;
          q.rawBody = pick(r, "zz\r\n", "1\r\nabc\r\n0\r\n\r\n", "-1\r\n", "ffffffffffffffffff\r\nx\r\n")
              .getBytes(StandardCharsets.US_ASCII);
          shape.add("Transfer-Encoding:" + value + "(broken)");
        } else {
          shape.add("Transfer-Encoding:" + value);
        }
      } else {
        // chunked is not the final coding: RFC 9112 says 400 and close
        q.framing = true;
        shape.add("Transfer-Encoding:" + value);
      }
      q.header("Transfer-Encoding", value);
      return;
    }
    if (name.equals("Transfer-Encoding") || name.equals("Content-Length")) {
      // without a body these are framing-level oddities: the server may close
      q.framing = true;
    }
    if (name.equals("Connection") && value.contains("Upgrade")) {
      // not h2c: a request that gets no answer costs the whole timeout, and a fixed probe covers h2c
      String upgrade = pick(r, "websocket", "foo", "HTTP/2.0");
      q.header("Upgrade", upgrade);
      shape.add("Upgrade:" + upgrade);
    }
    q.header(headerName, value);
    shape.add(name + ":" + valueLabel(value));
  }

  // ------------------------------------------------------------------------------------------------------------
  // random values

  private static final String[] NUMBERS = {"0", "-1", "1", "7", "2147483647", "2147483648", "-2147483649",
      "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e400",
      "-1e400", "1e-400", "1.5", "-0.0", "0.0", "1E2", "4.0", "123456789012345678901234567890.5", "-0", "1e18"};

  private Object randomValue(Random r, int depth) {
    int k = r.nextInt(depth > 2 ? 8 : 11);
    switch (k) {
      case 0:
        return null;
      case 1:
        return r.nextBoolean();
      case 2:
      case 3:
        return new Lit(pick(r, NUMBERS));
      case 8: {
        List<Object> list = new ArrayList<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          list.add(randomValue(r, depth + 1));
        }
        return list;
      }
      case 9: {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          m.put(r.nextInt(3) == 0 ? weirdKey(r) : "k" + i, randomValue(r, depth + 1));
        }
        return m;
      }
      case 10: {
        List<Object> list = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
          list.add(randomString(r));
        }
        return list;
      }
      default:
        return randomString(r);
    }
  }

  private String randomString(Random r) {
    switch (r.nextInt(22)) {
      case 0:
        return "";
      case 1:
      case 2:
        return "fuzz-" + r.nextInt(1000);
      case 3:
        return "x".repeat(256 + r.nextInt(100));
      case 4:
        return r.nextInt(6) == 0 ? "y".repeat(70_000) : "y".repeat(1000 + r.nextInt(5000));
      case 5:
        return "a\u0000b";
      case 6:
        return "\u0000";
      case 7:
        return "\u0001\u001f\t\n\r\u007f\u0008";
      case 8:
        return "\ud800";
      case 9:
        return "x\udc00y";
      case 10:
        return "🙂 emoji 🚀";
      case 11:
        return "\u202e rtl \ufeff bom \uffff \u2028";
      case 12:
        return pick(r, fixture.ids());
      case 13:
        return randomUuid(r);
      case 14:
        return "%00%ff%c0%af";
      case 15:
        return pick(r, "' OR 1=1 --", "$1", "\\", "\\u0000", "%s%n", "${jndi:x}", "<br />", "\"");
      case 16:
        return pick(r, "   ", "null", "true", "0", "-1", "1e400");
      case 17:
        return pick(r, "active", "public", "private", "shared", "community", "accepted", "raw", "bare", "admin");
      case 18:
        return "é" + "ü".repeat(r.nextInt(200));
      case 19:
        return "\u00a0\u3000\u0085";
      case 20:
        return "😀".repeat(64 + r.nextInt(128));
      default:
        return "s" + r.nextInt(100);
    }
  }

  private static String weirdKey(Random r) {
    return pick(r, "", " ", "\u0000", "a\u0000b", "x".repeat(256), "🙂", "\ud800", "os_glance_import_task",
        "__proto__", "$where", "name ", "NAME", "Id", "k".repeat(5000), "a.b", "a/b", "~1", "\t", "é");
  }

  private static Object nested(Random r, int depth) {
    Object v = "leaf";
    boolean arrays = r.nextBoolean();
    for (int i = 0; i < depth; i++) {
      if (arrays) {
        List<Object> l = new ArrayList<>();
        l.add(v);
        v = l;
      } else {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", v);
        v = m;
      }
    }
    return v;
  }

  // ------------------------------------------------------------------------------------------------------------
  // labels for grouping

  private static String kind(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Lit l) {
      String t = l.text();
      if (t.length() > 18 || t.contains("e4") || t.contains("e-4")) {
        return "huge-number";
      }
      if (t.contains(".") || t.contains("e") || t.contains("E")) {
        return "float";
      }
      return t.startsWith("-") ? "negative" : "int";
    }
    if (v instanceof Number) {
      return "int";
    }
    if (v instanceof String s) {
      return stringKind(s);
    }
    if (v instanceof List<?>) {
      return "array";
    }
    return "object";
  }

  private static String stringKind(String s) {
    if (s.isEmpty()) {
      return "empty-string";
    }
    if (s.indexOf(0) >= 0) {
      return "NUL-string";
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "lone-surrogate-string";
      }
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "control-string";
      }
    }
    if (s.length() > 255) {
      return "long-string";
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7f) {
        return s.codePoints().anyMatch(cp -> cp > 0xffff) ? "4-byte-unicode-string" : "unicode-string";
      }
    }
    return "string";
  }

  private static String keyLabel(String key) {
    String k = stringKind(key);
    return k.equals("string") && key.length() <= 40 ? key : "key(" + k + ")";
  }

  private static String pathLabel(String path) {
    String k = stringKind(path);
    return k.equals("string") || k.equals("empty-string") || k.equals("4-byte-unicode-string")
        ? (path.length() > 40 ? "path(long)" : "'" + path + "'") : "path(" + k + ")";
  }

  private static String nameLabel(String name) {
    return name.length() > 40 ? "name(long)" : "'" + name + "'";
  }

  private static String valueLabel(String value) {
    String k = stringKind(value);
    return k.equals("string") && value.length() <= 40 ? value : k;
  }

  // ------------------------------------------------------------------------------------------------------------
  // JSON writing: a lone surrogate is written as an escape (UTF-8 cannot carry it), numbers verbatim

  /** A JSON literal written verbatim (numbers that Java types cannot hold). */
  private record Lit(String text) {}

  private static String json(Object v, Random r) {
    StringBuilder sb = new StringBuilder();
    write(sb, v, r);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, Random r) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Lit l) {
      sb.append(l.text());
    } else if (v instanceof Boolean || v instanceof Number) {
      sb.append(v);
    } else if (v instanceof String s) {
      quote(sb, s, r.nextInt(4) == 0);
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(sb, (String) e.getKey(), r.nextInt(4) == 0);
        sb.append(':');
        write(sb, e.getValue(), r);
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, l.get(i), r);
      }
      sb.append(']');
    } else {
      throw new IllegalArgumentException(v.getClass().toString());
    }
  }

  private static void quote(StringBuilder sb, String s, boolean asciiOnly) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (c == '"') {
        sb.append("\\\"");
      } else if (c == '\\') {
        sb.append("\\\\");
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (pair && !asciiOnly) {
        sb.append(c).append(s.charAt(++i));
      } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || (asciiOnly && c > 0x7e)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  // ------------------------------------------------------------------------------------------------------------
  // bytes

  private static byte[] unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\' && i + 3 < s.length() + 1 && s.charAt(i + 1) == 'x') {
        out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        out.write(s.charAt(i));
      }
    }
    return out.toByteArray();
  }

  private static int indexAfterQuote(Random r, byte[] bytes) {
    List<Integer> quotes = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '"') {
        quotes.add(i + 1);
      }
    }
    return quotes.isEmpty() ? (bytes.length == 0 ? 0 : r.nextInt(bytes.length)) : pick(r, quotes);
  }

  private static byte[] splice(byte[] bytes, int at, byte[] insert) {
    byte[] out = new byte[bytes.length + insert.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(bytes, at, out, at + insert.length, bytes.length - at);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return splice(a, a.length, b);
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... choices) {
    return choices[r.nextInt(choices.length)];
  }

  private static <T> T pick(Random r, List<T> choices) {
    return choices.get(r.nextInt(choices.size()));
  }

  // ------------------------------------------------------------------------------------------------------------
  // requests over raw sockets

  /** A caller: the identity headers keystonemiddleware would set. */
  private record Who(String name, List<String[]> headers) {
    static Who of(String name, String project, String roles) {
      return new Who(name, List.of(new String[] {"X-Identity-Status", "Confirmed"},
          new String[] {"X-Project-Id", project}, new String[] {"X-User-Id", "user-of-" + project},
          new String[] {"X-Roles", roles}, new String[] {"Accept", "application/json"}));
    }
  }

  /** One fuzzed request, rendered to bytes by hand. */
  private static final class Req {
    final int port;
    final String route;
    final String method;
    final String target;
    Who who = ALICE;
    final List<String[]> headers = new ArrayList<>();
    byte[] body;
    /** Send {@link #body} chunked. */
    boolean chunked;
    /** A pre-encoded (possibly broken) chunked body replacing {@link #body}. */
    byte[] rawBody;
    /** Deliberately malformed at the HTTP framing level: closing without an answer is acceptable. */
    boolean framing;
    /** Send no Host header at all. */
    boolean noHost;
    String shape = "";
    private byte[] bytes;

    /** Whether a Transfer-Encoding header other than a lone {@code chunked} is sent. */
    boolean unsupportedTransferCoding() {
      List<String> codings = new ArrayList<>();
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase("Transfer-Encoding")) {
          codings.add(h[1]);
        }
      }
      return !codings.isEmpty() && !String.join(",", codings).strip().equalsIgnoreCase("chunked");
    }

    Req(int port, String route, String method, String target) {
      this.port = port;
      this.route = route;
      this.method = method;
      this.target = target;
    }

    Req header(String name, String value) {
      headers.add(new String[] {name, value});
      return this;
    }

    boolean has(String name) {
      return headers.stream().anyMatch(h -> h[0].equalsIgnoreCase(name));
    }

    byte[] bytes() {
      if (bytes != null) {
        return bytes;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      StringBuilder head = new StringBuilder();
      head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      if (!has("Host") && !noHost) {
        head.append("Host: 127.0.0.1:").append(port).append("\r\n");
      }
      for (String[] h : who.headers()) {
        if (!has(h[0])) {
          head.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
      }
      for (String[] h : headers) {
        head.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      byte[] payload = body;
      if (chunked) {
        payload = rawBody != null ? rawBody : chunk(body == null ? new byte[0] : body);
      } else if (body != null && !has("Content-Length") && !has("Transfer-Encoding")) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      if (!has("Connection")) {
        head.append("Connection: close\r\n");
      }
      head.append("\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
      if (payload != null) {
        out.writeBytes(payload);
      }
      bytes = out.toByteArray();
      return bytes;
    }

    private static byte[] chunk(byte[] body) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int half = body.length / 2;
      byte[][] parts = {Arrays.copyOfRange(body, 0, half), Arrays.copyOfRange(body, half, body.length)};
      for (byte[] part : parts) {
        if (part.length > 0) {
          out.writeBytes((Integer.toHexString(part.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.writeBytes(part);
          out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
      }
      out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return out.toByteArray();
    }

    /** Malformed at the framing level: an unparseable request line or header, or declared so. */
    boolean framingMalformed() {
      if (framing) {
        return true;
      }
      for (byte b : (method + target).getBytes(StandardCharsets.UTF_8)) {
        if (b <= 0x20 || b == 0x7f) {
          return true;
        }
      }
      for (String[] h : headers) {
        if (h[1].indexOf('\r') >= 0 || h[1].indexOf('\n') >= 0 || h[1].indexOf(0) >= 0) {
          return true;
        }
      }
      return false;
    }

    /** The request in one line, for a failure message. */
    String describe() {
      StringBuilder sb = new StringBuilder();
      sb.append(method).append(' ').append(excerpt(target.getBytes(StandardCharsets.UTF_8), 200))
          .append(" as ").append(who.name());
      if (noHost) {
        sb.append(" | (no Host header)");
      }
      for (String[] h : headers) {
        sb.append(" | ").append(h[0]).append(": ").append(excerpt(h[1].getBytes(StandardCharsets.UTF_8), 80));
      }
      byte[] b = rawBody != null ? rawBody : body;
      if (b != null) {
        sb.append(" | body(").append(b.length).append(" bytes): ").append(excerpt(b, 200));
      }
      return sb.toString();
    }
  }

  /** What came back: a status (or -1) and, when something went wrong on the wire, what. */
  private record Answer(int status, String bodyExcerpt, String problem) {}

  private static Answer exchange(Req q) {
    byte[] request = q.bytes();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), q.port), TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      // Write concurrently with reading: Glint may answer (413, 400) before it has read a large body.
      Future<?> written = writer.submit(() -> {
        try {
          out.write(request);
          out.flush();
        } catch (IOException ignored) {
          // the server closed early; its answer (if any) is read below
        }
      });
      InputStream in = new BufferedInputStream(socket.getInputStream());
      try {
        while (true) {
          String head = readHead(in);
          if (head == null) {
            return new Answer(-1, "", "closed without an answer");
          }
          int status = statusOf(head);
          if (status < 0) {
            return new Answer(-1, excerpt(head.getBytes(StandardCharsets.ISO_8859_1), 200),
                "unparseable status line");
          }
          if (status >= 100 && status < 200 && status != 101) {
            continue;
          }
          if (status == 101 || q.method.equals("HEAD") || status == 204 || status == 304) {
            return new Answer(status, "", null);
          }
          return readBody(in, head, status);
        }
      } finally {
        written.cancel(true);
      }
    } catch (SocketTimeoutException e) {
      return new Answer(-1, "", "no answer within " + TIMEOUT_MS + " ms");
    } catch (RuntimeException e) {
      return new Answer(-1, "", "unparseable answer (" + e + ")");
    } catch (IOException e) {
      return new Answer(-1, "", "closed without an answer (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")");
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new IOException("EOF in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(c);
      if (c == '\r') {
        matched = matched == 2 ? 3 : 1;
      } else if (c == '\n') {
        matched = matched == 1 ? 2 : matched == 3 ? 4 : 0;
      } else {
        matched = 0;
      }
      if (matched == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
      if (head.size() > 1 << 20) {
        throw new IOException("response head over 1 MiB");
      }
    }
  }

  private static int statusOf(String head) {
    if (!head.startsWith("HTTP/1.") || head.length() < 12) {
      return -1;
    }
    try {
      return Integer.parseInt(head.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String headerOf(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  private static Answer readBody(InputStream in, String head, int status) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String te = headerOf(head, "Transfer-Encoding");
    String cl = headerOf(head, "Content-Length");
    String problem = null;
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      while (true) {
        String line = readLine(in);
        if (line == null) {
          problem = "truncated chunked body after status " + status;
          break;
        }
        int semi = line.indexOf(';');
        long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
        if (size == 0) {
          while (true) {
            String trailer = readLine(in);
            if (trailer == null || trailer.isEmpty()) {
              break;
            }
          }
          break;
        }
        if (!copy(in, body, size) || readLine(in) == null) {
          problem = "truncated chunked body after status " + status;
          break;
        }
      }
    } else if (cl != null) {
      long length = Long.parseLong(cl);
      if (!copy(in, body, length)) {
        problem = "truncated body after status " + status + " (Content-Length " + length + ", got "
            + body.size() + ")";
      }
    } else {
      copy(in, body, Long.MAX_VALUE);
    }
    return new Answer(status, excerpt(body.toByteArray(), 300), problem);
  }

  private static String readLine(InputStream in) throws IOException {
    return io.glint.testing.RawHttp.readLine(in);
  }


  /** Reads {@code n} bytes (keeping the first 4 KiB); false at an early end of stream. */
  private static boolean copy(InputStream in, ByteArrayOutputStream keep, long n) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int read = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (read < 0) {
        return n == Long.MAX_VALUE;
      }
      if (keep.size() < 4096) {
        keep.write(buf, 0, Math.min(read, 4096 - keep.size()));
      }
      left -= read;
    }
    return true;
  }

  /** Printable ASCII as is, anything else as {@code \xNN}, cut to {@code max} characters. */
  private static String excerpt(byte[] bytes, int max) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xff;
      if (sb.length() >= max) {
        sb.append("…");
        break;
      }
      if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return sb.toString();
  }

  /** The whole request as a shell command: {@code printf '...' | nc 127.0.0.1 PORT}. */
  private static String replay(Req q) {
    byte[] bytes = q.bytes();
    StringBuilder sb = new StringBuilder("printf '");
    int limit = 1500;
    for (int i = 0; i < bytes.length && i < limit; i++) {
      int c = bytes[i] & 0xff;
      switch (c) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\\' -> sb.append("\\\\");
        case '%' -> sb.append("%%");
        case '\'' -> sb.append("'\\''");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            sb.append((char) c);
          } else {
            sb.append(String.format("\\x%02x", c));
          }
        }
      }
    }
    sb.append("' | nc 127.0.0.1 ").append(q.port);
    if (bytes.length > limit) {
      sb.append("   # cut: the request has ").append(bytes.length).append(" bytes");
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------------------------
  // a campaign: runs requests, groups failures, reports

  /** One failing request. */
  private record Example(int index, Req request, Answer answer, String log) {}

  /**
   * One class of failure: the outcome and what Glint logged (the root cause of the exception and its first
   * Glint frame); for each route it happened on, the smallest example.
   */
  private static final class Group {
    final String key;
    int count;
    final Map<String, Integer> routes = new LinkedHashMap<>();
    final Map<String, Example> smallest = new LinkedHashMap<>();

    Group(String key) {
      this.key = key;
    }

    void add(Example e) {
      count++;
      routes.merge(e.request().route, 1, Integer::sum);
      smallest.merge(e.request().route, e,
          (old, neu) -> neu.request().bytes().length < old.request().bytes().length ? neu : old);
    }

    Example smallestOverall() {
      return smallest.values().stream().min(java.util.Comparator.comparingInt(e -> e.request().bytes().length))
          .orElseThrow();
    }
  }

  private static final class Campaign {
    final String family;
    final long seed;
    final Random random;
    int sent;
    int failed;
    int timeouts;
    final long started = System.nanoTime();
    final Map<String, Group> groups = new LinkedHashMap<>();
    final Map<Integer, Integer> statuses = new java.util.TreeMap<>();

    Campaign(String family) {
      this.family = family;
      this.seed = SEED;
      this.random = new Random(SEED * 1_000_003L + family.hashCode());
    }

    boolean going() {
      return timeouts < MAX_TIMEOUTS;
    }

    void run(Req q) {
      SERVER_LOG.clear();
      Answer a = exchange(q);
      sent++;
      statuses.merge(a.status(), 1, Integer::sum);
      if (VERBOSE) {
        System.out.printf("%s #%d: %s -> %s%n", family, sent, q.describe(), answerText(a));
      }
      String problem = problem(q, a);
      if (problem == null) {
        return;
      }
      failed++;
      if (a.problem() != null && a.problem().startsWith("no answer")) {
        timeouts++;
      }
      String log = SERVER_LOG.summary();
      String outcome = problem.replaceAll(" \\(.*", "");
      String key = outcome + " | " + (log != null ? normalize(log) : "nothing logged, on " + q.route);
      groups.computeIfAbsent(key, Group::new).add(new Example(sent, q, a, log));
      if (failed <= 200) {
        System.out.printf("%s #%d: %s -> %s%n    shape: %s%n    glint logged: %s%n", family, sent, q.describe(),
            answerText(a), q.shape, log);
      }
    }

    private static String problem(Req q, Answer a) {
      if (a.status() == 501 && q.unsupportedTransferCoding()) {
        return null; // RFC 9112 §6.1: a transfer coding the server does not implement is a 501
      }
      if (a.status() >= 500) {
        return "status " + a.status();
      }
      if (a.problem() == null) {
        return null;
      }
      if (a.problem().startsWith("no answer")) {
        return a.problem();
      }
      if (a.status() < 0 && q.framingMalformed()) {
        return null;
      }
      return a.problem();
    }

    private static String answerText(Answer a) {
      return a.status() < 0 ? a.problem()
          : a.status() + " " + a.bodyExcerpt() + (a.problem() == null ? "" : " (" + a.problem() + ")");
    }

    void check() {
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("GlanceFuzzTest %s: %d requests in %.1f s, %d failed in %d classes (seed %d); statuses %s%n",
          family, sent, seconds, failed, groups.size(), seed, statuses);
      if (groups.isEmpty()) {
        return;
      }
      StringBuilder sb = new StringBuilder();
      sb.append(family).append(": ").append(failed).append(" of ").append(sent)
          .append(" requests got a 5xx, no answer in time, or a broken answer; ").append(groups.size())
          .append(" distinct classes. Seed ").append(seed).append(" (replay: mvn test -Dtest=GlanceFuzzTest#")
          .append(family).append(" -Dglint.fuzz.seed=").append(seed).append(")");
      if (timeouts >= MAX_TIMEOUTS) {
        sb.append("; stopped early after ").append(timeouts).append(" timeouts");
      }
      sb.append('\n');
      int listed = 0;
      for (Group g : groups.values()) {
        if (listed == MAX_LISTED) {
          sb.append("… and ").append(groups.size() - MAX_LISTED).append(" more classes\n");
          break;
        }
        listed++;
        Example e = g.smallestOverall();
        sb.append(String.format("%2d. [%d×] %s%n", listed, g.count, g.key));
        sb.append("    routes: ");
        g.routes.forEach((route, n) -> sb.append(route).append(" (").append(n).append("×) "));
        sb.append('\n');
        sb.append("    smallest (request #").append(e.index()).append("): ").append(e.request().describe())
            .append('\n');
        sb.append("    answer: ").append(answerText(e.answer())).append('\n');
        if (e.log() != null) {
          sb.append("    glint logged: ").append(e.log()).append('\n');
        }
        sb.append("    shape: ").append(e.request().shape).append('\n');
        sb.append("    ").append(replay(e.request())).append('\n');
        int others = 0;
        for (Example o : g.smallest.values()) {
          if (o != e && others++ < 4) {
            sb.append("    also (request #").append(o.index()).append("): ").append(o.request().describe())
                .append('\n');
          }
        }
      }
      System.out.println(sb);
      fail(sb.toString());
    }
  }

  private static String normalize(String log) {
    return log.replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
        .replaceAll("req-[^ \\]]*", "req-…")
        .replaceAll("0x[0-9a-fA-F]+", "0x…")
        .replaceAll(":\\d+\\)", ")")
        .replaceAll("\\b(?<!\\()\\d+\\b(?!\\))", "N");
  }

  /** Collects what Glint logs at WARN and above, to name the exception behind a failure. */
  private static final class ServerLog extends AppenderBase<ILoggingEvent> {
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    void install() {
      Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      setContext(root.getLoggerContext());
      start();
      root.addAppender(this);
    }

    void uninstall() {
      Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.detachAppender(this);
      stop();
    }

    void clear() {
      events.clear();
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
        events.add(event);
      }
    }

    /** The root cause of the first logged exception (class, message, first Glint frame), or the first message. */
    String summary() {
      for (ILoggingEvent e : events) {
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) {
          while (t.getCause() != null) {
            t = t.getCause();
          }
          String frame = "";
          StackTraceElementProxy[] stack = t.getStackTraceElementProxyArray();
          if (stack != null) {
            for (StackTraceElementProxy s : stack) {
              if (s.getStackTraceElement().getClassName().startsWith("io.glint")) {
                frame = " at " + s.getStackTraceElement();
                break;
              }
            }
            if (frame.isEmpty() && stack.length > 0) {
              frame = " at " + stack[0].getStackTraceElement();
            }
          }
          String message = t.getMessage() == null ? "" : t.getMessage();
          if (message.length() > 200) {
            message = message.substring(0, 200) + "…";
          }
          return t.getClassName().replaceAll(".*\\.", "") + ": " + message + frame;
        }
      }
      for (ILoggingEvent e : events) {
        String m = e.getFormattedMessage();
        return m.length() > 250 ? m.substring(0, 250) + "…" : m;
      }
      return null;
    }
  }
}
