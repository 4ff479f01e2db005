package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.GlintProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Logs: access lines, log_format = json, log_level changed by SIGHUP, no secret logged")
class LoggingProcessTest {

  @TempDir
  Path dataDir;

  @Test
  @DisplayName("WARN hides access lines; after SIGHUP with log_level = INFO each request logs one JSON line")
  void sighupAndJson() throws Exception {
    // A process started under nohup ignores SIGHUP, and so do its children: the JVM then refuses a handler for it.
    org.junit.jupiter.api.Assumptions.assumeFalse(sighupIgnored(),
        "SIGHUP is ignored in this test run (started under nohup?): Glint cannot be sent one");
    Path conf = dataDir.resolve("glint.conf");
    Files.writeString(conf, "[DEFAULT]\nlog_level = WARN\nlog_format = json\n");
    try (GlintProcess glint = GlintProcess.start(dataDir.resolve("data"), List.of("-Xmx256m"),
        List.of("--config-file=" + conf))) {
      Api api = Api.as(glint.base(), "project-log", "member").with("X-Auth-Token", "sekrit-token-4711");
      assertEquals(200, api.get("/v2/images").status());
      assertFalse(glint.log().contains("glint.access"), "no access line at WARN");

      Files.writeString(conf, "[DEFAULT]\nlog_level = INFO\nlog_format = json\n");
      new ProcessBuilder("kill", "-HUP", Long.toString(glint.pid())).start().waitFor();
      long deadline = System.currentTimeMillis() + 10_000;
      while (!glint.log().contains("SIGHUP: configuration re-read, log level now INFO")) {
        assertTrue(System.currentTimeMillis() < deadline, glint.log());
        Thread.sleep(50);
      }
      assertEquals(200, api.with("X-Openstack-Request-Id", "req-logged-1").get("/v2/images?limit=1").status());
      JsonObject line = null;
      deadline = System.currentTimeMillis() + 10_000;
      while (line == null) {
        assertTrue(System.currentTimeMillis() < deadline, glint.log());
        for (String l : glint.log().split("\n")) {
          if (l.startsWith("{") && l.contains("glint.access") && l.contains("req-logged-1")) {
            line = new JsonObject(l);
          }
        }
        Thread.sleep(50);
      }
      String all = line.encode();
      assertTrue(all.contains("\"method\"") && all.contains("GET"), all);
      assertTrue(all.contains("/v2/images"), all);
      assertTrue(all.contains("\"status\""), all);
      assertTrue(all.contains("project-log") && all.contains("user-of-project-log"), all);
      assertTrue(all.contains("duration_ms") && all.contains("\"bytes\""), all);
      assertFalse(glint.log().contains("sekrit-token-4711"), "a token was logged");
    }
  }

  /** Whether this process ignores SIGHUP (bit 0 of SigIgn in /proc/self/status), as its children then do. */
  private static boolean sighupIgnored() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L) != 0;
      }
    }
    return false;
  }
}
