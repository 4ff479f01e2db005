package io.glint.metadef;

import io.glint.error.GlintException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Response and query helpers shared by the metadef route classes. */
final class MetadefHttp {
  private MetadefHttp() {}

  static void send(RoutingContext ctx, int status, JsonObject body) {
    io.glint.http.ApiResponses.json(ctx, status, body.toBuffer());
  }

  static void noContent(RoutingContext ctx) {
    ctx.response().setStatusCode(204).end();
  }

  /** The last value of query parameter {@code name} (webob's {@code params} dict), or null. */
  static String param(List<Map.Entry<String, String>> params, String name) {
    String value = null;
    for (Map.Entry<String, String> e : params) {
      if (e.getKey().equals(name)) {
        value = e.getValue();
      }
    }
    return value;
  }

  /** {@code sort_dir}: "asc" or "desc" (the default); anything else is a 400. */
  static boolean ascending(List<Map.Entry<String, String>> params) {
    String sortDir = param(params, "sort_dir");
    sortDir = sortDir == null ? "desc" : sortDir;
    if (!sortDir.equals("asc") && !sortDir.equals("desc")) {
      throw GlintException.badRequest("Invalid sort direction: " + sortDir);
    }
    return sortDir.equals("asc");
  }

  /** {@code sort_key}: one of {@code allowed}, "created_at" by default; anything else is a 400. */
  static String sortKey(List<Map.Entry<String, String>> params, Set<String> allowed) {
    String sortKey = param(params, "sort_key");
    sortKey = sortKey == null ? "created_at" : sortKey;
    if (!allowed.contains(sortKey)) {
      throw GlintException.badRequest("Invalid sort key: " + sortKey);
    }
    return sortKey;
  }

  static int limit(String value) {
    try {
      long limit = Long.parseLong(value.strip());
      if (limit < 0) {
        throw GlintException.badRequest("limit param must be positive");
      }
      return (int) Math.min(limit, Integer.MAX_VALUE);
    } catch (NumberFormatException e) {
      throw GlintException.badRequest("limit param must be an integer");
    }
  }

  /** strutils.bool_from_string: true for "1", "t", "true", "on", "y", "yes" (any case). */
  static boolean bool(String value) {
    if (value == null) {
      return false;
    }
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "1", "t", "true", "on", "y", "yes" -> true;
      default -> false;
    };
  }
}
