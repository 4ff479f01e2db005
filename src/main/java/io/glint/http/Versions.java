package io.glint.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The API versions document of Glance Zed ({@code glance/api/versions.py}): which minor versions are listed
 * depends on whether the image cache and multiple stores are enabled. All minor versions serve the same code.
 */
public final class Versions {
  private final List<String[]> versions = new ArrayList<>();
  private final String publicEndpoint;

  private final boolean v1;

  public Versions(boolean cacheEnabled, boolean multiStore, String publicEndpoint) {
    this(cacheEnabled, multiStore, publicEndpoint, false);
  }

  /** With {@code v1} (enable_v1_api), v1.1 and v1.0 are listed too, DEPRECATED, as Glance Queens listed them. */
  public Versions(boolean cacheEnabled, boolean multiStore, String publicEndpoint, boolean v1) {
    this.publicEndpoint = publicEndpoint;
    this.v1 = v1;
    if (cacheEnabled) {
      add("2.16", "CURRENT");
      add("2.15", "SUPPORTED");
      add("2.14", "SUPPORTED");
    } else {
      add("2.15", "CURRENT");
    }
    if (multiStore) {
      for (String v : List.of("2.13", "2.12", "2.11", "2.10", "2.9", "2.8")) {
        add(v, "SUPPORTED");
      }
    } else {
      // Glint serves GET /v2/images/{id}/tasks (2.12) and /v2/info/usage (2.13) in single-store mode too.
      add("2.13", "SUPPORTED");
      add("2.12", "SUPPORTED");
      add("2.9", "SUPPORTED");
    }
    for (String v : List.of("2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0")) {
      add(v, "SUPPORTED");
    }
    if (v1) {
      add("1.1", "DEPRECATED");
      add("1.0", "DEPRECATED");
    }
  }

  /** Whether the v1 API is served (and listed). */
  public boolean v1() {
    return v1;
  }

  private void add(String version, String status) {
    versions.add(new String[] {version, status});
  }

  /** Whether {@code v2.N} is a listed version, so that {@code /v2.N/...} is served by the v2 API. */
  public boolean isListed(String minor) {
    return versions.stream().anyMatch(v -> v[0].equals("2." + minor));
  }

  public JsonObject document(RoutingContext ctx) {
    String base = Http.baseUrl(ctx, publicEndpoint);
    JsonArray list = new JsonArray();
    for (String[] v : versions) {
      String href = base + (v[0].startsWith("1.") ? "/v1/" : "/v2/");
      list.add(new JsonObject()
          .put("id", "v" + v[0])
          .put("status", v[1])
          .put("links", new JsonArray().add(new JsonObject().put("rel", "self").put("href", href))));
    }
    return new JsonObject().put("versions", list);
  }

  /** {@code GET /versions} answers 200; {@code GET /} and unknown version prefixes answer 300. */
  public void send(RoutingContext ctx, int status) {
    ApiResponses.json(ctx, status, document(ctx).toBuffer());
  }
}
