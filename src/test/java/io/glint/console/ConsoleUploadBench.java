package io.glint.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console's upload against curl's, in the same run on the same Glint: a file of {@code glint.bench.size-mib}
 * MiB (1024 by default) uploaded by {@code curl -T} and by the console (XMLHttpRequest from headless Chromium),
 * alternating, {@code glint.bench.rounds} rounds. Prints MB/s of each and the ratio of the medians. Not part of
 * the suite (the name ends in Bench): {@code scripts/bench-console-upload.sh} runs it.
 */
class ConsoleUploadBench {
  @Test
  void consoleUploadAgainstCurl() throws Exception {
    long sizeMib = Long.getLong("glint.bench.size-mib", 1024);
    int rounds = Integer.getInteger("glint.bench.rounds", 3);
    Path file = Files.createTempFile("console-bench", ".raw");
    TestServer glint = TestServer.start(Map.of("console_enabled", "true"));
    try (Browser browser = new Browser()) {
      glint.reset();
      ConsoleBrowserTest.writeRandom(file, sizeMib * 1024 * 1024);
      Api api = Api.as(glint, "project-bench", "member");
      browser.driver.get(glint.base() + "/console/");
      browser.type("input[name=project-id]", "project-bench");
      browser.type("input[name=roles]", "member");
      browser.click("form button[type=submit]");
      browser.find("glint-image-list[data-loaded]");
      List<Double> curl = new ArrayList<>();
      List<Double> console = new ArrayList<>();
      double mb = sizeMib * 1024 * 1024 / 1e6;
      for (int round = 0; round < rounds; round++) {
        String id = create(api, "curl-" + round);
        long start = System.nanoTime();
        Process p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
            "-T", file.toString(), "-H", "Content-Type: application/octet-stream",
            "-H", "X-Identity-Status: Confirmed", "-H", "X-Project-Id: project-bench", "-H", "X-Roles: member",
            glint.base() + "/v2/images/" + id + "/file").redirectErrorStream(true).start();
        String code = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals("204", code);
        curl.add(mb / seconds);

        browser.go("#/images");
        browser.find("glint-image-list[data-loaded]");
        browser.go("#/create");
        browser.type("#create-name", "console-" + round);
        browser.click("#create-submit");
        String other = browser.find("glint-upload").getDomAttribute("image-id");
        browser.find("#upload-file").sendKeys(file.toAbsolutePath().toString());
        browser.click("#upload-start");
        browser.waitFor(d -> d.findElements(org.openqa.selenium.By.cssSelector("glint-upload[data-done]")).isEmpty()
            ? null : true, 600);
        assertEquals("active", browser.find("glint-upload").getDomAttribute("data-done"));
        double consoleSeconds = Double.parseDouble(browser.find("glint-upload").getDomAttribute("data-seconds"));
        console.add(mb / consoleSeconds);
        // One println per line: printf writes in pieces, between which Glint's log lines (other threads) land.
        System.out.println(String.format("round %d: curl %.1f MB/s, console %.1f MB/s", round + 1, curl.get(round),
            console.get(round)));
        api.delete("/v2/images/" + id);
        api.delete("/v2/images/" + other);
      }
      double curlMedian = median(curl);
      double consoleMedian = median(console);
      System.out.println(String.format("%d MiB upload, median of %d rounds: curl %.1f MB/s, console %.1f MB/s,"
          + " ratio %.2f", sizeMib, rounds, curlMedian, consoleMedian, consoleMedian / curlMedian));
    } finally {
      glint.close();
      Files.deleteIfExists(file);
    }
  }

  private static String create(Api api, String name) {
    return api.create(new JsonObject().put("name", name).put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
