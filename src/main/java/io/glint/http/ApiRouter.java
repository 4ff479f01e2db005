package io.glint.http;

import io.glint.auth.Authenticator;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Assembles the whole HTTP surface: request ids, health check, the versions document, version negotiation by
 * URL prefix ({@code /v2}, {@code /v2.N}), authentication, the feature routes and the one failure handler.
 */
public final class ApiRouter {
  private static final Pattern VERSIONED = Pattern.compile("^/v2\\.(\\d+)(/.*)?$");

  private ApiRouter() {}

  /**
   * What the router needs from the rest of Glint; {@code v1Features} are the legacy v1 API's routes, mounted under
   * {@code /v1} when {@link Versions#v1()} (enable_v1_api).
   */
  public record Parts(
      Authenticator authenticator,
      java.util.List<Routes> features,
      java.util.List<Routes> v1Features,
      Versions versions,
      int maxRequestIdLength,
      io.glint.console.ConsoleRoutes console) {
    /** Without the legacy v1 API and without the web console. */
    public Parts(Authenticator authenticator, java.util.List<Routes> features, Versions versions,
        int maxRequestIdLength) {
      this(authenticator, features, java.util.List.of(), versions, maxRequestIdLength, null);
    }
  }

  public static Router create(Vertx vertx, Parts parts) {
    Router root = Router.router(vertx);
    RequestIds requestIds = new RequestIds(parts.maxRequestIdLength());
    FailureHandler failures = new FailureHandler();
    root.route().handler(requestIds::handle);
    root.route("/healthcheck").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("OK"));
    root.route("/versions").handler(Http::rejectBody).handler(ctx -> parts.versions().send(ctx, 200));
    root.route("/").handler(ctx -> parts.versions().send(ctx, 300));
    root.routeWithRegex("^/v2\\.\\d+(/.*)?$").handler(ctx -> negotiate(ctx, parts.versions()));

    Router v2 = Router.router(vertx);
    AuthHandler auth = new AuthHandler(parts.authenticator());
    v2.route().handler(auth::handle);
    v2.route().handler(ApiRouter::refuseEmptySegments);
    parts.features().forEach(f -> f.mount(v2));
    v2.route().failureHandler(failures);
    root.route("/v2/*").subRouter(v2);
    boolean v1Enabled = parts.versions().v1() && !parts.v1Features().isEmpty();
    if (v1Enabled) {
      // The legacy v1 API: a second door onto the same services, behind the same authentication.
      root.routeWithRegex("^/v1\\.[01](/.*)?$").handler(ApiRouter::negotiateV1);
      Router v1 = Router.router(vertx);
      v1.route().handler(auth::handle);
      v1.route().handler(ctx -> {
        if ("/v1/".equals(ctx.request().path())) {
          ctx.next(); // Glance's v1 router serves the image index at its root
        } else {
          refuseEmptySegments(ctx);
        }
      });
      parts.v1Features().forEach(f -> f.mount(v1));
      v1.route().failureHandler(failures);
      root.route("/v1/*").subRouter(v1);
    }
    if (parts.console() != null) {
      parts.console().mount(root, vertx);
    }
    // Glance's version negotiation: a path that names no known API version gets the version choices.
    root.routeWithRegex(v1Enabled ? "^(?!/v[12](/|$)).*$" : "^(?!/v2(/|$)).*$").last()
        .handler(ctx -> parts.versions().send(ctx, 300));

    root.route().failureHandler(failures);
    for (int status : new int[] {400, 401, 403, 404, 405, 413, 414, 415, 431, 500, 501}) {
      root.errorHandler(status, ctx -> FailureHandler.send(ctx, status, messageOf(ctx)));
    }
    return root;
  }

  private static String messageOf(RoutingContext ctx) {
    if (ctx.statusCode() == 405) {
      return "The method " + ctx.request().method() + " is not allowed for this resource.";
    }
    return null;
  }

  /**
   * Glance's router matches no path with an empty segment where an id or name belongs ({@code /v2/images/},
   * {@code /v2/images//members}): such a path is a 404, never the list a shorter path would give (clients that
   * build a URL from a null id rely on it). Vert.x-Web would otherwise match the route without the slash.
   */
  private static void refuseEmptySegments(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path != null && (path.endsWith("/") || path.contains("//"))) {
      FailureHandler.send(ctx, 404, null);
    } else {
      ctx.next();
    }
  }

  /** {@code /v1.0/...} and {@code /v1.1/...} are served as {@code /v1/...}, as Glance's negotiation did. */
  private static void negotiateV1(RoutingContext ctx) {
    String path = ctx.request().path();
    String rest = path.length() > 5 ? path.substring(5) : "/";
    String query = ctx.request().query();
    ctx.reroute("/v1" + rest + (query == null ? "" : "?" + query));
  }

  /** {@code /v2.N/...} is served as {@code /v2/...} when v2.N is a listed version; else the version choices. */
  private static void negotiate(RoutingContext ctx, Versions versions) {
    Matcher m = VERSIONED.matcher(ctx.request().path());
    if (m.matches() && versions.isListed(m.group(1))) {
      String rest = m.group(2) == null ? "/" : m.group(2);
      String query = ctx.request().query();
      ctx.reroute("/v2" + rest + (query == null ? "" : "?" + query));
    } else {
      versions.send(ctx, 300);
    }
  }
}
