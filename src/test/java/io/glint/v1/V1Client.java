package io.glint.v1;

import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A v1 caller over HTTP: metadata as {@code x-image-meta-*} headers, responses with their headers and bytes. */
final class V1Client {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  private final String base;
  private final Map<String, String> identity;

  private V1Client(String base, Map<String, String> identity) {
    this.base = base;
    this.identity = identity;
  }

  static V1Client as(TestServer server, String project, String roles) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-Identity-Status", "Confirmed");
    h.put("X-Project-Id", project);
    h.put("X-User-Id", "user-of-" + project);
    h.put("X-Roles", roles);
    return new V1Client(server.base(), h);
  }

  /** A response: status, headers (any case), body bytes. */
  record Reply(int status, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonObject json() {
      return new JsonObject(text());
    }

    /** The {@code image} of a create or update response. */
    JsonObject image() {
      return json().getJsonObject("image");
    }

    @Override
    public String toString() {
      return status + " " + text();
    }
  }

  Reply head(String path) {
    return send("HEAD", path, Map.of(), null, false);
  }

  Reply get(String path) {
    return send("GET", path, Map.of(), null, false);
  }

  Reply get(String path, Map<String, String> headers) {
    return send("GET", path, headers, null, false);
  }

  Reply delete(String path) {
    return send("DELETE", path, Map.of(), null, false);
  }

  Reply post(String path, Map<String, String> headers, byte[] body) {
    return send("POST", path, withOctets(headers, body), body, false);
  }

  Reply put(String path, Map<String, String> headers, byte[] body) {
    return send("PUT", path, withOctets(headers, body), body, false);
  }

  Reply putJson(String path, JsonObject json) {
    return send("PUT", path, Map.of("Content-Type", "application/json"),
        json == null ? null : json.encode().getBytes(StandardCharsets.UTF_8), false);
  }

  private static Map<String, String> withOctets(Map<String, String> headers, byte[] body) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    if (body != null && h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) {
      h.put("Content-Type", "application/octet-stream");
    }
    return h;
  }

  /** Sends a request; {@code chunked} sends the body without a length. */
  Reply send(String method, String path, Map<String, String> headers, byte[] body, boolean chunked) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(2));
    identity.forEach(b::header);
    headers.forEach(b::header);
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : chunked ? HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(body))
        : HttpRequest.BodyPublishers.ofByteArray(body);
    b.method(method, publisher);
    try {
      HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(r.statusCode(), r.headers().map(), r.body() == null ? new byte[0] : r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
