package io.glint.http;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

/**
 * The route template a request was served by ({@code /v2/images/:id/file}), for the metrics' {@code route} label:
 * bounded (never the raw path, whose ids would make a series per image). Taken from the route that was current
 * when the response head went out, or when a handler read a path parameter (a failure then still knows its route);
 * {@code unmatched} when no route with a path served the request (401 before routing, 404 of an unknown path).
 */
public final class RouteTemplate {
  static final String KEY = "glint.route";
  public static final String UNMATCHED = "unmatched";

  private RouteTemplate() {}

  /** Notes the current route's template on the request, once. */
  public static void capture(RoutingContext ctx) {
    if (ctx.get(KEY) != null) {
      return;
    }
    Route route = ctx.currentRoute();
    String path = route == null ? null : route.getPath();
    if (path == null) {
      return;
    }
    String mount = ctx.mountPoint();
    if (mount != null && !mount.isEmpty()) {
      Mounted known = route.getMetadata(KEY);
      if (known == null || !known.mount().equals(mount)) {
        known = new Mounted(mount, (mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount) + path);
        route.putMetadata(KEY, known);
      }
      path = known.template();
    }
    ctx.put(KEY, path);
  }

  /**
   * A sub-router route's full template, kept in the route's metadata so that no request builds the same string
   * again.
   */
  private record Mounted(String mount, String template) {}

  /** The template noted for this request, or {@link #UNMATCHED}. */
  public static String of(RoutingContext ctx) {
    String t = ctx.get(KEY);
    return t == null ? UNMATCHED : t;
  }
}
