package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.glint.testing.GlintProcess;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Graceful shutdown on SIGTERM: stop accepting, let transfers finish within graceful_shutdown_timeout")
class GracefulShutdownTest {

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("an upload and a download in flight at SIGTERM finish; new connections are refused meanwhile")
  void inFlightTransfersFinish() throws Exception {
    byte[] image = Bytes.random(48_000_000, 21); // far more than socket buffers hold
    byte[] uploaded = Bytes.random(3_000_000, 22);
    String downloadId;
    String uploadId;
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"),
        List.of("--graceful_shutdown_timeout=60"))) {
      Api api = Api.as(glint.base(), "project-a", "member");
      downloadId = create(api);
      assertEquals(204, api.upload(downloadId, image).status());
      uploadId = create(api);
      RawHttp upload = new RawHttp(glint.port()).startUpload(uploadId, "project-a", uploaded.length);
      upload.write(Arrays.copyOfRange(uploaded, 0, 1_000_000));
      awaitStatus(uploadId, "saving");
      Socket download = RawHttp.slowDownload(glint.port(), downloadId);

      glint.terminate();
      awaitRefused(glint.port());
      Thread.sleep(1000); // well into the drain: both transfers are still wanted
      upload.write(Arrays.copyOfRange(uploaded, 1_000_000, uploaded.length));
      assertEquals(204, upload.status());
      assertArrayEquals(image, readBody(download.getInputStream()));
      download.close();
      upload.close();
      assertNotEquals(-1, glint.awaitExit(Duration.ofSeconds(40)), "Glint did not exit after its transfers ended");
      String log = glint.log();
      assertTrue(log.matches("(?s).*Graceful shutdown: no new connections; [12] transfer\\(s\\) in flight.*"), log);
      assertTrue(log.contains("Graceful shutdown done"), log);
    }
    assertEquals("active", TestServer.executeString("SELECT status FROM images WHERE id = $1", uploadId));
    assertEquals(Bytes.md5(uploaded), TestServer.executeString("SELECT checksum FROM images WHERE id = $1",
        uploadId));
    assertArrayEquals(uploaded, Files.readAllBytes(dataDir.resolve("images").resolve(uploadId)));
  }

  @Test
  @DisplayName("an upload still running at the deadline is cut and cleaned up as a client abort: queued, no data")
  void uploadCutAtDeadline() throws Exception {
    String id;
    long t0;
    try (GlintProcess glint = GlintProcess.start(dataDir, List.of("-Xmx256m"),
        List.of("--graceful_shutdown_timeout=2"))) {
      Api api = Api.as(glint.base(), "project-a", "member");
      id = create(api);
      RawHttp upload = new RawHttp(glint.port()).startUpload(id, "project-a", 10_000_000);
      upload.write(Bytes.random(2_000_000, 23));
      awaitStatus(id, "saving");
      // the status and the temporary file are written concurrently: wait for the file too
      long fileDeadline = System.currentTimeMillis() + 20_000;
      while (incoming().isEmpty() && System.currentTimeMillis() < fileDeadline) {
        Thread.sleep(20);
      }
      assertTrue(!incoming().isEmpty(), "the upload writes a temporary file");
      t0 = System.nanoTime();
      glint.terminate();
      int exit = glint.awaitExit(Duration.ofSeconds(30));
      long tookMs = (System.nanoTime() - t0) / 1_000_000;
      assertNotEquals(-1, exit, "Glint did not exit");
      assertTrue(tookMs >= 2000, "exited before the grace period ended: " + tookMs + " ms");
      String log = glint.log();
      assertTrue(log.contains("1 transfer(s) still running after 2 s were cut"), log);
      assertTrue(log.contains("removing partial data and restoring queued"), log);
      upload.close();
    }
    assertEquals("queued", TestServer.executeString("SELECT status FROM images WHERE id = $1", id));
    assertNull(TestServer.executeString("SELECT size FROM images WHERE id = $1", id) == null ? null
        : TestServer.executeString("SELECT size FROM images WHERE id = $1", id).equals("null") ? null : "size set");
    assertEquals(List.of(), incoming());
    assertTrue(!Files.exists(dataDir.resolve("images").resolve(id)));
  }

  private static void awaitStatus(String id, String status) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!status.equals(TestServer.executeString("SELECT status FROM images WHERE id = $1", id))) {
      assertTrue(System.currentTimeMillis() < deadline, "image " + id + " never became " + status);
      Thread.sleep(20);
    }
  }

  /** Waits until the port refuses connections (the listener is closed). */
  private static void awaitRefused(int port) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        assertTrue(System.currentTimeMillis() < deadline, "still accepting connections after SIGTERM");
        Thread.sleep(20);
      } catch (IOException refused) {
        return;
      }
    }
  }

  /** Reads the rest of a download's head and its Content-Length body. */
  private static byte[] readBody(InputStream in) throws IOException {
    long length = -1;
    String line;
    while ((line = RawHttp.readLine(in)) != null && !line.isEmpty()) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Long.parseLong(line.substring(15).strip());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    int n;
    while (out.size() < length && (n = in.read(buf, 0, (int) Math.min(buf.length, length - out.size()))) > 0) {
      out.write(buf, 0, n);
      Thread.yield();
    }
    return out.toByteArray();
  }

  private String create(Api api) {
    return api.create(new JsonObject().put("name", "drain").put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  private List<Path> incoming() throws Exception {
    Path dir = dataDir.resolve("images").resolve(".incoming");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
