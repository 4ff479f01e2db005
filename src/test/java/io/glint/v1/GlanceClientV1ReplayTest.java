package io.glint.v1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A replay of what python-glanceclient 2.16 ({@code glanceclient/v1/}, the last series with v1) sends for the
 * shell's v1 commands, byte for byte in its headers: one keep-alive connection as its requests session keeps,
 * {@code Content-Type: application/octet-stream} on every request, image data chunked, {@code is_public} sent as
 * {@code None} when not given, {@code x-glance-registry-purge-props: false} on updates, {@code HEAD} before each
 * command that names an image. The identity headers are what keystonemiddleware adds in front of Glance. Every
 * image the sequence makes is checked through v2 as it goes.
 */
@DisplayName("python-glanceclient v1 replay: create with data, list, show, download, update, members, delete")
class GlanceClientV1ReplayTest extends ApiTestBase {
  private static final byte[] DATA = Bytes.random(150_000, 99);

  /** What the client's session sends on every request (requests' defaults and glanceclient's). */
  private static String common(String project) {
    return "Host: 127.0.0.1\r\n"
        + "User-Agent: python-glanceclient\r\n"
        + "Accept-Encoding: gzip, deflate\r\n"
        + "Accept: */*\r\n"
        + "Connection: keep-alive\r\n"
        + "X-Auth-Token: gAAAAABreplayedtoken\r\n"
        + "X-Identity-Status: Confirmed\r\nX-Project-Id: " + project + "\r\nX-User-Id: user-of-" + project
        + "\r\nX-Roles: member,reader\r\n";
  }

  /** One keep-alive connection, as the client's session. */
  private static final class Session implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String project;

