package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Await;
import io.glint.testing.GlintProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Glint that does run out of memory exits (status 3, {@code -XX:+ExitOnOutOfMemoryError}) so that a supervisor
 * restarts it, instead of hanging with every request; and its embedded PostgreSQL stops with it, although such
 * an exit runs no shutdown hook. The out-of-memory is real: the body limits are raised far past the heap and a
 * few large JSON bodies are sent at once.
 */
@DisplayName("Out of memory: the JVM exits and its embedded PostgreSQL stops with it")
class OutOfMemoryExitTest {

  @Test
  @DisplayName("a real OutOfMemoryError: exit status 3, and no orphaned embedded PostgreSQL")
  void exitsAndStopsDatabase() throws Exception {
    Path dataDir = Files.createTempDirectory("glint-oom");
    try (GlintProcess glint = GlintProcess.startEmbedded(dataDir, shippedOptionsWithHeap("-Xmx64m"),
        List.of("--oslo_middleware.max_request_body_size=1000000000", "--max_request_body_memory=4GB"))) {
      long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("pg/postmaster.pid")).get(0).strip());
      assertTrue(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false), "PostgreSQL runs");
      List<Socket> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          clients.add(new Socket("127.0.0.1", glint.port()));
        }
        for (Socket client : clients) {
          sendLargeBody(client, 60_000_000);
        }
        assertEquals(3, glint.awaitExit(Duration.ofSeconds(60)), "exit status of ExitOnOutOfMemoryError\n"
            + glint.log());
      } finally {
        for (Socket s : clients) {
          s.close();
        }
      }
      assertTrue(glint.log().contains("OutOfMemoryError"), glint.log());
      Await.until(() -> !ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false),
          Duration.ofSeconds(15), "the embedded PostgreSQL stopped after the JVM died");
    }
  }

  /** The JVM options Glint ships ({@code conf/jvm.options}, as scripts/run uses them), with a smaller heap. */
  private static List<String> shippedOptionsWithHeap(String heap) throws IOException {
    List<String> options = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("conf/jvm.options"))) {
      String option = line.strip();
      if (option.startsWith("?")) {
        option = option.substring(1); // optional: kept only when this JVM takes it, as scripts/jvm-options does
        if (!acceptedByThisJvm(option)) {
          continue;
        }
      }
      if (!option.isEmpty() && !option.startsWith("#") && !option.startsWith("-Xmx") && !option.startsWith("-Xms")) {
        options.add(option);
      }
    }
    assertTrue(options.contains("-XX:+ExitOnOutOfMemoryError"), "shipped options exit on OutOfMemoryError");
    options.add(heap);
    return options;
  }

  private static boolean acceptedByThisJvm(String option) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, option, "-version").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      return p.waitFor() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Starts a JSON request that declares {@code length} bytes and sends 8 MB of them (or less if cut off). */
  private static void sendLargeBody(Socket socket, int length) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v2/images HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Identity-Status: Confirmed\r\n"
        + "X-Project-Id: p\r\nX-Roles: member\r\nContent-Type: application/json\r\nContent-Length: " + length
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] piece = new byte[1 << 20];
      java.util.Arrays.fill(piece, (byte) ' ');
      for (int i = 0; i < 8; i++) {
        out.write(piece);
      }
    } catch (IOException gone) {
      // the JVM may already be gone
    }
  }
}
