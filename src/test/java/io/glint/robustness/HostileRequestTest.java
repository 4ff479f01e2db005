package io.glint.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.RawHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests a hostile client sends over a raw socket: unknown transfer codings, header floods, unknown protocol
 * versions, malformed Host headers, NUL bytes, overlong UTF-8, ownerless images. Each gets a Glance-style 4xx
 * (or 5xx where HTTP says so: 501, 505), never a 500, and none leaves anything behind.
 */
@DisplayName("Hostile requests: framing, headers, Host, NUL bytes, encodings and ownership get clear 4xx answers")
class HostileRequestTest extends ApiTestBase {
  private static final String IDENTITY = "X-Identity-Status: Confirmed\r\nX-Project-Id: project-a\r\n"
      + "X-User-Id: alice\r\nX-Roles: member\r\nAccept: application/json\r\n";

  @Test
  @DisplayName("Transfer-Encoding: xchunked without Content-Length is 501; the bytes after it are never served")
  void unknownTransferCoding() throws Exception {
    String id = newImage();
    byte[] smuggled = ("GET /v2/images HTTP/1.1\r\nHost: 127.0.0.1\r\n" + IDENTITY + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.write(concat(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n" + IDENTITY
          + "Content-Type: application/octet-stream\r\nTransfer-Encoding: xchunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII), smuggled));
      RawHttp.Reply reply = raw.reply();
      assertNotNull(reply);
      assertEquals(501, reply.status());
      assertEquals("close", reply.headers().get("connection"));
      assertTrue(reply.text().contains("xchunked"), reply.text());
      assertNull(raw.reply(), "nothing after the refusal is read as a request (no desync)");
    }
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertEquals("queued", image.getString("status"), "no zero-byte image went active");
    assertNull(image.getValue("size"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip, chunked", "chunked, gzip", "identity", "gzip", "chunked;x=1", "chunked, chunked"})
  @DisplayName("any transfer coding other than a lone chunked is 501 (400 when chunked is not last) and stores nothing")
  void unsupportedTransferCodings(String coding) throws Exception {
    String id = newImage();
    RawHttp.Reply reply = RawHttp.exchange(server.port(), concat(("PUT /v2/images/" + id
        + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n" + IDENTITY + "Content-Type: application/octet-stream\r\n"
        + "Transfer-Encoding: " + coding + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII),
        "5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    assertNotNull(reply);
    assertEquals(coding.equals("chunked, gzip") ? 400 : 501, reply.status(), coding);
    assertEquals("close", reply.headers().get("connection"));
    assertEquals("queued", alice.get("/v2/images/" + id).json().getString("status"));
  }

  @Test
  @DisplayName("Transfer-Encoding in an HTTP/1.0 request is faulty framing: 400")
  void transferEncodingInHttp10() throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(server.port(), ("POST /v2/images HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        + IDENTITY + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    assertNotNull(reply);
    assertEquals(400, reply.status());
  }

  @Test
  @DisplayName("100 headers are served; 101 headers or one header line over max_header_line are 431")
  void headerFloods() throws Exception {
    // Host and Connection are two of the request's headers.
    assertEquals(200, versions(headers(98, 10)).status());
    assertEquals(431, versions(headers(99, 10)).status());
    RawHttp.Reply many = versions(headers(1000, 10));
    assertEquals(431, many.status());
    assertTrue(many.text().contains("Too many headers"), many.text());
    RawHttp.Reply longLine = versions("X-Big: " + "a".repeat(20_000) + "\r\n");
    assertEquals(431, longLine.status());
    assertTrue(longLine.text().contains("max_header_line"), longLine.text());
    assertEquals(200, versions("X-Big: " + "a".repeat(16_000) + "\r\n").status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/9.9", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9"})
  @DisplayName("an unsupported HTTP version is 505 (Glance-style body) and the connection closed")
  void httpVersion(String version) throws Exception {
    RawHttp.Reply reply = RawHttp.exchange(server.port(), ("GET /versions " + version + "\r\nHost: x\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    assertNotNull(reply, version);
    assertEquals(505, reply.status(), version);
    assertEquals("close", reply.headers().get("connection"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "x:abc", "x:99999", "[::1", "a/b", "x@y", "a:b:c", "[::1]:x"})
  @DisplayName("a malformed Host header is a 400 on every kind of route, never a 500")
  void malformedHost(String host) throws Exception {
    for (String path : List.of("/v2/images", "/versions", "/v2/images/" + newImage(), "/nowhere")) {
      RawHttp.Reply reply = RawHttp.exchange(server.port(), ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
          + IDENTITY + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertNotNull(reply, host + " " + path);
      assertEquals(400, reply.status(), "Host '" + host + "' on " + path + ": " + reply.text());
      assertTrue(reply.text().contains("Host"), reply.text());
    }
  }

  @Test
  @DisplayName("overlong UTF-8 in a JSON body (C0 AF for '/') is refused as invalid UTF-8, 400")
  void overlongUtf8() throws Exception {
    byte[] body = concat("{\"name\":\"a".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xc0, (byte) 0xaf},
        "b\"}".getBytes(StandardCharsets.US_ASCII));
    RawHttp.Reply reply = RawHttp.exchange(server.port(), concat(("POST /v2/images HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + IDENTITY + "Content-Type: application/json\r\nContent-Length: " + body.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body));
    assertEquals(400, reply.status());
    assertEquals(0, alice.get("/v2/images").ids().size(), "no image created");
  }

  @Test
  @DisplayName("%00 in an image id on every route is a 404, never a 500")
  void nulInIds() {
    String bad = "abc%00def";
    String real = newImage();
    String nulled = real + "%00";
    String patch = new JsonArray().add(new JsonObject().put("op", "replace").put("path", "/name").put("value", "x"))
        .encode();
    for (String id : List.of(bad, nulled)) {
      assertEquals(404, alice.get("/v2/images/" + id).status());
      assertEquals(404, alice.send("PATCH", "/v2/images/" + id, patch, Api.PATCH_V21).status());
      assertEquals(404, alice.delete("/v2/images/" + id).status());
      assertEquals(404, alice.get("/v2/images/" + id + "/file").status());
      assertEquals(404, alice.sendBytes("PUT", "/v2/images/" + id + "/file", new byte[10],
          "application/octet-stream", java.util.Map.of()).status());
      assertEquals(404, alice.get("/v2/images/" + id + "/members").status());
      assertEquals(404, alice.post("/v2/images/" + id + "/members", new JsonObject().put("member", "b")).status());
      assertEquals(404, alice.get("/v2/images/" + id + "/members/b").status());
      assertEquals(404, alice.send("PUT", "/v2/images/" + id + "/members/b",
          new JsonObject().put("status", "accepted").encode(), "application/json").status());
      assertEquals(404, alice.delete("/v2/images/" + id + "/members/b").status());
      assertEquals(404, alice.send("PUT", "/v2/images/" + id + "/tags/t", "", "application/json").status());
      assertEquals(404, alice.delete("/v2/images/" + id + "/tags/t").status());
      assertEquals(404, admin.send("POST", "/v2/images/" + id + "/actions/deactivate", "", "application/json")
          .status());
      assertEquals(404, admin.send("POST", "/v2/images/" + id + "/actions/reactivate", "", "application/json")
          .status());
    }
    assertEquals(400, alice.send("PUT", "/v2/images/" + real + "/tags/a%00b", "", "application/json").status());
    assertEquals(404, alice.get("/v2/images/" + real + "/members/m%00").status());
    assertEquals("queued", alice.get("/v2/images/" + real).json().getString("status"));
  }

  @Test
  @DisplayName("%00 in list filters, markers and parameter names is a 400, never a 500")
  void nulInQueries() {
    for (String query : List.of("name=a%00b", "marker=abc%00", "tag=t%00", "owner=o%00", "checksum=%00",
        "os_distro=x%00y", "a%00b=c", "member_status=%00", "visibility=%00", "sort_key=na%00me", "status=%00",
        "id=in:a%00,b", "sort=name%00:asc", "container_format=%00", "created_at=gt:%00")) {
      Api.Response r = alice.get("/v2/images?" + query);
      assertEquals(400, r.status(), query + ": " + r.body());
    }
  }

  @Test
  @DisplayName("a NUL character anywhere in a JSON body (names, tags, properties, location metadata) is a 400")
  void nulInBodies() {
    String id = newImage();
    assertEquals(400, alice.post("/v2/images", new JsonObject().put("name", "a\u0000b")).status());
    assertEquals(400, alice.post("/v2/images", new JsonObject().put("x\u0000", "v")).status());
    assertEquals(400, alice.post("/v2/images", new JsonObject().put("tags", new JsonArray().add("t\u0000")))
        .status());
    JsonArray location = new JsonArray().add(new JsonObject().put("op", "add").put("path", "/locations/-")
        .put("value", new JsonObject().put("url", "http://example.com/a").put("metadata",
            new JsonObject().put("k", "v\u0000"))));
    assertEquals(400, admin.patch("/v2/images/" + id, location).status());
    JsonArray property = new JsonArray().add(new JsonObject().put("op", "add").put("path", "/p")
        .put("value", "v\u0000"));
    assertEquals(400, alice.patch("/v2/images/" + id, property).status());
    assertEquals(400, alice.post("/v2/images/" + id + "/members", new JsonObject().put("member", "b\u0000"))
        .status());
    assertEquals(1, alice.get("/v2/images").ids().size(), "nothing else was created");
  }

  @Test
  @DisplayName("non-admins cannot create images owned by nobody: owner null, or a caller without a project, 403")
  void ownerlessImages() {
    Api.Response explicitNull = alice.post("/v2/images", new JsonObject().putNull("owner").put("name", "x"));
    assertEquals(403, explicitNull.status());
    assertTrue(explicitNull.message().contains("owned by 'None'"), explicitNull.message());
    Api noProject = Api.as(server, null, "member");
    Api.Response implicit = noProject.post("/v2/images", new JsonObject().put("name", "x"));
    assertEquals(403, implicit.status());
    assertEquals(403, alice.post("/v2/images", new JsonObject().put("owner", "project-b")).status());
    assertEquals(0, admin.get("/v2/images").ids().size(), "no image was created");
    Api.Response byAdmin = admin.post("/v2/images", new JsonObject().putNull("owner"));
    assertEquals(201, byAdmin.status(), "an admin may, as in Glance");
  }

  private String newImage() {
    return alice.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  private RawHttp.Reply versions(String extraHeaders) throws IOException {
    RawHttp.Reply reply = RawHttp.exchange(server.port(), ("GET /versions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + extraHeaders + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    assertNotNull(reply);
    return reply;
  }

  /** {@code count} distinct header lines (plus Host and Connection, which the request adds). */
  private static String headers(int count, int valueLength) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append("X-H").append(i).append(": ").append("v".repeat(valueLength)).append("\r\n");
    }
    return sb.toString();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
