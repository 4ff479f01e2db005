package io.glint.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * oslo.middleware's CORS filter as Glance's pipeline runs it, first of all ({@code [cors]}, with Glance's
 * defaults from {@code set_cors_middleware_defaults}). A request with an {@code Origin} in {@code allowed_origin}
 * (or with {@code *} there) gets {@code Vary: Origin}, {@code Access-Control-Allow-Origin}, {@code -Allow-Credentials}
 * and {@code -Expose-Headers}; an {@code OPTIONS} request is a preflight: answered 200 without a body (as oslo
 * turns any non-2xx answer of the application into), with the allow headers only when the origin, the requested
 * method ({@code allow_methods}) and every requested header ({@code allow_headers} and the simple headers) are
 * permitted. No origin configured: CORS off, nothing added.
 */
public final class Cors {
  /** oslo's simple headers, always allowed in a preflight. */
  static final List<String> SIMPLE_HEADERS = List.of("Accept", "Accept-Language", "Content-Type", "Cache-Control",
      "Content-Language", "Expires", "Last-Modified", "Pragma");

  /** {@code [cors]}. */
  public record Settings(List<String> allowedOrigins, boolean allowCredentials, List<String> exposeHeaders, int maxAge,
      List<String> allowMethods, List<String> allowHeaders) {}

  private final Settings settings;
  private final Set<String> permittedHeaders;
  private final String expose;

  Cors(Settings settings) {
    this.settings = settings;
    this.permittedHeaders = Stream.concat(settings.allowHeaders().stream(), SIMPLE_HEADERS.stream())
        .map(h -> h.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
    this.expose = String.join(",", settings.exposeHeaders());
  }

  boolean enabled() {
    return !settings.allowedOrigins().isEmpty();
  }

  /** The origin value to answer with, or null when {@code origin} is not allowed. */
  private String allowed(String origin) {
    if (settings.allowedOrigins().contains(origin)) {
      return origin;
    }
    return settings.allowedOrigins().contains("*") ? "*" : null;
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    if (request.method() == HttpMethod.OPTIONS) {
      preflight(request, ctx.response(), origin);
      return;
    }
    if (origin != null) {
      String answer = allowed(origin);
      if (answer != null) {
        HttpServerResponse response = ctx.response();
        response.putHeader("Vary", "Origin");
        response.putHeader("Access-Control-Allow-Origin", answer);
        if (settings.allowCredentials()) {
          response.putHeader("Access-Control-Allow-Credentials", "true");
        }
        if (!expose.isEmpty()) {
          response.putHeader("Access-Control-Expose-Headers", expose);
        }
      }
    }
    ctx.next();
  }

  private void preflight(HttpServerRequest request, HttpServerResponse response, String origin) {
    response.setStatusCode(200);
    String answer = origin == null ? null : allowed(origin);
    String method = request.getHeader("Access-Control-Request-Method");
    if (answer != null && method != null && settings.allowMethods().contains(method)) {
      List<String> requested = split(request.getHeader("Access-Control-Request-Headers"));
      if (requested.stream().allMatch(h -> permittedHeaders.contains(h.toUpperCase(Locale.ROOT)))) {
        response.putHeader("Vary", "Origin");
        response.putHeader("Access-Control-Allow-Origin", answer);
        if (settings.allowCredentials()) {
          response.putHeader("Access-Control-Allow-Credentials", "true");
        }
        if (settings.maxAge() > 0) {
          response.putHeader("Access-Control-Max-Age", Integer.toString(settings.maxAge()));
        }
        response.putHeader("Access-Control-Allow-Methods", method);
        if (!requested.isEmpty()) {
          response.putHeader("Access-Control-Allow-Headers", String.join(",", requested));
        }
      }
    }
    response.putHeader("Content-Length", "0").end();
  }

  private static List<String> split(String header) {
    if (header == null) {
      return List.of();
    }
    return Stream.of(header.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
