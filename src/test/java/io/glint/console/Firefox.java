package io.glint.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Firefox (Debian's {@code firefox-esr}, installed by {@code .ci/run}) driven through the W3C WebDriver
 * BiDi protocol that Firefox itself serves ({@code --remote-debugging-port}): no geckodriver, which no registry
 * this project can reach ships (Debian has no package; the npm and crates.io ways download it from GitHub or
 * build it from crates). Just the commands a smoke test needs: navigate, evaluate, click and type as a user
 * (input actions on located elements), screenshots.
 */
final class Firefox implements AutoCloseable {
  static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");
  private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final List<String> output = new ArrayList<>();
  private final String context;

  Firefox() {
    try {
      profile = Files.createTempDirectory("glint-firefox-profile");
      process = new ProcessBuilder(FIREFOX.toString(), "--headless", "--no-remote", "--profile", profile.toString(),
          "--remote-debugging-port", "0", "about:blank").redirectErrorStream(true).start();
      String endpoint = endpoint();
      socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
          .buildAsync(URI.create(endpoint + "/session"), new Listener()).get(30, TimeUnit.SECONDS);
      send("session.new", new JsonObject().put("capabilities", new JsonObject()));
      context = send("browsingContext.getTree", new JsonObject()).getJsonArray("contexts").getJsonObject(0)
          .getString("context");
      send("browsingContext.setViewport", new JsonObject().put("context", context)
          .put("viewport", new JsonObject().put("width", 1280).put("height", 900)));
    } catch (Exception e) {
      close();
      throw new IllegalStateException("Firefox did not start: " + e + "\nIts output: " + String.join("\n", output), e);
    }
  }

  /** Reads Firefox's output until it says where WebDriver BiDi listens; keeps reading it in the background. */
  private String endpoint() throws Exception {
    CompletableFuture<String> found = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (output) {
            if (output.size() < 200) {
              output.add(line);
            }
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            found.complete(m.group(1));
          }
        }
        found.completeExceptionally(new IOException("Firefox exited"));
      } catch (IOException e) {
        found.completeExceptionally(e);
      }
    }, "firefox-output");
    reader.setDaemon(true);
    reader.start();
    return found.get(60, TimeUnit.SECONDS);
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        JsonObject message = new JsonObject(text.toString());
        text.setLength(0);
        Integer id = message.getInteger("id");
        CompletableFuture<JsonObject> waiting = id == null ? null : pending.remove(id);
        if (waiting != null) {
          waiting.complete(message);
        }
      }
      ws.request(1);
      return null;
    }
  }

  /** One command; its result, or an AssertionError with BiDi's error in words. */
  JsonObject send(String method, JsonObject params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    pending.put(id, answer);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true);
    JsonObject message;
    try {
      message = answer.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(method + " got no answer: " + e, e);
    }
    if (!"success".equals(message.getString("type"))) {
      throw new AssertionError(method + " failed: " + message.getString("error") + ": " + message.getString("message"));
    }
    return message.getJsonObject("result");
  }

  void get(String url) {
    send("browsingContext.navigate", new JsonObject().put("context", context).put("url", url).put("wait", "complete"));
  }

  /** Evaluates a JavaScript expression (promises awaited); its value as JSON-ish Java (string, number, boolean, null). */
  Object js(String expression) {
    JsonObject result = send("script.evaluate", new JsonObject().put("expression", expression)
        .put("target", new JsonObject().put("context", context)).put("awaitPromise", true));
    if (!"success".equals(result.getString("type"))) {
      throw new AssertionError("script failed: " + result.getJsonObject("exceptionDetails"));
    }
    return result.getJsonObject("result").getValue("value");
  }

  /** Waits (up to 15 s) for {@code css} to match a shown element; returns its BiDi node reference. */
  JsonObject find(String css) {
    String shown = "(() => { const e = document.querySelector(" + quote(css) + ");"
        + " return !!e && e.getClientRects().length > 0; })()";
    waitFor(() -> Boolean.TRUE.equals(js(shown)), "an element " + css);
    JsonArray nodes = send("browsingContext.locateNodes", new JsonObject().put("context", context)
        .put("locator", new JsonObject().put("type", "css").put("value", css)).put("maxNodeCount", 1))
        .getJsonArray("nodes");
    return new JsonObject().put("sharedId", nodes.getJsonObject(0).getString("sharedId"));
  }

  void waitFor(Supplier<Boolean> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Firefox never showed " + what + "; the page says: " + js("document.body.innerText"));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** A click with the pointer in the middle of the element, as a person would. */
  void click(String css) {
    JsonObject element = find(css);
    JsonObject origin = new JsonObject().put("type", "element").put("element", element);
    send("input.performActions", new JsonObject().put("context", context).put("actions", new JsonArray().add(
        new JsonObject().put("type", "pointer").put("id", "mouse").put("actions", new JsonArray()
            .add(new JsonObject().put("type", "pointerMove").put("x", 0).put("y", 0).put("origin", origin))
            .add(new JsonObject().put("type", "pointerDown").put("button", 0))
            .add(new JsonObject().put("type", "pointerUp").put("button", 0))))));
  }

  /** Clicks into a field, empties it and types {@code text} key by key. */
  void type(String css, String text) {
    click(css);
    js("document.querySelector(" + quote(css) + ").select()");
    JsonArray keys = new JsonArray().add(new JsonObject().put("type", "keyDown").put("value", "\uE003"))
        .add(new JsonObject().put("type", "keyUp").put("value", "\uE003"));
    text.codePoints().mapToObj(Character::toString).forEach(k -> keys
        .add(new JsonObject().put("type", "keyDown").put("value", k))
        .add(new JsonObject().put("type", "keyUp").put("value", k)));
    send("input.performActions", new JsonObject().put("context", context).put("actions", new JsonArray()
        .add(new JsonObject().put("type", "key").put("id", "keyboard").put("actions", keys))));
  }

  /**
   * The element's text as shown. Rows of the image list are styled {@code content-visibility: auto}: until Firefox
   * has rendered the frame that makes them relevant, their {@code innerText} is empty although they hold text, so
   * this waits for the rendered text whenever the element holds some.
   */
  String text(String css) {
    find(css);
    String element = "document.querySelector(" + quote(css) + ")";
    waitFor(() -> Boolean.TRUE.equals(js("(() => { const e = " + element + ";"
        + " return e.innerText !== '' || e.textContent.trim() === ''; })()")), "the rendered text of " + css);
    return (String) js(element + ".innerText");
  }

  void screenshot(String name) {
    String png = send("browsingContext.captureScreenshot", new JsonObject().put("context", context)
        .put("origin", "document")).getString("data");
    try {
      Files.createDirectories(Browser.SCREENSHOTS);
      Files.write(Browser.SCREENSHOTS.resolve(name + ".png"), Base64.getDecoder().decode(png));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Firefox's version as the browser reports it. */
  String version() {
    return (String) js("navigator.userAgent");
  }

  private static String quote(String s) {
    return new JsonArray().add(s).encode().replaceAll("^\\[|\\]$", "");
  }

  @Override
  public void close() {
    try {
      if (socket != null) {
        try {
          send("browser.close", new JsonObject());
        } catch (AssertionError ignored) {
          // the process is ended below anyway
        }
      }
    } finally {
      if (process != null) {
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (profile != null) {
        try (var files = Files.walk(profile)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
          // a leftover temporary profile is harmless
        }
      }
    }
  }
}
