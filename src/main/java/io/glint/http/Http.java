package io.glint.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glint.error.GlintException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small request/response helpers shared by the route classes. */
public final class Http {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  private Http() {}

  /**
   * Route handler for Glance's {@code body_reject} routes: any request body is a 400.
   */
  public static void rejectBody(RoutingContext ctx) {
    if (hasBody(ctx.request())) {
      ctx.fail(GlintException.badRequest("A body is not expected with this request."));
      return;
    }
    ctx.next();
  }

  /** webob's {@code has_body}: chunked, or a positive Content-Length. */
  public static boolean hasBody(HttpServerRequest request) {
    if (request.headers().contains("Transfer-Encoding")) {
      return true;
    }
    String length = request.getHeader("Content-Length");
    if (length == null) {
      return false;
    }
    try {
      return Long.parseLong(length.strip()) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /**
   * The decoded JSON body (read by {@link JsonBodyHandler}) as plain Java values (Map, List, String, Long,
   * Double, Boolean, null); 400 with Glance's messages when absent or malformed. The bytes must be valid UTF-8
   * (no overlong forms such as {@code C0 AF} for {@code /}), and no string may hold a NUL character, which
   * PostgreSQL cannot store: refused here, once, for every JSON route.
   */
  public static Object jsonBody(RoutingContext ctx) {
    Buffer body = ctx.get(JsonBodyHandler.KEY);
    if (body == null || body.length() == 0) {
      throw GlintException.badRequest("Body expected in request.");
    }
    String text;
    try {
      text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body.getBytes()))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw GlintException.badRequest("Malformed JSON in request body: not valid UTF-8.");
    }
    Object value;
    try {
      value = MAPPER.readValue(text, Object.class);
    } catch (IOException e) {
      throw GlintException.badRequest("Malformed JSON in request body.");
    }
    if (!(value instanceof Map) && !(value instanceof List)) {
      throw GlintException.badRequest("Unexpected body type. Expected list/dict.");
    }
    refuseNul(value);
    return value;
  }

  private static void refuseNul(Object value) {
    if (value instanceof String s) {
      if (s.indexOf('\u0000') >= 0) {
        throw GlintException.badRequest("Invalid value in request body: text may not contain NUL characters.");
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        refuseNul(e.getKey());
        refuseNul(e.getValue());
      }
    } else if (value instanceof List<?> list) {
      for (Object item : list) {
        refuseNul(item);
      }
    }
  }

  /**
   * A query string of {@code params} in their order without any {@code marker}, then {@code marker} when not
   * null: the query of a list's next page.
   */
  public static String queryWithMarker(List<Map.Entry<String, String>> params, String marker) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> p : params) {
      if (!p.getKey().equals("marker")) {
        appendPair(sb, p.getKey(), p.getValue());
      }
    }
    if (marker != null) {
      appendPair(sb, "marker", marker);
    }
    return sb.toString();
  }

  private static void appendPair(StringBuilder sb, String key, String value) {
    if (sb.length() > 0) {
      sb.append('&');
    }
    sb.append(queryPair(key, value));
  }

  /** Python's {@code urlencode} of one pair. */
  public static String queryPair(String key, String value) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The query parameters in request order; 400 when the query string is not valid UTF-8 percent-encoding. */
  public static List<Map.Entry<String, String>> queryParams(RoutingContext ctx) {
    MultiMap params;
    try {
      params = ctx.queryParams();
    } catch (RuntimeException e) {
      throw GlintException.badRequest("Invalid query string.");
    }
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (Map.Entry<String, String> e : params) {
      if (e.getKey().indexOf('\uFFFD') >= 0 || e.getValue().indexOf('\uFFFD') >= 0) {
        throw GlintException.badRequest("Invalid query string: not UTF-8.");
      }
      if (e.getKey().indexOf('\u0000') >= 0 || e.getValue().indexOf('\u0000') >= 0) {
        throw GlintException.badRequest("Invalid query string: NUL characters are not allowed.");
      }
      out.add(Map.entry(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** The externally visible base URL: {@code public_endpoint}, or scheme and Host of the request. */
  public static String baseUrl(RoutingContext ctx, String publicEndpoint) {
    if (publicEndpoint != null && !publicEndpoint.isBlank()) {
      return publicEndpoint.endsWith("/") ? publicEndpoint.substring(0, publicEndpoint.length() - 1) : publicEndpoint;
    }
    HttpServerRequest req = ctx.request();
    String host = req.getHeader("Host");
    if (host == null || host.isBlank()) {
      host = req.localAddress().hostAddress() + ":" + req.localAddress().port();
    }
    return req.scheme() + "://" + host;
  }

  /**
   * Glance's "reject" twin of a route: after the real routes of {@code path}, any other method gets 405 with
   * an {@code Allow} header listing {@code allowed}.
   */
  public static void allow(io.vertx.ext.web.Router router, String path, String allowed) {
    router.route(path).handler(ctx -> {
      ctx.put(ALLOW_KEY, allowed);
      ctx.fail(new GlintException(GlintException.Kind.METHOD_NOT_ALLOWED,
          "The method " + ctx.request().method() + " is not allowed for this resource."));
    });
  }

  static final String ALLOW_KEY = "glint.allow";

  /**
   * A path parameter, refusing values that are not valid UTF-8 (400). An id ({@code id}, {@code member}) with a
   * NUL character names nothing that can exist (PostgreSQL cannot store one): 404, as any other unknown id;
   * other values with one (a tag) are refused values: 400.
   */
  public static String pathParam(RoutingContext ctx, String name) {
    RouteTemplate.capture(ctx);
    String value = ctx.pathParam(name);
    if (value == null || value.indexOf('\uFFFD') >= 0) {
      throw GlintException.badRequest("Invalid path parameter " + name + ".");
    }
    if (value.indexOf('\u0000') >= 0) {
      String shown = value.replace("\u0000", "\\x00");
      throw switch (name) {
        case "id" -> GlintException.imageNotFound(shown);
        case "member" -> GlintException.notFound("No member found with ID " + shown);
        default -> GlintException.badRequest("Invalid " + name + ": NUL characters are not allowed.");
      };
    }
    return value;
  }
}
