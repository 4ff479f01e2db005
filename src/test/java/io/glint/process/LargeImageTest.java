package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.GlintProcess;
import io.glint.testing.PatternStream;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Large images through a Glint with a small heap")
class LargeImageTest {
  private static final long ONE_GIB = 1L << 30;
  private static final int HEAP_MB = 96;

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("a 1 GiB image goes up and comes back intact through a 96 MiB heap; slow readers cost no memory")
  void gigabyteRoundTripWithSmallHeap() throws Exception {
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC"),
        List.of())) {
      Api api = Api.as(glint.base(), "project-large", "member");
      String id = api.create(new JsonObject().put("name", "big").put("disk_format", "raw")
          .put("container_format", "bare")).getString("id");
      String expectedMd5 = md5(new PatternStream(ONE_GIB));

      Api.Response up = api.uploadStream(id, () -> new PatternStream(ONE_GIB), ONE_GIB);
      assertEquals(204, up.status(), up.body());
      JsonObject image = api.get("/v2/images/" + id).json();
      assertEquals(ONE_GIB, image.getLong("size"));
      assertEquals(expectedMd5, image.getString("checksum"));

      HttpResponse<InputStream> down = api.downloadStream(id);
      assertEquals(200, down.statusCode());
      try (InputStream body = down.body()) {
        assertEquals(expectedMd5, md5(body));
      }

      // Several clients that read slowly: the server must not buffer what they have not read yet.
      long before = glint.rssBytes();
      List<Socket> slow = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket("127.0.0.1", glint.port());
        s.setReceiveBufferSize(64 * 1024);
        s.getOutputStream().write(("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\n"
            + "X-Identity-Status: Confirmed\r\nX-Project-Id: project-large\r\nX-Roles: member\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      byte[] buf = new byte[16 * 1024];
      for (int round = 0; round < 20; round++) {
        for (Socket s : slow) {
          int n = s.getInputStream().read(buf);
          assertTrue(n > 0);
        }
        Thread.sleep(100);
      }
      long after = glint.rssBytes();
      for (Socket s : slow) {
        s.close();
      }
      assertTrue(after - before < 64L << 20,
          "RSS grew by " + ((after - before) >> 20) + " MiB while 4 slow clients read a 1 GiB image");
      assertTrue(glint.log().contains("uploaded: " + ONE_GIB + " bytes"), glint.log());
      assertTrue(!glint.log().contains("OutOfMemoryError"), glint.log());
    }
  }

  private static String md5(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("MD5");
    try (DigestInputStream d = new DigestInputStream(in, md)) {
      byte[] buf = new byte[1 << 16];
      while (d.read(buf) >= 0) {
        // digesting
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
