package io.glint.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Uploads whose body ends early or badly, replayed over raw sockets: whatever the way, the image goes back to
 * queued with no size or checksum and no partial file, within a second and without a restart; and a client
 * that half-closes after a whole body still gets its answer.
 */
@DisplayName("Cut uploads: every way a body ends early or badly leaves the image queued and no data")
class CutUploadTest extends ApiTestBase {
  private static final int SIZE = 1 << 20;

  /** The ways a hostile or broken client ends an upload. */
  enum Cut {
    CLOSE_AFTER_HEAD, RESET_AFTER_HEAD, CLOSE_MID_BODY, RESET_MID_BODY, HALF_CLOSE_MID_BODY,
    BAD_CHUNK_SIZE, MISSING_CHUNK_CRLF, NEGATIVE_CHUNK_SIZE, OVERSIZED_CHUNK_EXTENSION, OVERSIZED_TRAILERS;

    boolean chunked() {
      return ordinal() >= BAD_CHUNK_SIZE.ordinal();
    }

    /** Sends the head and part of a body, then ends it this way. */
    void apply(int port, String id, byte[] data) throws IOException {
      RawHttp raw = new RawHttp(port);
      raw.startUpload(id, "project-a", chunked() ? -1 : data.length);
      byte[] part = Arrays.copyOf(data, data.length / 4);
      switch (this) {
        case CLOSE_AFTER_HEAD -> raw.close();
        case RESET_AFTER_HEAD -> raw.abort();
        case CLOSE_MID_BODY -> raw.write(part).close();
        case RESET_MID_BODY -> raw.write(part).abort();
        case HALF_CLOSE_MID_BODY -> {
          raw.write(part).halfClose();
          assertEquals(-1, raw.poll(5000), "the server closes a half-closed, incomplete upload");
          raw.close();
        }
        default -> {
          raw.write(chunk(part)).write(brokenFraming());
          raw.poll(5000); // an error answer, a close or a reset: all fine
          raw.close();
        }
      }
    }

    private byte[] brokenFraming() {
      return switch (this) {
        case BAD_CHUNK_SIZE -> "zz\r\nabc\r\n".getBytes(StandardCharsets.US_ASCII);
        case MISSING_CHUNK_CRLF -> "3\r\nabcdefgh".getBytes(StandardCharsets.US_ASCII);
        case NEGATIVE_CHUNK_SIZE -> "-5\r\nabcde\r\n".getBytes(StandardCharsets.US_ASCII);
        case OVERSIZED_CHUNK_EXTENSION -> ("3;" + "e".repeat(20_000) + "\r\nabc\r\n")
            .getBytes(StandardCharsets.US_ASCII);
        case OVERSIZED_TRAILERS -> {
          StringBuilder sb = new StringBuilder("3\r\nabc\r\n0\r\n");
          for (int i = 0; i < 100; i++) {
            sb.append("T").append(i).append(": ").append("v".repeat(1000)).append("\r\n");
          }
          yield sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        }
        default -> throw new IllegalStateException();
      };
    }
  }

  @ParameterizedTest
  @EnumSource(Cut.class)
  @DisplayName("a cut upload: image queued, no size, checksum or file within a second; a new upload then works")
  void cutUpload(Cut cut) throws Exception {
    String id = newImage();
    byte[] data = Bytes.random(SIZE, cut.ordinal());
    cut.apply(server.port(), id, data);
    // Queued and clean within a second, and staying so (the server may still have been checking the upload
    // when the client left: it must never flip it to saving afterwards and leave it there).
    Await.stable(() -> "queued".equals(status(id)) && incomingFiles().isEmpty(), Duration.ofMillis(300),
        Duration.ofMillis(1300), cut + ": image back to queued and no partial file");
    JsonObject image = alice.get("/v2/images/" + id).json();
    assertNull(image.getValue("size"));
    assertNull(image.getValue("checksum"));
    assertNull(image.getValue("os_hash_value"));
    assertTrue(storeFiles().isEmpty(), "no data in the store");
    assertEquals(204, alice.upload(id, data).status(), "a new upload is accepted (no 409)");
    assertArrayEquals(data, alice.download(id, Map.of()).body());
  }

  @Test
  @DisplayName("a client that half-closes after a whole body gets 204 and its image is active (5 times)")
  void halfCloseAfterWholeBody() throws Exception {
    for (int i = 0; i < 5; i++) {
      String id = newImage();
      byte[] data = Bytes.random(3 * SIZE, 100 + i);
      try (RawHttp raw = new RawHttp(server.port())) {
        raw.startUpload(id, "project-a", data.length).write(data).halfClose();
        RawHttp.Reply reply = raw.reply();
        assertNotNull(reply, "an answer on a half-closed connection");
        assertEquals(204, reply.status());
        assertEquals(-1, raw.poll(5000), "then the server closes the connection");
      }
      JsonObject image = alice.get("/v2/images/" + id).json();
      assertEquals("active", image.getString("status"));
      assertEquals(Bytes.md5(data), image.getString("checksum"));
    }
  }

