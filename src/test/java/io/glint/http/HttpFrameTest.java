package io.glint.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Service frame: versions, request ids, error formats, routing")
class HttpFrameTest extends ApiTestBase {

  @Test
  @DisplayName("GET /versions is 200 and GET / is 300, both with Zed's versions list (and 2.12, 2.13)")
  void versions() {
    Api anon = Api.anonymous(server);
    Response versions = anon.get("/versions");
    assertEquals(200, versions.status());
    JsonArray list = versions.json().getJsonArray("versions");
    assertEquals("v2.15", list.getJsonObject(0).getString("id"));
    assertEquals("CURRENT", list.getJsonObject(0).getString("status"));
    // Zed's single-store list, plus 2.13 and 2.12 (usage and image tasks, which Glint serves in single-store too),
    // then v1.1 and v1.0 (DEPRECATED) as Queens listed them, the legacy v1 API being on by default.
    assertEquals(14, list.size());
    assertEquals("v2.13", list.getJsonObject(1).getString("id"));
    assertEquals("v2.12", list.getJsonObject(2).getString("id"));
    assertEquals("v2.0", list.getJsonObject(11).getString("id"));
    assertEquals("v1.1", list.getJsonObject(12).getString("id"));
    assertEquals("v1.0", list.getJsonObject(13).getString("id"));
    assertEquals(server.base() + "/v2/",
        list.getJsonObject(0).getJsonArray("links").getJsonObject(0).getString("href"));
    Response root = anon.get("/");
    assertEquals(300, root.status());
    assertEquals(versions.json(), root.json());
    assertEquals(300, anon.get("/v3/images").status());
    assertEquals(300, anon.get("/v2.99/images").status());
    assertEquals(300, anon.get("/anything").status());
  }

  @Test
  @DisplayName("/v2.N prefixes of listed versions reach the v2 API")
  void versionedPrefixes() {
    String id = alice.create(new JsonObject()).getString("id");
    assertEquals(200, alice.get("/v2.1/images/" + id).status());
    assertEquals(200, alice.get("/v2.15/images?limit=1").status());
    assertEquals(List.of(id), alice.get("/v2.9/images?limit=5").ids());
  }

  @Test
  @DisplayName("an empty segment where an id belongs, or a trailing slash, is Glance's 404, never the shorter route")
  void emptyIdSegments() {
    String id = alice.create(new JsonObject()).getString("id");
    String[][] requests = {
        {"GET", "/v2/images/"}, {"DELETE", "/v2/images/"}, {"PATCH", "/v2/images/"},
        {"GET", "/v2/images//file"}, {"PUT", "/v2/images//file"},
        {"GET", "/v2/images//members"}, {"POST", "/v2/images//members"},
        {"GET", "/v2/images//members/p2"}, {"PUT", "/v2/images//members/p2"},
        {"GET", "/v2/images/" + id + "/members/"}, {"DELETE", "/v2/images/" + id + "/members/"},
        {"PUT", "/v2/images//tags/t"}, {"PUT", "/v2/images/" + id + "/tags/"},
        {"DELETE", "/v2/images/" + id + "/tags/"},
        {"POST", "/v2/images//actions/deactivate"}, {"POST", "/v2/images//actions/reactivate"},
        {"DELETE", "/v2/stores/file/"}, {"DELETE", "/v2/stores//" + id},
        {"GET", "/v2/schemas/image/"}, {"GET", "/v2/schemas/images/"}, {"GET", "/v2/info/stores/"},
        {"GET", "/v2.1/images/"},
    };
    for (String[] request : requests) {
      Response r = alice.send(request[0], request[1], null, null);
      assertEquals(404, r.status(), request[0] + " " + request[1] + ": " + r.body());
      assertTrue(r.body().contains("The resource could not be found."), request[0] + " " + request[1] + ": " + r.body());
    }
    // The image is untouched and the list still answers without the slash.
    assertEquals(200, alice.get("/v2/images/" + id).status());
    assertEquals(List.of(id), alice.get("/v2/images").ids());
    assertEquals(200, Api.anonymous(server).get("/versions/").status(), "Glance serves /versions/ as /versions");
  }

  @Test
  @DisplayName("every response carries x-openstack-request-id; an inbound one is reused")
  void requestIds() {
    Response a = alice.get("/v2/images");
    Response b = alice.get("/v2/images");
    assertTrue(a.header("x-openstack-request-id").startsWith("req-"));
    assertNotEquals(a.header("x-openstack-request-id"), b.header("x-openstack-request-id"));
    assertNotNull(Api.anonymous(server).get("/v2/images").header("x-openstack-request-id"));
    assertNotNull(Api.anonymous(server).get("/nope").header("x-openstack-request-id"));
    Response given = alice.with("X-Openstack-Request-ID", "req-1234").get("/v2/images");
    assertEquals("req-1234", given.header("x-openstack-request-id"));
    Response tooLong = alice.with("X-Openstack-Request-ID", "x".repeat(65)).get("/v2/images");
    assertEquals(431, tooLong.status());
  }

