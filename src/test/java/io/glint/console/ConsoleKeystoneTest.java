package io.glint.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.TestKeystone;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The console's Keystone sign-in in a real browser: the password goes through the same-origin pass-through of
 * Keystone's {@code POST /v3/auth/tokens}, the token is then sent as {@code X-Auth-Token} and validated by
 * Glint like any client's; a refused password is shown in words.
 */
class ConsoleKeystoneTest {
  private static TestKeystone keystone;
  private static TestServer glint;
  private static Browser browser;
  private static int warnings;

  @BeforeAll
  static void start() {
    warnings = BlockedThreadWatch.mark();
    keystone = TestKeystone.start(TestServer.vertx(), InstantSource.system());
    Map<String, String> settings = new HashMap<>(keystone.glintSettings());
    settings.put("keystone_authtoken.www_authenticate_uri", keystone.url());
    settings.put("console_enabled", "true");
    glint = TestServer.start(settings);
    glint.reset();
    browser = new Browser();
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      glint.close();
      keystone.close();
      BlockedThreadWatch.assertNoneSince(warnings);
    }
  }

  @Test
  void passwordSignInThroughThePassThroughThenTokensLikeAnyClient() throws Exception {
    HttpResponse<String> config = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(glint.base() + "/console/config.json")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(new JsonObject().put("auth", "keystone").put("keystone_login", "/console/keystone/v3/auth/tokens"),
        new JsonObject(config.body()));

    HttpClient http = HttpClient.newHttpClient();
    String login = glint.base() + "/console/keystone/v3/auth/tokens";
    HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(URI.create(login))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(415, notJson.statusCode());
    HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(URI.create(login))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"auth\": \"" + "x".repeat(20_000) + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(413, tooLarge.statusCode());
    int before = keystone.serviceAuthentications();
    HttpResponse<String> passed = http.send(HttpRequest.newBuilder(URI.create(login))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {\"name\": \"glance\","
            + " \"password\": \"glance-secret\", \"domain\": {\"name\": \"Default\"}}}}, \"scope\": {\"project\":"
            + " {\"name\": \"service\", \"domain\": {\"name\": \"Default\"}}}}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, passed.statusCode(), passed.body());
    assertTrue(passed.headers().firstValue("X-Subject-Token").isPresent(), "Keystone's token passed back");
    assertEquals("no-store", passed.headers().firstValue("Cache-Control").orElseThrow());
    assertEquals("service", new JsonObject(passed.body()).getJsonObject("token").getJsonObject("project")
        .getString("name"), "Keystone's body passed back unchanged");
    assertEquals(before + 1, keystone.serviceAuthentications(), "one sign-in reached Keystone");

    browser.driver.get(glint.base() + "/console/");
    browser.type("input[name=username]", TestKeystone.SERVICE_USER);
    browser.type("input[name=password]", "wrong");
    browser.type("input[name=project]", TestKeystone.SERVICE_PROJECT);
    browser.click("form button[type=submit]");
    String refused = browser.waitFor(d -> {
      String t = d.findElement(By.id("flash")).getText();
      return t.isEmpty() ? null : t;
    }, 15);
    assertEquals("401 Unauthorized: The request you have made requires authentication.", refused);
    browser.screenshot("10-keystone-sign-in-refused");

    browser.type("input[name=password]", TestKeystone.SERVICE_PASSWORD);
    browser.click("form button[type=submit]");
    browser.find("glint-image-list[data-loaded]");
    assertTrue(browser.text("#who").contains("project p-service"), browser.text("#who"));
    assertTrue(browser.text("#image-count").contains("0 images on this page"), browser.text("#image-count"));
    assertTrue(keystone.validations() >= 1, "Glint validated the console's token with Keystone");
    assertEquals("", browser.js("return document.cookie"), "nothing kept in cookies");
    assertEquals(0L, browser.js("return localStorage.length + sessionStorage.length"), "nor in storage");
  }
}
