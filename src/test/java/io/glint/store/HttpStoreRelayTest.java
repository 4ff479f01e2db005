package io.glint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.glint.store.http.SpliceRelay;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Downloads of images whose data is at an {@code http://} location: relayed socket to socket (splice) on the
 * epoll transport, or piped through the JVM when splicing is off or the origin closes its connections. The
 * bytes must be exact either way, and a broken transfer must never look complete.
 */
@DisplayName("HTTP store downloads: splice relay and stream fallback")
class HttpStoreRelayTest extends ApiTestBase {
  private static final byte[] DATA = Bytes.random(24 * 1024 * 1024 + 12_345, 77);
  private static HttpServer origin;
  private static ExecutorService originThreads;
  private static TestServer splicing;
  private static TestServer piping;
  private static volatile CountDownLatch slowClientGone = new CountDownLatch(1);
  private static final int IDLE_SECONDS = 3;
  private static final CountDownLatch releaseStalls = new CountDownLatch(1);
  private static final int TRICKLED = 60 * 65_536;

  @BeforeAll
  static void start() throws IOException {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    originThreads = Executors.newCachedThreadPool();
    origin.setExecutor(originThreads);
    origin.createContext("/image.raw", exchange -> serve(exchange, false, DATA.length));
    origin.createContext("/closing.raw", exchange -> serve(exchange, true, DATA.length));
    origin.createContext("/cut.raw", exchange -> serve(exchange, false, DATA.length / 2));
    origin.createContext("/slow.raw", HttpStoreRelayTest::serveSlowly);
    origin.createContext("/stall.raw", HttpStoreRelayTest::serveThenStall);
    origin.createContext("/trickle.raw", HttpStoreRelayTest::serveTrickleFirst);
    origin.start();
    Map<String, String> common = Map.of(
        "show_multiple_locations", "true",
        "import_filtering_opts.allowed_hosts", "127.0.0.1",
        "import_filtering_opts.allowed_ports", "",
        "glance_store.http_store_idle_timeout", Integer.toString(IDLE_SECONDS));
    splicing = TestServer.start(common);
    java.util.HashMap<String, String> off = new java.util.HashMap<>(common);
    off.put("glance_store.http_store_splice", "false");
    piping = TestServer.start(off);
  }

  @AfterAll
  static void stop() {
    releaseStalls.countDown();
    origin.stop(0);
    originThreads.shutdownNow();
    splicing.close();
    piping.close();
  }

  /** Sends the head for the whole image, then {@code send} bytes of it (fewer = the origin dies mid-body). */
  private static void serve(HttpExchange exchange, boolean close, int send) throws IOException {
    exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
    if (close) {
      exchange.getResponseHeaders().add("Connection", "close");
    }
    if (answeredHead(exchange)) {
      return;
    }
    exchange.sendResponseHeaders(200, DATA.length);
    OutputStream out = exchange.getResponseBody();
    for (int at = 0; at < send; at += 65_536) {
      out.write(DATA, at, Math.min(65_536, send - at));
    }
    if (send < DATA.length) {
      out.flush();
      // Hang up mid-body: the JDK server closes the connection when fewer bytes than declared were written.
      exchange.close();
      return;
    }
    out.close();
  }

  /** Answers a HEAD request (the size Glint asks for when a location is added); false for any other method. */
  private static boolean answeredHead(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("HEAD")) {
      return false;
    }
    exchange.getResponseHeaders().add("Content-Length", Integer.toString(DATA.length));
    exchange.sendResponseHeaders(200, -1);
    exchange.close();
    return true;
  }

  /** Sends the head and 1 MB of the body, then nothing more while keeping the connection open. */
  private static void serveThenStall(HttpExchange exchange) throws IOException {
    if (answeredHead(exchange)) {
      return;
    }
    exchange.sendResponseHeaders(200, DATA.length);
    OutputStream out = exchange.getResponseBody();
    out.write(DATA, 0, 1_000_000);
    out.flush();
    try {
      releaseStalls.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exchange.close();
  }

  /** The first {@link #TRICKLED} bytes 64 KiB at a time, 50 ms apart (~1.3 MB/s), then the rest at once. */
  private static void serveTrickleFirst(HttpExchange exchange) throws IOException {
    if (answeredHead(exchange)) {
      return;
    }
    exchange.sendResponseHeaders(200, DATA.length);
    OutputStream out = exchange.getResponseBody();
    int at = 0;
    try {
      for (; at < TRICKLED; at += 65_536) {
        out.write(DATA, at, 65_536);
        out.flush();
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.write(DATA, at, DATA.length - at);
    out.close();
  }

  /** Trickles the body out until the reader goes away, which it records. */
  private static void serveSlowly(HttpExchange exchange) throws IOException {
    if (answeredHead(exchange)) {
      return;
    }
    exchange.sendResponseHeaders(200, DATA.length);
    OutputStream out = exchange.getResponseBody();
    try {
      for (int at = 0; at < DATA.length; at += 65_536) {
        out.write(DATA, at, Math.min(65_536, DATA.length - at));
        out.flush();
        Thread.sleep(5);
      }
      out.close();
    } catch (IOException e) {
      slowClientGone.countDown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String image(TestServer glint, String path) {
    Api a = Api.as(glint, "project-a", "member");
    String id = a.create(new JsonObject().put("name", "remote").put("disk_format", "raw")
        .put("container_format", "bare")).getString("id");
    JsonObject location = new JsonObject()
        .put("url", "http://127.0.0.1:" + origin.getAddress().getPort() + path)
        .put("metadata", new JsonObject());
    Api.Response r = a.patch("/v2/images/" + id, new JsonArray().add(
        new JsonObject().put("op", "add").put("path", "/locations/-").put("value", location)));
    assertEquals(200, r.status(), r.body());
    assertEquals(DATA.length, r.json().getLong("size"));
    return id;
  }

  @Test
  @DisplayName("a keep-alive origin's image is relayed socket to socket, byte for byte, several times over, "
      + "and nothing is logged as an error")
  void relayed() {
    String id = image(splicing, "/image.raw");
    Api a = Api.as(splicing, "project-a", "member");
    long before = SpliceRelay.relayedCount();
    // Vert.x logs exceptions of connections without a handler (the origin's) as errors on this logger.
    Logger vertx = (Logger) LoggerFactory.getLogger("io.vertx");
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    vertx.addAppender(logs);
    try {
      for (int i = 0; i < 3; i++) {
        Api.BytesResponse down = a.download(id, Map.of());
        assertEquals(200, down.status());
        assertEquals(String.valueOf(DATA.length), down.headers().get("content-length").get(0));
        assertEquals(Bytes.md5(DATA), Bytes.md5(down.body()), "download " + i + " differs");
      }
    } finally {
      vertx.detachAppender(logs);
    }
    assertTrue(SpliceRelay.relayedCount() >= before + 3, "the downloads did not take the splice path");
    assertEquals(List.of(), logs.list.stream().filter(e -> e.getLevel() == Level.ERROR)
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList(), "errors logged by Vert.x");
  }

  @Test
  @DisplayName("with http_store_splice off, the same image is piped through the JVM, byte for byte")
  void piped() {
    String id = image(piping, "/image.raw");
    long before = SpliceRelay.relayedCount();
    Api.BytesResponse down = Api.as(piping, "project-a", "member").download(id, Map.of());
    assertEquals(200, down.status());
    assertArrayEquals(DATA, down.body());
    // The other server may relay at the same time only if tests run concurrently; they do not.
    assertEquals(before, SpliceRelay.relayedCount(), "splicing is off but a download was relayed");
  }

  @Test
  @DisplayName("an origin that closes its connections (Connection: close) is streamed instead, byte for byte")
  void closingOriginFallsBack() {
    for (TestServer glint : new TestServer[] {splicing, piping, splicing, piping, splicing, piping}) {
      String id = image(glint, "/closing.raw");
      long before = SpliceRelay.relayedCount();
      Api.BytesResponse down = Api.as(glint, "project-a", "member").download(id, Map.of());
      assertEquals(200, down.status());
      assertArrayEquals(DATA, down.body(), glint == splicing ? "splicing" : "piping");
      assertEquals(before, SpliceRelay.relayedCount());
    }
  }

  @Test
  @DisplayName("an origin dying mid-body resets the client's connection: the body never looks complete")
  void cutOriginResetsClient() throws IOException {
    for (TestServer glint : new TestServer[] {splicing, piping}) {
      String id = image(glint, "/cut.raw");
      long got = rawDownload(glint, id, Long.MAX_VALUE);
      assertTrue(got < DATA.length, "a truncated body was delivered as complete (" + got + " bytes)");
      // Glint stays healthy for the next request on a new connection.
      assertEquals(200, Api.as(glint, "project-a", "member").get("/v2/images/" + id).status());
    }
  }

  @Test
  @DisplayName("a client leaving mid-download makes Glint hang up on the origin")
  void clientLeavingClosesOrigin() throws Exception {
    for (TestServer glint : new TestServer[] {splicing, piping}) {
      slowClientGone = new CountDownLatch(1);
      String id = image(glint, "/slow.raw");
      long got = rawDownload(glint, id, 1_000_000);
      assertTrue(got >= 1_000_000);
      assertTrue(slowClientGone.await(20, TimeUnit.SECONDS),
          "the origin was still being read after the client left " + (glint == splicing ? "(splicing)" : "(piping)"));
    }
  }

  @Test
  @DisplayName("an origin that stops sending mid-body fails the download after http_store_idle_timeout, no hang")
  void stalledOriginTimesOut() throws IOException {
    for (TestServer glint : new TestServer[] {splicing, piping}) {
      String id = image(glint, "/stall.raw");
      long start = System.nanoTime();
      long got = rawDownload(glint, id, Long.MAX_VALUE);
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertTrue(got >= 1_000_000 && got < DATA.length, "got " + got + " bytes");
      assertTrue(seconds >= IDLE_SECONDS - 1 && seconds < IDLE_SECONDS + 10,
          "the stalled download ended after " + seconds + " s, idle timeout " + IDLE_SECONDS + " s"
              + (glint == splicing ? " (splicing)" : " (piping)"));
    }
  }

  @Test
  @DisplayName("an origin too slow to fill the relay's read watermark has its bytes relayed as they come, not held")
  void slowOriginNotHeldBack() throws Exception {
    String id = image(splicing, "/trickle.raw");
    long before = SpliceRelay.relayedCount();
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    List<Long> arrivals = new ArrayList<>();
    long got = rawDownload(splicing, id, Long.MAX_VALUE, (buffer, n) -> {
      arrivals.add(System.nanoTime());
      md5.update(buffer, 0, n);
    });
    assertEquals(DATA.length, got);
    assertEquals(Bytes.md5(DATA), HexFormat.of().formatHex(md5.digest()));
    assertTrue(SpliceRelay.relayedCount() > before, "the download was not spliced");
    // The trickle lasts ~3 s. Bytes held until a pipeful (1 MiB, ~0.8 s of it) had come would arrive in 4 to 6
    // bursts; relayed as they come (once the watchdog has seen the client wait, within ~1 s), in most 100 ms slots.
    long first = arrivals.get(0);
    long slots = arrivals.stream().map(t -> (t - first) / 100_000_000L).filter(slot -> slot < 30).distinct().count();
    assertTrue(slots >= 12, "the trickled bytes reached the client in only " + slots + " of the first 30 slots of 100 ms");
  }

  /** Receives the body bytes of a raw download as they are read. */
  private interface BodySink {
    void accept(byte[] buffer, int length);
  }

  private static long rawDownload(TestServer glint, String id, long stopAfter) throws IOException {
    return rawDownload(glint, id, stopAfter, (buffer, n) -> { });
  }

  /**
   * GETs the image's data on a raw socket and reads the body until {@code stopAfter} bytes, the end of the
   * declared length, or the connection's end; returns the body bytes read.
   */
  private static long rawDownload(TestServer glint, String id, long stopAfter, BodySink sink) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", glint.port())) {
      socket.setSoTimeout(30_000);
      String request = "GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: glint\r\nX-Identity-Status: Confirmed\r\n"
          + "X-Project-Id: project-a\r\nX-Roles: member\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] head = new byte[8192];
      int headLength = 0;
      while (headLength < 4 || !new String(head, headLength - 4, 4, StandardCharsets.US_ASCII).equals("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection ended in the head");
        }
        head[headLength++] = (byte) b;
      }
      String headText = new String(head, 0, headLength, StandardCharsets.US_ASCII);
      assertTrue(headText.startsWith("HTTP/1.1 200"), headText);
      long declared = Long.parseLong(Arrays.stream(headText.split("\r\n"))
          .filter(l -> l.toLowerCase().startsWith("content-length:")).findFirst().orElseThrow()
          .substring(15).strip());
      assertEquals(DATA.length, declared);
      long got = 0;
      byte[] buffer = new byte[65_536];
      try {
        while (got < Math.min(stopAfter, declared)) {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          got += n;
          sink.accept(buffer, n);
        }
      } catch (IOException reset) {
        // a reset is how a failed transfer must end
      }
      return got;
    }
  }
}