  @Test
  @DisplayName("error bodies follow Accept: JSON, HTML, or plain text without Accept")
  void errorFormats() {
    Response json = alice.get("/v2/images/nope");
    assertEquals(404, json.status());
    assertEquals("application/json", json.header("Content-Type"));
    assertEquals(new JsonObject().put("message", "No image found with ID nope<br /><br />\n\n\n")
        .put("code", "404 Not Found").put("title", "Not Found"), json.json());
    Response html = alice.with("Accept", "*/*").get("/v2/images/nope");
    assertTrue(html.header("Content-Type").startsWith("text/html"));
    assertTrue(html.body().contains("<title>404 Not Found</title>"));
    assertTrue(html.body().contains("No image found with ID nope"));
    Response plain = alice.with("Accept", null).get("/v2/images/nope");
    assertTrue(plain.header("Content-Type").startsWith("text/plain"));
    assertEquals("404 Not Found\n\nNo image found with ID nope\n\n   ", plain.body());
    Response preferJson = alice.with("Accept", "text/html;q=0.5, application/json").get("/v2/images/nope");
    assertEquals("application/json", preferJson.header("Content-Type"));
  }

  @Test
  @DisplayName("a known path with the wrong method is 405 with Allow; unknown v2 paths are 404")
  void methodNotAllowed() {
    Response put = alice.send("PUT", "/v2/images", null, null);
    assertEquals(405, put.status());
    assertEquals("GET, POST", put.header("Allow"));
    Response post = alice.post("/v2/images/" + java.util.UUID.randomUUID(), new JsonObject());
    assertEquals(405, post.status());
    assertEquals("GET, PATCH, DELETE", post.header("Allow"));
    assertEquals(405, alice.send("HEAD", "/v2/images", null, null).status());
    assertEquals(405, alice.send("DELETE", "/v2/schemas/image", null, null).status());
    assertEquals(404, alice.get("/v2/nothing-here").status());
  }

  @Test
  @DisplayName("a body on a body-less route is a 400")
  void bodyRejected() {
    Response r = alice.send("GET", "/v2/images", "{}", "application/json");
    assertEquals(400, r.status());
    assertEquals("A body is not expected with this request.", r.message());
    String id = alice.create(new JsonObject()).getString("id");
    assertEquals(400, alice.send("DELETE", "/v2/images/" + id, "x", "text/plain").status());
    assertEquals(200, alice.get("/v2/images/" + id).status());
  }

  @Test
  @DisplayName("/healthcheck answers 200 OK without credentials (oslo's JSON form when Accept asks for JSON)")
  void healthcheck() {
    Response r = Api.anonymous(server).get("/healthcheck");
    assertEquals(200, r.status());
    assertEquals(new JsonObject().put("detailed", false).put("reasons", new io.vertx.core.json.JsonArray().add("OK")),
        r.json());
  }

  @Test
  @DisplayName("schemas: image lists base properties with configured formats; images is the collection")
  void schemas() {
    JsonObject image = alice.get("/v2/schemas/image").json();
    assertEquals("image", image.getString("name"));
    JsonObject props = image.getJsonObject("properties");
    for (String p : List.of("id", "name", "status", "visibility", "protected", "os_hidden", "checksum",
        "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "container_format", "disk_format",
        "created_at", "updated_at", "tags", "direct_url", "min_ram", "min_disk", "self", "file", "schema",
        "locations", "stores")) {
      assertTrue(props.containsKey(p), p);
    }
    JsonArray disk = props.getJsonObject("disk_format").getJsonArray("enum");
    assertEquals(null, disk.getValue(0));
    assertTrue(disk.contains("qcow2"));
    assertEquals(new JsonObject().put("type", "string"), image.getJsonObject("additionalProperties"));
    JsonObject images = alice.get("/v2/schemas/images").json();
    assertEquals("images", images.getString("name"));
    assertEquals(image, images.getJsonObject("properties").getJsonObject("images").getJsonObject("items"));
  }

  @Test
  @DisplayName("bad percent-encoding and non-UTF-8 input are 400s, never 500s")
  void badEncodings() throws Exception {
    assertEquals(400, alice.get("/v2/images/%FF%FE").status());
    assertEquals(400, alice.get("/v2/images?name=%FF").status());
    assertEquals(400, rawRequest("POST /v2/images HTTP/1.1\r\nHost: x\r\nX-Identity-Status: Confirmed\r\n"
        + "X-Project-Id: p\r\nAccept: application/json\r\nContent-Type: application/json\r\n"
        + "Content-Length: 12\r\nConnection: close\r\n\r\n{\"name\":\"\u00ff\"}", true));
  }

  @Test
  @DisplayName("over-long request lines and headers are refused, not served")
  void oversizedHeaders() throws Exception {
    int status = rawRequest("GET /v2/images?name=" + "a".repeat(20000) + " HTTP/1.1\r\nHost: x\r\n"
        + "Connection: close\r\n\r\n", false);
    assertTrue(status == 414 || status == 400 || status == 431, "status " + status);
  }

  /** Sends raw bytes (ISO-8859-1 when latin1, so \u00ff is the single invalid UTF-8 byte 0xFF). */
  private int rawRequest(String request, boolean latin1) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      return Integer.parseInt(head.substring(9, 12));
    }
  }
}
