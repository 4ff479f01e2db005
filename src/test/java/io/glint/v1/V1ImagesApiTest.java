package io.glint.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The v1 image routes over HTTP ({@code glance/api/v1/images.py} at queens-eol): metadata in headers, is_public
 * as visibility, uploads, downloads with ranges, updates with purged properties, listings with v1's filters, and
 * images made through one API version managed through the other.
 */
@DisplayName("v1 images: routes, header metadata, mapping to v2, filters, both doors on one domain")
class V1ImagesApiTest extends ApiTestBase {
  private static final byte[] DATA = Bytes.random(200_000, 11);
  private V1Client v1a;
  private V1Client v1b;
  private V1Client v1admin;

  @BeforeEach
  void clients() {
    v1a = V1Client.as(server, "project-a", "member");
    v1b = V1Client.as(server, "project-b", "member");
    v1admin = V1Client.as(server, "project-admin", "admin,member");
  }

  private static Map<String, String> meta(String... pairs) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      h.put(pairs[i].startsWith("x-") ? pairs[i] : "x-image-meta-" + pairs[i], pairs[i + 1]);
    }
    return h;
  }

  private JsonObject createWithData(V1Client c, String name, byte[] data, String... more) {
    Map<String, String> h = meta("name", name, "disk_format", "raw", "container_format", "bare");
    h.putAll(meta(more));
    V1Client.Reply r = c.post("/v1/images", h, data);
    assertEquals(201, r.status(), r::toString);
    return r.image();
  }

  @Test
  @DisplayName("POST with a body: 201, active, checksum as ETag, Location, the v1 record; HEAD and GET show it")
  void createWithBodyThenHeadAndGet() {
    V1Client.Reply r = v1a.post("/v1/images", meta("name", "cirros", "disk_format", "raw", "container_format",
        "bare", "is_public", "False", "min_disk", "2", "min_ram", "512", "property-os_distro", "cirros",
        "x-image-meta-property-Hw-Disk-Bus", "virtio", "size", Integer.toString(DATA.length)), DATA);
    assertEquals(201, r.status(), r::toString);
    JsonObject image = r.image();
    String id = image.getString("id");
    assertEquals("active", image.getString("status"));
    assertEquals(DATA.length, image.getLong("size"));
    assertEquals(Bytes.md5(DATA), image.getString("checksum"));
    assertEquals(Bytes.md5(DATA), r.header("ETag"));
    assertEquals("/v1/images/" + id, r.header("Location"));
    assertEquals(false, image.getBoolean("is_public"));
    assertEquals(false, image.getBoolean("deleted"));
    assertNull(image.getValue("deleted_at"));
    assertEquals(2, image.getInteger("min_disk"));
    assertEquals(512, image.getInteger("min_ram"));
    assertEquals("project-a", image.getString("owner"));
    assertEquals(false, image.getBoolean("protected"));
    assertTrue(image.getString("created_at").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}"),
        image.getString("created_at"));
    assertEquals(new JsonObject().put("hw_disk_bus", "virtio").put("os_distro", "cirros"),
        image.getJsonObject("properties"));
    assertFalse(image.containsKey("location"));

    V1Client.Reply head = v1a.head("/v1/images/" + id);
    assertEquals(200, head.status());
    assertEquals(id, head.header("x-image-meta-id"));
    assertEquals("cirros", head.header("x-image-meta-name"));
    assertEquals("active", head.header("x-image-meta-status"));
    assertEquals(Integer.toString(DATA.length), head.header("x-image-meta-size"));
    assertEquals("False", head.header("x-image-meta-is_public"));
    assertEquals("False", head.header("x-image-meta-protected"));
    assertEquals("False", head.header("x-image-meta-deleted"));
    assertEquals("raw", head.header("x-image-meta-disk_format"));
    assertEquals("512", head.header("x-image-meta-min_ram"));
    assertEquals("virtio", head.header("x-image-meta-property-hw_disk_bus"));
    assertEquals(Bytes.md5(DATA), head.header("ETag"));
    assertNull(head.header("x-image-meta-deleted_at"));
    assertNull(head.header("x-image-meta-location"));
    assertEquals(0, head.body().length);

    V1Client.Reply get = v1a.get("/v1/images/" + id);
    assertEquals(200, get.status());
    assertArrayEquals(DATA, get.body());
    assertEquals("application/octet-stream", get.header("Content-Type"));
    assertEquals(Integer.toString(DATA.length), get.header("Content-Length"));
    assertEquals(Bytes.md5(DATA), get.header("x-image-meta-checksum"));

    V1Client.Reply range = v1a.get("/v1/images/" + id, Map.of("Range", "bytes=100-199"));
    assertEquals(206, range.status());
    assertArrayEquals(java.util.Arrays.copyOfRange(DATA, 100, 200), range.body());
    assertEquals("bytes 100-199/" + DATA.length, range.header("Content-Range"));

    // Through v2: the same image, shared (v1's is_public=False), with its properties.
    JsonObject v2 = alice.get("/v2/images/" + id).json();
    assertEquals("shared", v2.getString("visibility"));
    assertEquals("virtio", v2.getString("hw_disk_bus"));
    assertEquals(Bytes.md5(DATA), v2.getString("checksum"));
    assertArrayEquals(DATA, alice.download(id, Map.of()).body());
  }

  @Test
  @DisplayName("POST without a body reserves a queued image; PUT uploads once, a second upload is 409")
  void reserveThenUpload() {
    V1Client.Reply r = v1a.post("/v1/images", meta("name", "later", "disk_format", "raw",
        "container_format", "bare"), null);
    assertEquals(201, r.status(), r::toString);
    String id = r.image().getString("id");
    assertEquals("queued", r.image().getString("status"));
    assertNull(r.image().getValue("checksum"));
    assertEquals(404, v1a.get("/v1/images/" + id).status(), "no data of a queued image");

    V1Client.Reply up = v1a.put("/v1/images/" + id, Map.of(), DATA);
    assertEquals(200, up.status(), up::toString);
    assertEquals("active", up.image().getString("status"));
    assertEquals(Bytes.md5(DATA), up.header("ETag"));
    assertArrayEquals(DATA, v1a.get("/v1/images/" + id).body());

    V1Client.Reply again = v1a.put("/v1/images/" + id, Map.of(), DATA);
    assertEquals(409, again.status(), again::toString);
    assertTrue(again.text().contains("Cannot upload to an unqueued image"), again::toString);
  }

  @Test
  @DisplayName("a chunked body without a length uploads too; a body that is not octet-stream is a 400")
  void chunkedAndContentType() {
    V1Client.Reply r = v1a.send("POST", "/v1/images", meta("name", "chunked", "disk_format", "raw",
        "container_format", "bare", "x-Content-Type", "unused"), DATA, true);
    // x-Content-Type is no v1 header and no type: the body has none either.
    assertEquals(400, r.status(), r::toString);
    Map<String, String> h = meta("name", "chunked", "disk_format", "raw", "container_format", "bare");
    h.put("Content-Type", "application/octet-stream");
    V1Client.Reply ok = v1a.send("POST", "/v1/images", h, DATA, true);
    assertEquals(201, ok.status(), ok::toString);
    assertEquals(DATA.length, ok.image().getLong("size"));
    Map<String, String> json = meta("name", "json", "disk_format", "raw", "container_format", "bare");
    json.put("Content-Type", "application/json");
    V1Client.Reply bad = v1a.post("/v1/images", json, "{}".getBytes());
    assertEquals(400, bad.status());
    assertTrue(bad.text().contains("Content-Type must be application/octet-stream"), bad::toString);
    assertEquals(1, alice.get("/v2/images").ids().size(), "a refused create leaves no image");
  }

  @Test
  @DisplayName("bad headers, bad values, missing formats and two sources are 400s before anything is saved")
  void badRequests() {
    V1Client.Reply badHeader = v1a.post("/v1/images", meta("x-image-meta-colour", "red"), null);
    assertEquals(400, badHeader.status());
    assertTrue(badHeader.text().contains("Bad header: x-image-meta-colour"), badHeader::toString);
    assertEquals(400, v1a.post("/v1/images", meta("min_ram", "-1"), null).status());
    assertEquals(400, v1a.post("/v1/images", meta("size", "big"), null).status());
    assertEquals(400, v1a.post("/v1/images", meta("name", "x".repeat(256)), null).status());
    assertEquals(400, v1a.post("/v1/images", meta("checksum", "0".repeat(33)), null).status());
    assertEquals(400, v1a.post("/v1/images", meta("disk_format", "floppy"), null).status());
    V1Client.Reply noFormat = v1a.post("/v1/images", meta("name", "n", "container_format", "bare"), DATA);
    assertEquals(400, noFormat.status());
    assertTrue(noFormat.text().contains("Disk format is not specified."), noFormat::toString);
    V1Client.Reply two = v1a.post("/v1/images", meta("name", "two", "disk_format", "raw", "container_format",
        "bare", "location", "http://127.0.0.1:1/x"), DATA);
    assertEquals(400, two.status());
    assertTrue(two.text().contains("It's invalid to provide multiple image sources."), two::toString);
    assertEquals(0, alice.get("/v2/images").ids().size());
  }

  @Test
  @DisplayName("a checksum sent that does not match the data: 400, and the image is gone with its data")
  void checksumMismatch() {
    V1Client.Reply r = v1a.post("/v1/images", meta("name", "bad-sum", "disk_format", "raw", "container_format",
        "bare", "checksum", "0123456789abcdef0123456789abcdef"), DATA);
    assertEquals(400, r.status(), r::toString);
    assertTrue(r.text().contains("did not match"), r::toString);
    assertEquals(0, alice.get("/v2/images").ids().size());
    V1Client.Reply good = v1a.post("/v1/images", meta("name", "good-sum", "disk_format", "raw", "container_format",
        "bare", "checksum", Bytes.md5(DATA)), DATA);
    assertEquals(201, good.status(), good::toString);
  }

  @Test
  @DisplayName("PUT headers: changes core fields and properties, purges unsent ones unless told not to")
  void updateHeaders() {
    String id = createWithData(v1a, "orig", DATA, "property-a", "1", "property-b", "2").getString("id");
    V1Client.Reply r = v1a.put("/v1/images/" + id, meta("name", "renamed", "min_ram", "128",
        "protected", "true", "property-a", "10"), null);
    assertEquals(200, r.status(), r::toString);
    JsonObject image = r.image();
    assertEquals("renamed", image.getString("name"));
    assertEquals(128, image.getInteger("min_ram"));
    assertEquals(true, image.getBoolean("protected"));
    assertEquals(new JsonObject().put("a", "10"), image.getJsonObject("properties"), "b purged by default");

    V1Client.Reply keep = v1a.put("/v1/images/" + id, meta("x-glance-registry-purge-props", "false",
        "property-c", "3"), null);
    assertEquals(200, keep.status(), keep::toString);
    assertEquals(new JsonObject().put("a", "10").put("c", "3"), keep.image().getJsonObject("properties"));

    JsonObject v2 = alice.get("/v2/images/" + id).json();
    assertEquals("renamed", v2.getString("name"));
    assertEquals("3", v2.getString("c"));
    assertEquals(true, v2.getBoolean("protected"));

    assertEquals(403, v1a.put("/v1/images/" + id, meta("status", "queued"), null).status());
    assertEquals(403, v1a.put("/v1/images/" + id, meta("size", "5"), null).status(), "size of an active image");
    assertEquals(403, v1a.put("/v1/images/" + id, meta("checksum", "abc"), null).status());
    V1Client.Reply loc = v1a.put("/v1/images/" + id, meta("location", "http://127.0.0.1:1/x"), null);
    assertEquals(400, loc.status(), loc::toString);
    assertEquals(403, v1a.put("/v1/images/" + id, meta("disk_format", "qcow2"), null).status(),
        "formats of an active image");
    assertEquals(404, v1b.put("/v1/images/" + id, meta("name", "x"), null).status(), "not bob's to see");
  }

  @Test
  @DisplayName("is_public maps to visibility both ways; publicizing is the admin's, as through v2")
  void isPublicMapping() {
    V1Client.Reply refused = v1a.post("/v1/images", meta("name", "pub", "is_public", "True"), null);
    assertEquals(403, refused.status(), refused::toString);
    V1Client.Reply pub = v1admin.post("/v1/images", meta("name", "pub", "is_public", "yes"), null);
    assertEquals(201, pub.status(), pub::toString);
    assertEquals(true, pub.image().getBoolean("is_public"));
    String id = pub.image().getString("id");
    assertEquals("public", admin.get("/v2/images/" + id).json().getString("visibility"));
    assertEquals(200, v1b.head("/v1/images/" + id).status(), "public: everyone sees it");

    V1Client.Reply priv = v1admin.put("/v1/images/" + id, meta("is_public", "False"), null);
    assertEquals(200, priv.status(), priv::toString);
    assertEquals(false, priv.image().getBoolean("is_public"));
    assertEquals("shared", admin.get("/v2/images/" + id).json().getString("visibility"));

    // A private or community image made through v2 shows is_public=False through v1.
    String community = alice.create(new JsonObject().put("name", "c").put("visibility", "community"))
        .getString("id");
    assertEquals("False", v1a.head("/v1/images/" + community).header("x-image-meta-is_public"));
  }

  @Test
  @DisplayName("DELETE answers 200; protected is 403; deleted is 404 through both APIs")
  void delete() {
    String id = createWithData(v1a, "gone", DATA).getString("id");
    String prot = createWithData(v1a, "kept", DATA, "protected", "True").getString("id");
    V1Client.Reply d = v1a.delete("/v1/images/" + id);
    assertEquals(200, d.status(), d::toString);
    assertEquals(404, v1a.head("/v1/images/" + id).status());
    assertEquals(404, alice.get("/v2/images/" + id).status());
    assertEquals(404, v1a.delete("/v1/images/" + id).status());
    V1Client.Reply p = v1a.delete("/v1/images/" + prot);
    assertEquals(403, p.status());
    assertTrue(p.text().contains("protected"), p::toString);
    assertEquals(404, v1b.delete("/v1/images/" + prot).status());
  }

  @Test
  @DisplayName("an image made through v2 is managed through v1, and one made through v1 through v2")
  void bothDoors() {
    // v2 → v1
    String id = alice.create(new JsonObject().put("name", "v2-made").put("disk_format", "raw")
        .put("container_format", "bare").put("os_distro", "debian")).getString("id");
    assertEquals("queued", v1a.head("/v1/images/" + id).header("x-image-meta-status"));
    assertEquals(200, v1a.put("/v1/images/" + id, Map.of(), DATA).status());
    V1Client.Reply upd = v1a.put("/v1/images/" + id, meta("x-glance-registry-purge-props", "false",
        "name", "v1-renamed"), null);
    assertEquals(200, upd.status(), upd::toString);
    JsonObject v2 = alice.get("/v2/images/" + id).json();
    assertEquals("v1-renamed", v2.getString("name"));
    assertEquals("debian", v2.getString("os_distro"));
    assertEquals("active", v2.getString("status"));
    assertEquals(Bytes.md5(DATA), v2.getString("checksum"));
    assertEquals(200, v1a.delete("/v1/images/" + id).status());
    assertEquals(404, alice.get("/v2/images/" + id).status());

    // v1 → v2
    String other = v1a.post("/v1/images", meta("name", "v1-made", "disk_format", "raw", "container_format", "bare",
        "property-x", "1"), null).image().getString("id");
    assertEquals(204, alice.upload(other, DATA).status());
    assertEquals(200, alice.patch("/v2/images/" + other, new JsonArray()
        .add(new JsonObject().put("op", "replace").put("path", "/x").put("value", "2"))
        .add(new JsonObject().put("op", "add").put("path", "/tags").put("value", new JsonArray().add("t"))))
        .status());
    V1Client.Reply head = v1a.head("/v1/images/" + other);
    assertEquals("2", head.header("x-image-meta-property-x"));
    assertEquals("active", head.header("x-image-meta-status"));
    assertArrayEquals(DATA, v1a.get("/v1/images/" + other).body());
    assertEquals(200, admin.post("/v2/images/" + other + "/actions/deactivate", null).status() == 204 ? 200 : 500);
    V1Client.Reply deactivated = v1a.get("/v1/images/" + other);
    assertEquals(403, deactivated.status(), deactivated::toString);
    assertEquals(204, alice.delete("/v2/images/" + other).status());
    assertEquals(404, v1a.head("/v1/images/" + other).status());
  }

  @Test
  @DisplayName("GET /v1/images and /detail: brief and full records, v1 filters, sorting and marker paging")
  void listAndFilters() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      byte[] data = Bytes.random(1000 * (i + 1), i);
      ids.add(createWithData(v1a, "img-" + i, data, "property-tier", i % 2 == 0 ? "gold" : "silver")
          .getString("id"));
      Thread.sleep(5);
    }
    String queued = v1a.post("/v1/images", meta("name", "q", "disk_format", "qcow2", "container_format", "ovf"),
        null).image().getString("id");
    String bobs = createWithData(v1b, "bobs", DATA).getString("id");

    JsonObject index = v1a.get("/v1/images").json();
    JsonObject first = index.getJsonArray("images").getJsonObject(0);
    assertEquals(List.of("checksum", "container_format", "disk_format", "id", "name", "size"),
        first.fieldNames().stream().sorted().toList());
    assertEquals(queued, first.getString("id"), "created_at desc by default");
    assertEquals(6, index.getJsonArray("images").size(), "bob's private image is not alice's to list");
    assertFalse(index.containsKey("next"));

    JsonObject detail = v1a.get("/v1/images/detail?name=img-3").json();
    assertEquals(1, detail.getJsonArray("images").size());
    JsonObject d = detail.getJsonArray("images").getJsonObject(0);
    assertEquals(ids.get(3), d.getString("id"));
    assertEquals("silver", d.getJsonObject("properties").getString("tier"));
    assertTrue(d.containsKey("is_public") && d.containsKey("deleted") && d.containsKey("min_ram"));

    assertEquals(List.of(queued), listIds("/v1/images/detail?status=queued"));
    assertEquals(List.of(queued), listIds("/v1/images/detail?disk_format=qcow2&container_format=ovf"));
    assertEquals(List.of(ids.get(4), ids.get(3)), listIds("/v1/images/detail?size_min=4000"));
    assertEquals(List.of(ids.get(1), ids.get(0)), listIds("/v1/images/detail?size_max=2000"));
    assertEquals(List.of(ids.get(4), ids.get(2), ids.get(0)), listIds("/v1/images/detail?property-tier=gold"));
    assertEquals(List.of(ids.get(0), ids.get(1)), listIds("/v1/images?sort_key=name&sort_dir=asc&limit=2"));
    assertEquals(List.of(ids.get(2), ids.get(3)),
        listIds("/v1/images?sort_key=name&sort_dir=asc&limit=2&marker=" + ids.get(1)));
    assertTrue(listIds("/v1/images/detail?changes-since=2000-01-01T00:00:00").contains(queued));
    assertFalse(listIds("/v1/images/detail?changes-since=2999-01-01T00:00:00").contains(queued));

    assertEquals(400, v1a.get("/v1/images?sort_key=owner").status());
    assertEquals(400, v1a.get("/v1/images?sort_dir=up").status());
    assertEquals(400, v1a.get("/v1/images?marker=not-a-uuid").status());
    assertEquals(400, v1a.get("/v1/images?limit=-1").status());
    assertEquals(400, v1a.get("/v1/images?changes-since=yesterday").status());
    assertEquals(400, v1a.get("/v1/images?protected=maybe").status());

    // Admins list as users by default; is_public=none shows everything.
    assertFalse(listAs(v1admin, "/v1/images").contains(bobs));
    assertTrue(listAs(v1admin, "/v1/images?is_public=none").contains(bobs));
    assertTrue(listAs(v1admin, "/v1/images?is_public=false").contains(bobs));
    assertEquals(400, v1admin.get("/v1/images?is_public=perhaps").status());

    V1Client.Reply headDetail = v1a.head("/v1/images/detail");
    assertEquals(405, headDetail.status());
    assertEquals("GET", headDetail.header("Allow"));
    assertEquals(405, v1a.send("PATCH", "/v1/images", Map.of(), null, false).status());
  }

  private List<String> listIds(String path) {
    return listAs(v1a, path);
  }

  private static List<String> listAs(V1Client c, String path) {
    V1Client.Reply r = c.get(path);
    assertEquals(200, r.status(), r::toString);
    List<String> out = new ArrayList<>();
    r.json().getJsonArray("images").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  @Test
  @DisplayName("/versions lists v1.1 and v1.0 as DEPRECATED; /v1.1/ paths are served as /v1/; errors are v1's")
  void versionsAndErrors() {
    JsonArray versions = Api.anonymous(server).get("/versions").json().getJsonArray("versions");
    JsonObject v11 = versions.stream().map(o -> (JsonObject) o).filter(v -> v.getString("id").equals("v1.1"))
        .findFirst().orElseThrow();
    assertEquals("DEPRECATED", v11.getString("status"));
    assertTrue(v11.getJsonArray("links").getJsonObject(0).getString("href").endsWith("/v1/"));
    assertNotNull(versions.stream().map(o -> (JsonObject) o).filter(v -> v.getString("id").equals("v1.0"))
        .findFirst().orElse(null));
    String id = createWithData(v1a, "neg", DATA).getString("id");
    assertEquals(200, v1a.head("/v1.1/images/" + id).status());
    assertEquals(200, v1a.get("/v1/").status());
    V1Client.Reply missing = v1a.head("/v1/images/" + java.util.UUID.randomUUID());
    assertEquals(404, missing.status());
    V1Client.Reply html = v1a.get("/v1/images/" + java.util.UUID.randomUUID());
    assertEquals(404, html.status());
    assertTrue(html.header("Content-Type").startsWith("text/html")
        || html.header("Content-Type").startsWith("text/plain"), html.header("Content-Type"));
    assertTrue(html.text().contains("404 Not Found"), html::toString);
    int v2Anonymous = Api.anonymous(server).get("/v2/images").status();
    assertEquals(401, v2Anonymous);
    assertEquals(v2Anonymous, Api.anonymous(server).get("/v1/images").status(), "the same authentication");
  }
}
