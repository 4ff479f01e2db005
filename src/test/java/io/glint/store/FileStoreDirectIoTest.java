package io.glint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code filesystem_store_direct_io = true}: image data written with O_DIRECT (whole aligned blocks, the last one
 * padded and the file cut back) is byte for byte what the client sent, at every size around the block and batch
 * boundaries and for uploads that arrive in odd pieces; the temporary file really is open with O_DIRECT; a cut
 * upload leaves no file.
 */
@DisplayName("File store with O_DIRECT writes")
class FileStoreDirectIoTest {
  /** O_DIRECT in the octal flags of /proc/self/fdinfo (x86-64 and arm64 differ: checked per architecture). */
  private static final int O_DIRECT = System.getProperty("os.arch").contains("aarch64") ? 0200000 : 040000;
  private static TestServer server;
  private static int warningsBefore;
  private static Api api;

  @BeforeAll
  static void start() {
    warningsBefore = BlockedThreadWatch.mark();
    server = TestServer.start(Map.of("glance_store.filesystem_store_direct_io", "true"));
    api = Api.as(server, "project-direct", "member");
  }

  @AfterAll
  static void stop() {
    server.close();
    BlockedThreadWatch.assertNoneSince(warningsBefore);
  }

  private static void assertStored(String id, byte[] data) throws IOException {
    api.assertActiveWith(id, data);
    Path file = server.imageDirectory().resolve(id);
    assertEquals(data.length, Files.size(file), "the file is cut back to the image's size");
    assertArrayEquals(data, Files.readAllBytes(file));
    assertArrayEquals(data, api.download(id, Map.of()).body());
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 511, 4095, 4096, 4097, 65_537, 262_143, 262_144, 262_145, 1_000_003, 3 * 262_144 + 17})
  @DisplayName("uploads of every size around blocks and batches are stored exactly")
  void sizes(int size) throws IOException {
    byte[] data = Bytes.random(size, 7_000 + size);
    String id = api.createRaw("direct-" + size);
    assertEquals(204, api.upload(id, data).status());
    assertStored(id, data);
  }

  @Test
  @DisplayName("a chunked upload in odd pieces with pauses (partial batches) is stored exactly")
  void oddPieces() throws Exception {
    int[] pieces = {5_000, 70_001, 1, 262_144, 4_095, 300_000, 17};
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    String id = api.createRaw("direct-pieces");
    boolean sawDirect = false;
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(id, "project-direct", -1);
      int seed = 1;
      for (int n : pieces) {
        byte[] piece = Bytes.random(n, 9_000 + seed++);
        all.write(piece);
        raw.write(chunk(piece));
        // longer than the pump's idle flush (200 ms): each piece goes to the store as a batch of its own
        Thread.sleep(300);
        sawDirect |= incomingOpenWithDirect();
      }
      raw.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(204, raw.status());
    }
    assertTrue(sawDirect, "the upload's temporary file is open with O_DIRECT");
    assertStored(id, all.toByteArray());
  }

  @Test
  @DisplayName("an upload cut mid-body leaves the image queued and no file")
  void cutUpload() throws Exception {
    String id = api.createRaw("direct-cut");
    byte[] part = Bytes.random(700_001, 77);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(id, "project-direct", 2_000_000);
      raw.write(part);
      Thread.sleep(300);
      raw.abort();
    }
    Await.until(() -> "queued".equals(api.get("/v2/images/" + id).json().getString("status"))
        && incomingFiles().isEmpty(), Duration.ofSeconds(5), "image queued again and no partial file");
    assertNull(api.get("/v2/images/" + id).json().getValue("checksum"));
    assertTrue(Files.notExists(server.imageDirectory().resolve(id)));
    byte[] data = Bytes.random(500_000, 78);
    assertEquals(204, api.upload(id, data).status(), "the image takes a new upload");
    assertStored(id, data);
  }

  private static byte[] chunk(byte[] piece) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(piece);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static List<Path> incomingFiles() {
    try (Stream<Path> s = Files.list(server.imageDirectory().resolve(".incoming"))) {
      return s.toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Whether a file of the store's .incoming directory is open in this JVM with O_DIRECT. */
  private static boolean incomingOpenWithDirect() throws IOException {
    String incoming = server.imageDirectory().resolve(".incoming").toRealPath().toString();
    List<Integer> flags = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // closed meanwhile
        }
        if (target.startsWith(incoming + "/")) {
          for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
            if (line.startsWith("flags:")) {
              flags.add(Integer.parseInt(line.substring(6).trim(), 8));
            }
          }
        }
      }
    }
    return flags.stream().anyMatch(f -> (f & O_DIRECT) != 0);
  }
}
