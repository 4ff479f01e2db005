package io.glint.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small blocking HTTP client for tests, speaking to a Glint over a real socket as a given caller
 * (the identity headers keystonemiddleware would set).
 */
public final class Api {
  public static final String PATCH_V21 = "application/openstack-images-v2.1-json-patch";
  public static final String PATCH_V20 = "application/openstack-images-v2.0-json-patch";
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  private final String base;
  private final Map<String, String> headers;

  private Api(String base, Map<String, String> headers) {
    this.base = base;
    this.headers = headers;
  }

  /** A caller in {@code project} with {@code roles} (comma-separated), JSON errors. */
  public static Api as(TestServer server, String project, String roles) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-Identity-Status", "Confirmed");
    if (project != null) {
      h.put("X-Project-Id", project);
    }
    h.put("X-User-Id", "user-of-" + project);
    h.put("X-Roles", roles);
    h.put("Accept", "application/json");
    return new Api(server.base(), h);
  }

  /** A caller of a Glint at {@code base} (e.g. a separate process). */
  public static Api as(String base, String project, String roles) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("X-Identity-Status", "Confirmed");
    h.put("X-Project-Id", project);
    h.put("X-User-Id", "user-of-" + project);
    h.put("X-Roles", roles);
    h.put("Accept", "application/json");
    return new Api(base, h);
  }

  /** Streams {@code length} bytes from {@code body} to an image; the body is never held whole in memory. */
  public Response uploadStream(String id, java.util.function.Supplier<java.io.InputStream> body, long length) {
    HttpRequest.Builder b = request("/v2/images/" + id + "/file", Map.of(), "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length));
    return text(exchange(b, HttpResponse.BodyHandlers.ofString()));
  }

  /** Streams {@code body} to an image with chunked transfer coding: no Content-Length, never held whole. */
  public Response uploadStreamChunked(String id, java.util.function.Supplier<java.io.InputStream> body) {
    HttpRequest.Builder b = request("/v2/images/" + id + "/file", Map.of(), "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body)));
    return text(exchange(b, HttpResponse.BodyHandlers.ofString()));
  }

  /** Uploads bytes with chunked transfer coding: no Content-Length, the size is known only at the end. */
  public Response uploadChunked(String id, byte[] data) {
    HttpRequest.Builder b = request("/v2/images/" + id + "/file", Map.of(), "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(data)));
    return text(exchange(b, HttpResponse.BodyHandlers.ofString()));
  }

  /** Downloads an image's data as a stream (the caller must close it). */
  public HttpResponse<java.io.InputStream> downloadStream(String id) {
    return exchange(request("/v2/images/" + id + "/file", Map.of(), null).GET(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  /** A caller with no identity headers at all. */
  public static Api anonymous(TestServer server) {
    return new Api(server.base(), new LinkedHashMap<>(Map.of("Accept", "application/json")));
  }

  public Api with(String header, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    if (value == null) {
      h.remove(header);
    } else {
      h.put(header, value);
    }
    return new Api(base, h);
  }

  public Response get(String path) {
    return send("GET", path, null, null);
  }

  public Response delete(String path) {
    return send("DELETE", path, null, null);
  }

  public Response post(String path, Object json) {
    return send("POST", path, json == null ? null : json.toString(), "application/json");
  }

  public Response patch(String path, JsonArray ops) {
    return send("PATCH", path, ops.encode(), PATCH_V21);
  }

  /** Creates an image and returns its JSON, asserting the 201. */
  public JsonObject create(JsonObject body) {
    Response r = post("/v2/images", body);
    if (r.status() != 201) {
      throw new AssertionError("create failed: " + r.status() + " " + r.body());
    }
    return r.json();
  }

  /** Creates a queued raw/bare image named {@code name} and returns its id. */
  public String createRaw(String name) {
    return create(new JsonObject().put("name", name).put("disk_format", "raw").put("container_format", "bare"))
        .getString("id");
  }

  /**
   * Asserts that the image is active with exactly {@code data}: size, Glance's md5 {@code checksum} and sha512
   * {@code os_hash_value}.
   */
  public void assertActiveWith(String id, byte[] data) {
    JsonObject image = get("/v2/images/" + id).json();
    org.junit.jupiter.api.Assertions.assertEquals("active", image.getString("status"), id);
    org.junit.jupiter.api.Assertions.assertEquals(data.length, image.getLong("size"), id);
    org.junit.jupiter.api.Assertions.assertEquals(Bytes.md5(data), image.getString("checksum"), id);
    org.junit.jupiter.api.Assertions.assertEquals(Bytes.sha512(data), image.getString("os_hash_value"), id);
  }

  /** Uploads bytes to an image ({@code PUT /v2/images/{id}/file}). */
  public Response upload(String id, byte[] data) {
    return sendBytes("PUT", "/v2/images/" + id + "/file", data, "application/octet-stream", Map.of());
  }

  /** Downloads an image's data, with extra request headers (e.g. Range). */
  public BytesResponse download(String id, Map<String, String> extra) {
    HttpRequest.Builder b = request("/v2/images/" + id + "/file", extra, null).GET();
    HttpResponse<byte[]> r = exchange(b, HttpResponse.BodyHandlers.ofByteArray());
    return new BytesResponse(r.statusCode(), r.headers().map(), r.body());
  }

  private HttpRequest.Builder request(String path, Map<String, String> extra, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
    headers.forEach(b::header);
    extra.forEach(b::header);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return b;
  }

  private static <T> HttpResponse<T> exchange(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) {
    try {
      return CLIENT.send(b.build(), handler);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Response text(HttpResponse<String> r) {
    return new Response(r.statusCode(), r.headers().map(), r.body());
  }

  public Response sendBytes(String method, String path, byte[] body, String contentType, Map<String, String> extra) {
    return text(exchange(request(path, extra, contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body)),
        HttpResponse.BodyHandlers.ofString()));
  }

  /** A binary response. */
  public record BytesResponse(int status, Map<String, List<String>> headers, byte[] body) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  public Response send(String method, String path, String body, String contentType) {
    HttpRequest.Builder b = request(path, Map.of(), contentType)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return text(exchange(b, HttpResponse.BodyHandlers.ofString()));
  }

  /** A response: status, headers (lower-case names) and body. */
  public record Response(int status, Map<String, List<String>> headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    /** The ids of a list response, in order. */
    public List<String> ids() {
      List<String> ids = new ArrayList<>();
      json().getJsonArray("images").forEach(o -> ids.add(((JsonObject) o).getString("id")));
      return ids;
    }

    /** The explanation of a Glance JSON error body (without webob's trailing markup). */
    public String message() {
      String m = json().getString("message");
      int br = m.indexOf("<br />");
      return br < 0 ? m : m.substring(0, br);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }
}