    Session(int port, String project) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
      this.project = project;
    }

    Reply send(String method, String target, Map<String, String> headers, byte[] body, boolean chunked)
        throws IOException {
      StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n").append(common(project));
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      if (!headers.containsKey("Content-Type")) {
        head.append("Content-Type: application/octet-stream\r\n");
      }
      if (body != null && chunked) {
        head.append("Transfer-Encoding: chunked\r\n");
      } else if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        head.append("Content-Length: 0\r\n");
      }
      head.append("\r\n");
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      if (body != null && chunked) {
        for (int at = 0; at < body.length; at += 65_536) { // glanceclient's CHUNKSIZE
          int n = Math.min(65_536, body.length - at);
          out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(body, at, n);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } else if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(method.equals("HEAD"));
    }

    private Reply read(boolean head) throws IOException {
      String status = RawHttp.readLine(in);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = RawHttp.readLine(in); h != null && !h.isEmpty(); h = RawHttp.readLine(in)) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
      }
      int code = Integer.parseInt(status.substring(9, 12));
      byte[] body;
      if (head || code == 204) {
        body = new byte[0];
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int n = Integer.parseInt(RawHttp.readLine(in).split(";")[0].strip(), 16); n > 0;
            n = Integer.parseInt(RawHttp.readLine(in).split(";")[0].strip(), 16)) {
          all.write(in.readNBytes(n));
          RawHttp.readLine(in);
        }
        RawHttp.readLine(in);
        body = all.toByteArray();
      } else {
        body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      }
      if ("gzip".equalsIgnoreCase(headers.get("content-encoding"))) {
        // python-requests asks for gzip and decodes it, as glanceclient's users never see
        body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
      }
      return new Reply(code, headers, body);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private record Reply(int status, Map<String, String> headers, byte[] body) {
    JsonObject json() {
      return new JsonObject(new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
    }
  }

  @Test
  @DisplayName("the client's whole v1 sequence works on one connection and every image is consistent through v2")
  void replay() throws IOException {
    try (Session owner = new Session(server.port(), "project-a"); Session other = new Session(server.port(),
        "project-b")) {
      // glance --os-image-api-version 1 image-create --name cirros --disk-format raw --container-format bare
      //   --file cirros.img --property os_distro=cirros
      Map<String, String> create = new LinkedHashMap<>();
      create.put("x-image-meta-container_format", "bare");
      create.put("x-image-meta-disk_format", "raw");
      create.put("x-image-meta-is_public", "None");
      create.put("x-image-meta-name", "cirros");
      create.put("x-image-meta-property-os_distro", "cirros");
      create.put("x-image-meta-size", Integer.toString(DATA.length));
      Reply created = owner.send("POST", "/v1/images", create, DATA, true);
      assertEquals(201, created.status(), created::toString);
      JsonObject image = created.json().getJsonObject("image");
      String id = image.getString("id");
      assertEquals("active", image.getString("status"));
      assertEquals(false, image.getBoolean("is_public"));
      assertEquals(DATA.length, image.getLong("size"));
      JsonObject v2 = alice.get("/v2/images/" + id).json();
      assertEquals("shared", v2.getString("visibility"));
      assertEquals(Bytes.md5(DATA), v2.getString("checksum"));
      assertEquals("cirros", v2.getString("os_distro"));

      // glance image-list (--sort-key name --sort-dir asc by default; page_size 20)
      Reply list = owner.send("GET", "/v1/images/detail?sort_key=name&sort_dir=asc&limit=20", Map.of(), null, false);
      assertEquals(200, list.status(), list::toString);
      JsonArray images = list.json().getJsonArray("images");
      assertEquals(1, images.size());
      assertEquals("cirros", images.getJsonObject(0).getJsonObject("properties").getString("os_distro"));
      // glance image-list --property-filter os_distro=cirros --disk-format raw
      Reply filtered = owner.send("GET", "/v1/images/detail?sort_key=name&sort_dir=asc&limit=20"
          + "&property-os_distro=cirros&disk_format=raw", Map.of(), null, false);
      assertEquals(1, filtered.json().getJsonArray("images").size());
      // glance image-list --owner project-a (the client then sends is_public=None)
      Reply byOwner = owner.send("GET", "/v1/images/detail?sort_key=name&sort_dir=asc&limit=20&is_public=None",
          Map.of(), null, false);
      assertEquals(200, byOwner.status());

      // glance image-show <id>
      Reply show = owner.send("HEAD", "/v1/images/" + id, Map.of(), null, false);
      assertEquals(200, show.status());
      assertEquals("cirros", show.headers().get("x-image-meta-name"));
      assertEquals("cirros", show.headers().get("x-image-meta-property-os_distro"));
      assertEquals(Bytes.md5(DATA), show.headers().get("x-image-meta-checksum"));

      // glance image-download <id> (HEAD to find it, then GET with the checksum verified)
      assertEquals(200, owner.send("HEAD", "/v1/images/" + id, Map.of(), null, false).status());
      Reply download = owner.send("GET", "/v1/images/" + id, Map.of(), null, false);
      assertEquals(200, download.status());
      assertArrayEquals(DATA, download.body());
      assertEquals(Bytes.md5(DATA), download.headers().get("x-image-meta-checksum"));

      // glance image-update --name cirros-0.6 --min-ram 64 --property hw_rng_model=virtio <id>
      owner.send("HEAD", "/v1/images/" + id, Map.of(), null, false);
      Map<String, String> update = new LinkedHashMap<>();
      update.put("x-glance-registry-purge-props", "false");
      update.put("x-image-meta-min_ram", "64");
      update.put("x-image-meta-name", "cirros-0.6");
      update.put("x-image-meta-property-hw_rng_model", "virtio");
      Reply updated = owner.send("PUT", "/v1/images/" + id, update, null, false);
      assertEquals(200, updated.status(), updated::toString);
      JsonObject after = updated.json().getJsonObject("image");
      assertEquals("cirros-0.6", after.getString("name"));
      assertEquals(new JsonObject().put("hw_rng_model", "virtio").put("os_distro", "cirros"),
          after.getJsonObject("properties"), "not purged: the client said false");
      v2 = alice.get("/v2/images/" + id).json();
      assertEquals("cirros-0.6", v2.getString("name"));
      assertEquals(64, v2.getInteger("min_ram"));
      assertEquals("virtio", v2.getString("hw_rng_model"));

      // glance member-create --can-share <id> project-b
      Reply member = owner.send("PUT", "/v1/images/" + id + "/members/project-b",
          Map.of("Content-Type", "application/json"),
          "{\"member\": {\"can_share\": true}}".getBytes(StandardCharsets.UTF_8), false);
      assertEquals(204, member.status(), member::toString);
      // glance member-list --image-id <id>
      Reply members = owner.send("GET", "/v1/images/" + id + "/members", Map.of(), null, false);
      assertEquals(new JsonArray().add(new JsonObject().put("member_id", "project-b").put("can_share", true)),
          members.json().getJsonArray("members"));
      assertEquals("project-b", alice.get("/v2/images/" + id + "/members").json().getJsonArray("members")
          .getJsonObject(0).getString("member_id"));
      // glance member-list --tenant-id project-b (as project-b)
      Reply shared = other.send("GET", "/v1/shared-images/project-b", Map.of(), null, false);
      assertEquals(200, shared.status(), shared::toString);
      assertEquals(id, shared.json().getJsonArray("shared_images").getJsonObject(0).getString("image_id"));
      assertEquals(200, other.send("HEAD", "/v1/images/" + id, Map.of(), null, false).status());
      // glance member-delete <id> project-b
      assertEquals(204, owner.send("DELETE", "/v1/images/" + id + "/members/project-b", Map.of(), null, false)
          .status());
      assertEquals(404, other.send("HEAD", "/v1/images/" + id, Map.of(), null, false).status());

      // glance image-create --name reserved (no data: queued), then image-update --file to upload
      Reply reserved = owner.send("POST", "/v1/images", Map.of("x-image-meta-is_public", "None",
          "x-image-meta-name", "reserved", "x-image-meta-disk_format", "raw",
          "x-image-meta-container_format", "bare"), null, false);
      assertEquals(201, reserved.status(), reserved::toString);
      String queued = reserved.json().getJsonObject("image").getString("id");
      assertEquals("queued", alice.get("/v2/images/" + queued).json().getString("status"));
      Reply upload = owner.send("PUT", "/v1/images/" + queued, Map.of("x-glance-registry-purge-props", "false",
          "x-image-meta-size", Integer.toString(DATA.length)), DATA, true);
      assertEquals(200, upload.status(), upload::toString);
      assertEquals(Bytes.md5(DATA), alice.get("/v2/images/" + queued).json().getString("checksum"));

      // glance image-delete <id> <queued>
      for (String gone : new String[] {id, queued}) {
        assertEquals(200, owner.send("HEAD", "/v1/images/" + gone, Map.of(), null, false).status());
        Reply deleted = owner.send("DELETE", "/v1/images/" + gone, Map.of(), null, false);
        assertEquals(200, deleted.status(), deleted::toString);
        assertEquals(404, alice.get("/v2/images/" + gone).status());
      }
      Reply empty = owner.send("GET", "/v1/images/detail?sort_key=name&sort_dir=asc&limit=20", Map.of(), null, false);
      assertEquals(0, empty.json().getJsonArray("images").size());
      assertNull(empty.headers().get("connection") == null ? null : null);
      assertTrue(alice.get("/v2/images").ids().isEmpty());
    }
  }
}
