package io.glint.http;

import io.glint.auth.Authenticator;
import io.glint.auth.RequestContext;
import io.glint.health.HealthCheck;
import io.glint.metrics.HttpMetrics;
import io.glint.metrics.MetricsEndpoint;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.function.Predicate;
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
      io.glint.console.ConsoleRoutes console,
      Operations ops) {}

  /**
   * The operators' parts of the surface: the health check, and who counts as an admin for its detailed view.
   */
  public record Operations(HealthCheck health, Predicate<RequestContext> isAdmin, HttpMetrics httpMetrics,
      MetricsEndpoint metricsOnApiPort, boolean accessLog, Cors.Settings cors, ResponseGzip gzip) {}

  public static Router create(Vertx vertx, Parts parts) {
    Router root = Router.router(vertx);
    RequestIds requestIds = new RequestIds(parts.maxRequestIdLength());
    FailureHandler failures = new FailureHandler();
    RequestObserver observer = new RequestObserver(parts.ops().httpMetrics(), parts.ops().accessLog());
    if (observer.active()) {
      root.route().handler(observer::handle);
    }
    root.route().handler(requestIds::handle);
    Cors cors = new Cors(parts.ops().cors());
    if (cors.enabled()) {
      root.route().handler(cors::handle);
    }
    if (parts.ops().gzip() != null) {
      root.route().handler(parts.ops().gzip()::handle);
    }
    HealthCheck health = parts.ops().health();
    root.route().handler(ctx -> {
      if (health.isShuttingDown()) {
        ctx.response().putHeader("Connection", "close"); // draining: no keep-alive past this answer
      }
      ctx.next();
    });
    root.route("/healthcheck").handler(ctx -> healthcheck(ctx, parts));
    if (parts.ops().metricsOnApiPort() != null) {
      root.get("/metrics").handler(ctx -> metrics(ctx, parts));
    }
    root.route("/versions").handler(Http::rejectBody).handler(ctx -> parts.versions().send(ctx, 200));
    root.route("/").handler(ctx -> parts.versions().send(ctx, 300));
    root.routeWithRegex("^/v2\\.\\d+(/.*)?$").handler(ctx -> negotiate(ctx, parts.versions()));

    Router v2 = Router.router(vertx);
    AuthHandler auth = new AuthHandler(parts.authenticator());
    if (observer.active()) {
      v2.route().handler(observer::inV2);
    }
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
      if (observer.active()) {
        v1.route().handler(observer::inV2);
      }
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

  /**
   * oslo.middleware's healthcheck sits before authentication: the plain check needs no token. The detailed view
   * is for admins only; anyone else asking for it gets the plain answer.
   */
  private static void healthcheck(RoutingContext ctx, Parts parts) {
    HealthCheck health = parts.ops().health();
    HttpServerRequest request = ctx.request();
    String accept = request.getHeader("Accept");
    if (!health.wantsDetails(request.params().contains("detailed"))) {
      health.answer(request.method(), accept, ctx.response());
      return;
    }
    SocketAddress peer = request.remoteAddress();
    boolean loopback = peer != null && AuthHandler.isLoopback(peer.hostAddress());
    parts.authenticator().authenticate(request::getHeader, loopback, RequestIds.get(ctx))
        .map(caller -> parts.ops().isAdmin().test(caller))
        .otherwise(false)
        .onSuccess(admin -> {
          if (admin) {
            health.answerDetailed(request.method(), accept, ctx.response()).onFailure(ctx::fail);
          } else {
            health.answer(request.method(), accept, ctx.response());
          }
        });
  }

  /** {@code GET /metrics} on the API port: admins only (policy's context_is_admin); 401 without credentials. */
  private static void metrics(RoutingContext ctx, Parts parts) {
    HttpServerRequest request = ctx.request();
    SocketAddress peer = request.remoteAddress();
    boolean loopback = peer != null && AuthHandler.isLoopback(peer.hostAddress());
    parts.authenticator().authenticate(request::getHeader, loopback, RequestIds.get(ctx))
        .onFailure(ctx::fail)
        .onSuccess(caller -> {
          if (!parts.ops().isAdmin().test(caller)) {
            ctx.fail(io.glint.error.GlintException.forbidden("Metrics are for admins only."));
            return;
          }
          parts.ops().metricsOnApiPort().send(ctx.vertx(), ctx.response());
        });
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
