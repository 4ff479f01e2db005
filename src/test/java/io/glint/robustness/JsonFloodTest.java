package io.glint.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Forty clients trickling 4 MiB JSON bodies (half chunked, half with a Content-Length) against a Glint whose
 * body memory is bounded: they get 413 (a body over {@code max_request_body_size}) or 503 (all bodies together
 * at {@code max_request_body_memory}), never another 5xx and never a hang; {@code /versions} answers within a
 * second throughout; and once they are gone, every byte they held is given back (ordinary requests succeed).
 */
@DisplayName("JSON flood: bounded body memory, 413/503 answers, a responsive server, nothing held afterwards")
class JsonFloodTest {

  @Test
  @DisplayName("40 clients trickling 4 MiB JSON bodies: 413/503 only, /versions within 1 s, memory given back")
  void trickleFlood() throws Exception {
    try (TestServer glint = TestServer.start(Map.of("max_request_body_memory", "8MB",
        "oslo_middleware.max_request_body_size", "1048576"))) {
      Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(40);
      CutUploadTest.VersionsProbe probe = CutUploadTest.VersionsProbe.start(glint.port());
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
      List<Future<?>> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 40; i++) {
          boolean chunked = i % 2 == 0;
          clients.add(pool.submit(() -> {
            while (System.nanoTime() < end) {
              int status = trickle(glint.port(), chunked, end);
              answers.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
            }
            return null;
          }));
        }
        for (Future<?> client : clients) {
          client.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
        probe.stop();
      }
      System.out.println("trickleFlood answers: " + answers + ", worst /versions " + probe.worstMillis() + " ms");
      for (int status : answers.keySet()) {
        assertTrue(status == 413 || status == 503 || status == 0, "answer " + status + " in " + answers);
      }
      assertTrue(answers.containsKey(413), "bodies over max_request_body_size got 413: " + answers);
      assertTrue(answers.containsKey(503), "bodies past max_request_body_memory got 503: " + answers);
      assertTrue(probe.worstMillis() < 1000, "/versions within 1 s, worst " + probe.worstMillis() + " ms");
      // Everything held was given back: 30 concurrent ordinary creates all pass.
      Api api = Api.as(glint, "project-a", "member");
      ExecutorService creators = Executors.newFixedThreadPool(30);
      List<Future<Integer>> creates = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        JsonObject body = new JsonObject().put("name", "after-" + i).put("description", "x".repeat(200_000));
        creates.add(creators.submit(() -> api.post("/v2/images", body).status()));
      }
      for (Future<Integer> create : creates) {
        assertEquals(201, create.get(60, TimeUnit.SECONDS));
      }
      creators.shutdown();
    }
  }

  /**
   * One POST /v2/images trickling a 4 MiB JSON body, 64 KiB every 50 ms, until the server answers or {@code end};
   * returns the status, or 0 when the flood ended before an answer (the connection is then dropped).
   */
  private static int trickle(int port, boolean chunked, long end) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(50);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v2/images HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Identity-Status: Confirmed\r\n"
          + "X-Project-Id: p\r\nX-Roles: member\r\nContent-Type: application/json\r\n"
          + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + (4 << 20) + "\r\n") + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] piece = ("\"" + "v".repeat(65_000) + "\",").getBytes(StandardCharsets.US_ASCII);
      long sent = 0;
      while (sent < (4 << 20) && System.nanoTime() < end) {
        int status = answered(socket);
        if (status != 0) {
          return status;
        }
        try {
          if (chunked) {
            out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          }
          out.write(piece);
          if (chunked) {
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          }
        } catch (IOException closedByServer) {
          break;
        }
        sent += piece.length;
        sleep(50);
      }
      socket.setSoTimeout(5000);
      return answered(socket);
    }
  }

  /** The status of an answer already sent, 0 if none yet (or the connection was closed without one). */
  private static int answered(Socket socket) throws IOException {
    try {
      byte[] head = socket.getInputStream().readNBytes(12);
      return head.length == 12 ? Integer.parseInt(new String(head, StandardCharsets.US_ASCII).substring(9, 12)) : 0;
    } catch (java.net.SocketTimeoutException notYet) {
      return 0;
    } catch (java.net.SocketException reset) {
      return 0;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