  @Test
  @DisplayName("a half-closed client downloading a 16 MiB image reads it whole")
  void halfClosedDownload() throws Exception {
    String id = newImage();
    byte[] data = Bytes.random(16 * SIZE, 7);
    assertEquals(204, alice.upload(id, data).status());
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.write(("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Identity-Status: Confirmed\r\n"
          + "X-Project-Id: project-a\r\nX-Roles: member\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      raw.halfClose();
      Thread.sleep(200); // let the server's send buffer fill while the client does not read
      RawHttp.Reply reply = raw.reply();
      assertNotNull(reply);
      assertEquals(200, reply.status());
      assertEquals(Bytes.md5(data), Bytes.md5(reply.body()));
    }
  }

  @Test
  @DisplayName("150 concurrent uploads, 120 cut in every way: 0 saving and 0 partial files within 2 s, 30 active")
  void concurrentCuts() throws Exception {
    int total = 150;
    int complete = 30;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      ids.add(newImage());
    }
    Cut[] cuts = Cut.values();
    ExecutorService pool = Executors.newFixedThreadPool(total);
    VersionsProbe probe = VersionsProbe.start(server.port());
    List<Future<?>> runs = new ArrayList<>();
    List<byte[]> bodies = new ArrayList<>();
    try {
      for (int i = 0; i < total; i++) {
        String id = ids.get(i);
        byte[] data = Bytes.random(SIZE, 1000 + i);
        bodies.add(data);
        boolean whole = i % 5 == 0; // 30 of 150
        Cut cut = cuts[i % cuts.length];
        runs.add(pool.submit(() -> {
          if (whole) {
            try (RawHttp raw = new RawHttp(server.port())) {
              raw.startUpload(id, "project-a", data.length).write(data);
              assertEquals(204, raw.status(), "complete upload " + id);
            }
          } else {
            cut.apply(server.port(), id, data);
          }
          return null;
        }));
      }
      for (Future<?> run : runs) {
        run.get(120, TimeUnit.SECONDS);
      }
      long cutDone = System.nanoTime();
      Await.until(() -> countSaving() == 0 && incomingFiles().isEmpty(), Duration.ofSeconds(2),
          "no image in saving and no partial file");
      System.out.printf("concurrentCuts: settled %d ms after the last client finished%n",
          (System.nanoTime() - cutDone) / 1_000_000);
    } finally {
      pool.shutdownNow();
      probe.stop();
    }
    int active = 0;
    for (int i = 0; i < total; i++) {
      JsonObject image = alice.get("/v2/images/" + ids.get(i)).json();
      if (i % 5 == 0) {
        assertEquals("active", image.getString("status"), ids.get(i));
        assertEquals(Bytes.md5(bodies.get(i)), image.getString("checksum"));
        assertEquals(SIZE, image.getLong("size"));
        active++;
      } else {
        assertEquals("queued", image.getString("status"), ids.get(i));
      }
    }
    assertEquals(complete, active);
    assertTrue(probe.worstMillis() < 1000, "/versions answered within 1 s throughout, worst "
        + probe.worstMillis() + " ms");
    assertTrue(probe.count() > 0, "the probe ran");
  }

  private static byte[] chunk(byte[] data) {
    byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(head, head.length + data.length + 2);
    System.arraycopy(data, 0, out, head.length, data.length);
    out[out.length - 2] = '\r';
    out[out.length - 1] = '\n';
    return out;
  }

  private String newImage() {
    return alice.create(new JsonObject().put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  private String status(String id) {
    return alice.get("/v2/images/" + id).json().getString("status");
  }

  private static int countSaving() {
    return Integer.parseInt(TestServer.executeString("SELECT count(*) FROM images WHERE status = 'saving'"));
  }

  private List<Path> incomingFiles() {
    return files(server.imageDirectory().resolve(".incoming"));
  }

  private List<Path> storeFiles() {
    try (var s = Files.list(server.imageDirectory())) {
      return s.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Calls GET /versions every 50 ms on its own thread and keeps the slowest answer. */
  static final class VersionsProbe {
    private final Thread thread;
    private final AtomicLong worst = new AtomicLong();
    private final AtomicLong count = new AtomicLong();
    private volatile boolean stopped;

    private VersionsProbe(int port) {
      thread = new Thread(() -> {
        while (!stopped) {
          long t0 = System.nanoTime();
          try {
            RawHttp.Reply reply = RawHttp.exchange(port,
                "GET /versions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (reply == null || reply.status() != 200) {
              worst.set(Long.MAX_VALUE);
            }
          } catch (IOException e) {
            worst.set(Long.MAX_VALUE);
          }
          worst.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
          count.incrementAndGet();
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "versions-probe");
      thread.setDaemon(true);
    }

    static VersionsProbe start(int port) {
      VersionsProbe probe = new VersionsProbe(port);
      probe.thread.start();
      return probe;
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join(5000);
    }

    long worstMillis() {
      return worst.get();
    }

    long count() {
      return count.get();
    }
  }
}
