package io.glint.store.s3;

import static io.glint.store.s3.S3StoreTest.image;
import static io.glint.store.s3.S3StoreTest.objectsOf;
import static io.glint.store.s3.S3StoreTest.singleStore;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.S3Server;
import io.glint.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The S3 store when S3 fails: the server stopped in the middle of an upload and of a download, a connection cut
 * in the middle of a request body, an endpoint that refuses connections, wrong credentials, a bucket that does not
 * exist. Errors must be clear and carry no key; an S3 failure is a 503 before the response head and a reset after
 * it, never a 500; a broken download must never look complete; an upload that fails leaves its image queued.
 */
@DisplayName("S3 store failures: outage mid-transfer, wrong credentials, missing bucket")
class S3FailureTest extends ApiTestBase {
  private static final String BUCKET = "glint-outage";
  private static final String WRONG_SECRET = "wrong-secret-9f8e7d6c";
  private static final int MIB = 1024 * 1024;
  private static final List<String> GLINT_LOG = new CopyOnWriteArrayList<>();
  private static final AppenderBase<ILoggingEvent> CAPTURE = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent e) {
      String logger = e.getLoggerName();
      if (logger.startsWith("io.glint") || logger.startsWith("software.amazon") || logger.startsWith("io.vertx")
          || logger.startsWith("io.netty")) {
        GLINT_LOG.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
            : " " + e.getThrowableProxy().getMessage()));
      }
    }
  };
  private static S3Server s3;
  private static TestServer glint;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    CAPTURE.setContext(root.getLoggerContext());
    CAPTURE.start();
    root.addAppender(CAPTURE);
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    glint = TestServer.start(singleStore(s3.endpoint(), BUCKET, Map.of("glance_store.s3_store_splice", "false")));
    api = Api.as(glint, "project-a", "member");
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(CAPTURE);
    glint.close();
    s3.close();
    for (String line : GLINT_LOG) {
      assertFalse(line.contains(S3Server.SECRET_KEY) || line.contains(WRONG_SECRET)
          || line.contains(S3Server.ACCESS_KEY), "a key in the log: " + line);
    }
  }

  private static String status(String id) {
    return api.get("/v2/images/" + id).json().getString("status");
  }

  @Test
  @DisplayName("S3 stopped mid-upload: the upload fails, the image is queued again, and uploads work once S3 is back")
  void outageMidUpload() throws Exception {
    String id = image(api);
    Api.Response failed;
    try (RawHttp raw = new RawHttp(glint.port())) {
      raw.startUpload(id, "project-a", 40L * MIB);
      raw.write(Bytes.random(12 * MIB, 1)); // two parts sent or being sent
      s3.stop();
      try {
        for (int i = 0; i < 28; i++) {
          raw.write(Bytes.random(MIB, i));
        }
      } catch (IOException expected) {
        // Glint answered and closed while the body was still coming.
      }
      RawHttp.Reply reply = raw.reply();
      failed = reply == null ? null : new Api.Response(reply.status(), Map.of(), reply.text());
    } finally {
      s3.restart();
    }
    if (failed != null) {
      assertEquals(503, failed.status(), failed.body());
    }
    Await.until(() -> "queued".equals(status(id)), Duration.ofSeconds(30), "the image back to queued");
    // The abort S3 could not take while it was down is tried again: no parts are left behind.
    Await.until(() -> s3.multipartUploads(BUCKET).isEmpty(), Duration.ofSeconds(30), "the multipart upload aborted");
    assertEquals(List.of(), objectsOf(s3, BUCKET, id));
    byte[] data = Bytes.random(9 * MIB, 2);
    assertEquals(204, api.upload(id, data).status());
    assertArrayEquals(data, api.download(id, Map.of()).body());
  }

  @Test
  @DisplayName("S3 stopped: a download is 503 before the head; after the head the connection is reset, never a short body")
  void outageMidDownload() throws Exception {
    byte[] data = Bytes.random(64 * MIB, 3);
    String id = image(api);
    assertEquals(204, api.upload(id, data).status());
    long received = 0;
    boolean cut = false;
    try (Socket socket = RawHttp.slowDownload(glint.port(), id)) {
      InputStream in = socket.getInputStream();
      long length = -1;
      for (String h = RawHttp.readLine(in); h != null && !h.isEmpty(); h = RawHttp.readLine(in)) {
        if (h.toLowerCase().startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).strip());
        }
      }
      assertEquals(data.length, length);
      received += in.readNBytes(MIB).length;
      s3.stop();
      byte[] buffer = new byte[64 * 1024];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          received += n;
        }
      } catch (IOException e) {
        cut = true; // reset
      }
    } finally {
      Api.Response during = api.get("/v2/images/" + id);
      assertEquals(200, during.status(), "Glint itself keeps answering");
      Api.BytesResponse before = api.download(id, Map.of());
      s3.restart();
      assertEquals(503, before.status(), new String(before.body(), StandardCharsets.UTF_8));
      String body = new String(before.body(), StandardCharsets.UTF_8);
      assertTrue(body.contains("could not be reached"), body);
    }
    assertTrue(received < data.length, "the body must not look complete: " + received + " bytes, cut=" + cut);
    assertArrayEquals(data, api.download(id, Map.of()).body(), "whole again once S3 is back");
  }

  @Test
  @DisplayName("wrong credentials: uploads and downloads are 503 saying so, with no key in the answer")
  void wrongCredentials() throws Exception {
    byte[] data = Bytes.random(1000, 4);
    String stored = image(api);
    assertEquals(204, api.upload(stored, data).status());
    try (TestServer wrong = TestServer.start(singleStore(s3.endpoint(), BUCKET, Map.of(
        "glance_store.s3_store_secret_key", WRONG_SECRET)))) {
      Api a = Api.as(wrong, "project-a", "member");
      String id = image(a);
      Api.Response up = a.upload(id, data);
      assertEquals(503, up.status(), up.body());
      assertTrue(up.message().contains("refused access") && up.message().contains("credentials"), up.body());
      assertFalse(up.body().contains(WRONG_SECRET) || up.body().contains(S3Server.ACCESS_KEY), up.body());
      assertEquals("queued", a.get("/v2/images/" + id).json().getString("status"));
      Api.BytesResponse down = a.download(stored, Map.of());
      String body = new String(down.body(), StandardCharsets.UTF_8);
      assertEquals(503, down.status(), body);
      assertTrue(body.contains("refused access"), body);
      assertFalse(body.contains(WRONG_SECRET) || body.contains(S3Server.ACCESS_KEY), body);
    }
  }

  @Test
  @DisplayName("a missing bucket: 503 naming s3_store_create_bucket_on_put; with it, the bucket is made")
  void missingBucket() throws Exception {
    byte[] data = Bytes.random(1000, 5);
    try (TestServer missing = TestServer.start(singleStore(s3.endpoint(), "no-such-bucket", Map.of()))) {
      Api a = Api.as(missing, "project-a", "member");
      String id = image(a);
      Api.Response up = a.upload(id, data);
      assertEquals(503, up.status(), up.body());
      assertTrue(up.message().contains("no-such-bucket does not exist")
          && up.message().contains("s3_store_create_bucket_on_put"), up.body());
      assertEquals("queued", a.get("/v2/images/" + id).json().getString("status"));
    }
    try (TestServer creating = TestServer.start(singleStore(s3.endpoint(), "made-on-put", Map.of(
        "glance_store.s3_store_create_bucket_on_put", "true")))) {
      Api a = Api.as(creating, "project-a", "member");
      String id = image(a);
      assertEquals(204, a.upload(id, data).status());
      assertEquals(1, objectsOf(s3, "made-on-put", id).size());
      assertArrayEquals(data, a.download(id, Map.of()).body());
    }
    assertNotNull(s3.objectKeys("made-on-put"));
  }
  @Test
  @DisplayName("an S3 server that answers a PUT and closes the connection before Glint has ended the request: the "
      + "upload succeeds")
  void answerThenCloseBeforeTheRequestsEnd() throws Exception {
    try (CuttingS3 answering = CuttingS3.start(-1);
        TestServer g = TestServer.start(singleStore(answering.endpoint(), BUCKET, Map.of()))) {
      Api a = Api.as(g, "project-a", "member");
      // The answer races the request's end (its write then fails on the closed connection): many tries, so that
      // the race is run both ways.
      for (int i = 0; i < 30; i++) {
        String id = image(a);
        Api.Response up = a.upload(id, Bytes.random(1000, i));
        assertEquals(204, up.status(), "upload " + i + ": " + up.body());
        assertEquals("active", a.get("/v2/images/" + id).json().getString("status"));
      }
      assertEquals(30, answering.cuts());
    }
  }

  @Test
  @DisplayName("an S3 connection cut in the middle of a PUT's or a part's body: 503, never 500, the image queued")
  void connectionCutMidBody() throws Exception {
    try (CuttingS3 cutting = CuttingS3.start(16 * 1024);
        TestServer g = TestServer.start(singleStore(cutting.endpoint(), BUCKET, Map.of()))) {
      Api a = Api.as(g, "project-a", "member");
      // 2 MiB: one streamed PUT (StreamedPut); 20 MiB: a multipart upload of streamed parts (StreamedParts).
      for (long size : new long[] {2L * MIB, 20L * MIB}) {
        String id = image(a);
        int cutsBefore = cutting.cuts();
        RawHttp.Reply reply;
        try (RawHttp raw = new RawHttp(g.port())) {
          raw.startUpload(id, "project-a", size);
          // Less than Glint takes in before its backpressure: it has read all of it when it answers.
          raw.write(Bytes.random(128 * 1024, 7));
          reply = raw.reply();
        }
        assertNotNull(reply, "an answer for the " + size + "-byte upload, not a closed connection");
        assertEquals(503, reply.status(), size + " bytes: " + reply.text());
        assertTrue(reply.text().contains("could not be reached"), reply.text());
        assertTrue(cutting.cuts() > cutsBefore, "the S3 connection was cut in a request body");
        assertEquals("queued", a.get("/v2/images/" + id).json().getString("status"));
      }
    }
  }

  @Test
  @DisplayName("a client that sends for longer than s3_store_idle_timeout, slowly: the PUT and the parts S3 takes "
      + "as the bytes come complete (the timeout counts S3's silence, not the client's pace)")
  void slowClientLongerThanTheIdleTimeout() throws Exception {
    try (TestServer g = TestServer.start(singleStore(s3.endpoint(), BUCKET,
        Map.of("glance_store.s3_store_idle_timeout", "2")))) {
      Api a = Api.as(g, "project-a", "member");
      // 3 MiB: one streamed PUT over about 6 s; 11 MiB: parts of 5 MiB, each streamed over about 2.5 s.
      for (int[] shape : new int[][] {{3 * MIB, 128 * 1024}, {11 * MIB, 512 * 1024}}) {
        byte[] data = Bytes.random(shape[0], shape[1]);
        String id = image(a);
        long t0 = System.nanoTime();
        RawHttp.Reply reply;
        try (RawHttp raw = new RawHttp(g.port())) {
          raw.startUpload(id, "project-a", data.length);
          for (int off = 0; off < data.length; off += shape[1]) {
            raw.write(java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + shape[1])));
            Thread.sleep(250);
          }
          reply = raw.reply();
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertNotNull(reply, "an answer to the slow upload of " + data.length + " bytes");
        assertEquals(204, reply.status(), data.length + " bytes over " + seconds + " s: " + reply.text());
        assertTrue(seconds > 2, "the upload lasted longer than the idle timeout: " + seconds + " s");
        a.assertActiveWith(id, data);
        assertArrayEquals(data, a.download(id, Map.of()).body());
      }
    }
  }

  @Test
  @DisplayName("an S3 server that stops taking a request's body: 503 after s3_store_idle_timeout, the image queued, "
      + "no hang")
  void stalledS3FailsAfterTheIdleTimeout() throws Exception {
    try (CuttingS3 stalled = CuttingS3.stalling(16 * 1024);
        TestServer g = TestServer.start(singleStore(stalled.endpoint(), BUCKET,
            Map.of("glance_store.s3_store_idle_timeout", "2")))) {
      Api a = Api.as(g, "project-a", "member");
      // 2 MiB: one streamed PUT; 40 MiB: streamed parts, more than the sockets' buffers hold.
      for (long size : new long[] {2L * MIB, 40L * MIB}) {
        String id = image(a);
        long t0 = System.nanoTime();
        RawHttp.Reply reply = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
          try (RawHttp raw = new RawHttp(g.port())) {
            raw.startUpload(id, "project-a", size);
            try {
              for (long sent = 0; sent < size; sent += MIB) {
                raw.write(Bytes.random(MIB, (int) (sent / MIB)));
              }
            } catch (IOException expected) {
              // Glint answered and closed while the body was still coming.
            }
            return raw.reply();
          }
        });
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(stalled.cuts() > 0, "S3 stopped reading a request body");
        assertNotNull(reply, "an answer for the " + size + "-byte upload, not a closed connection");
        assertEquals(503, reply.status(), size + " bytes: " + reply.text());
        assertTrue(reply.text().contains("could not be reached") && reply.text().contains("took and sent nothing"),
            reply.text());
        assertTrue(seconds >= 1 && seconds < 30, "answered after " + seconds + " s, idle timeout 2 s");
        assertEquals("queued", a.get("/v2/images/" + id).json().getString("status"));
      }
    }
  }

  @Test
  @DisplayName("an S3 endpoint that refuses connections: uploads of every kind are 503 saying so, never 500")
  void refusedConnection() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    try (TestServer g = TestServer.start(singleStore("http://127.0.0.1:" + port, BUCKET, Map.of()))) {
      Api a = Api.as(g, "project-a", "member");
      String sized = image(a);
      Api.Response put = a.upload(sized, Bytes.random(1000, 8));
      assertEquals(503, put.status(), put.body());
      assertTrue(put.message().contains("could not be reached"), put.body());
      String chunked = image(a);
      Api.Response parts = a.uploadChunked(chunked, Bytes.random(1000, 9));
      assertEquals(503, parts.status(), parts.body());
      RawHttp.Reply large;
      String multipart = image(a);
      try (RawHttp raw = new RawHttp(g.port())) {
        raw.startUpload(multipart, "project-a", 20L * MIB);
        raw.write(Bytes.random(64 * 1024, 10));
        large = raw.reply();
      }
      assertNotNull(large, "an answer, not a closed connection");
      assertEquals(503, large.status(), large.text());
      for (String id : List.of(sized, chunked, multipart)) {
        assertEquals("queued", a.get("/v2/images/" + id).json().getString("status"));
      }
    }
  }

  /**
   * A minimal S3 endpoint on a socket of its own: HEAD and bodiless requests get 200 (a multipart upload's start its
   * id). A request with a body is cut after {@code cutAfter} bytes with a reset, as a server that fell over; or,
   * when stalling, left unread after them, the connection open, as a server that hangs; or, with {@code cutAfter}
   * negative, read whole and answered 200 with {@code Connection: close} and no length, the connection then closed
   * at once, as S3Proxy's Jetty answers a request that asked for {@code Connection: close}.
   */
  private static final class CuttingS3 implements AutoCloseable {
    private final ServerSocket server;
    private final int cutAfter;
    private final boolean stall;
    private final AtomicInteger cuts = new AtomicInteger();

    private CuttingS3(ServerSocket server, int cutAfter, boolean stall) {
      this.server = server;
      this.cutAfter = cutAfter;
      this.stall = stall;
    }

    static CuttingS3 start(int cutAfter) throws IOException {
      return start(cutAfter, false);
    }

    /** Reads {@code after} bytes of each request body, then nothing more until closed. */
    static CuttingS3 stalling(int after) throws IOException {
      return start(after, true);
    }

    private static CuttingS3 start(int cutAfter, boolean stall) throws IOException {
      CuttingS3 s = new CuttingS3(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), cutAfter, stall);
      Thread acceptor = new Thread(s::accept, "cutting-s3");
      acceptor.setDaemon(true);
      acceptor.start();
      return s;
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.getLocalPort();
    }

    int cuts() {
      return cuts.get();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          Thread t = new Thread(() -> serve(socket), "cutting-s3-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket socket) {
      try (socket) {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        for (String request = RawHttp.readLine(in); request != null; request = RawHttp.readLine(in)) {
          long length = 0;
          for (String h = RawHttp.readLine(in); h != null && !h.isEmpty(); h = RawHttp.readLine(in)) {
            if (h.toLowerCase().startsWith("content-length:")) {
              length = Long.parseLong(h.substring(15).strip());
            }
          }
          if (length > 0 && cutAfter < 0) {
            in.readNBytes((int) length);
            out.write("HTTP/1.1 200 OK\r\nETag: \"0\"\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            cuts.incrementAndGet();
            return;
          }
          if (length > 0) {
            in.readNBytes((int) Math.min(length, cutAfter));
            cuts.incrementAndGet();
            while (stall && !server.isClosed()) {
              Thread.sleep(200); // what a hung server does: nothing, the connection open
            }
            socket.setSoLinger(true, 0); // a reset, as a server that fell over
            return;
          }
          String body = request.startsWith("POST ") && request.contains("uploads")
              ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult><Bucket>" + BUCKET
                  + "</Bucket><Key>k</Key><UploadId>cut-1</UploadId></InitiateMultipartUploadResult>"
              : "";
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: " + body.length()
              + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (IOException e) {
        // the client went away
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
