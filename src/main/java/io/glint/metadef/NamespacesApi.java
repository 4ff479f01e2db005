package io.glint.metadef;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** {@code /v2/metadefs/namespaces[/{namespace}]} and the three bulk deletes of a namespace's children. */
public final class NamespacesApi implements io.glint.http.Routes {
  private static final Set<String> SORT_KEYS = Set.of("namespace", "created_at", "updated_at");

  private final MetadefService service;
  private final JsonBodyHandler json;
  private final String publicEndpoint;
  private final int limitDefault;
  private final int limitMax;
  private final Cache<ListEntry, byte[]> rendered = Caffeine.newBuilder().maximumSize(4096).build();

  public NamespacesApi(MetadefService service, JsonBodyHandler json, String publicEndpoint, int limitDefault,
      int limitMax) {
    this.service = service;
    this.json = json;
    this.publicEndpoint = publicEndpoint;
    this.limitDefault = limitDefault;
    this.limitMax = limitMax;
  }

  @Override
  public void mount(Router v2) {
    String ns = "/metadefs/namespaces/:namespace";
    v2.get("/metadefs/namespaces").handler(Http::rejectBody).handler(this::list);
    v2.post("/metadefs/namespaces").handler(json).handler(this::create);
    Http.allow(v2, "/metadefs/namespaces", "GET, POST");
    v2.get(ns).handler(Http::rejectBody).handler(this::show);
    v2.put(ns).handler(json).handler(this::update);
    v2.delete(ns).handler(Http::rejectBody).handler(this::delete);
    Http.allow(v2, ns, "GET, PUT, DELETE");
  }

  static String name(RoutingContext ctx) {
    return Http.pathParam(ctx, "namespace");
  }

  private void list(RoutingContext ctx) {
    List<Map.Entry<String, String>> params = Http.queryParams(ctx);
    String limitParam = MetadefHttp.param(params, "limit");
    int limit = Math.min(limitMax, limitParam == null ? limitDefault : MetadefHttp.limit(limitParam));
    boolean ascending = MetadefHttp.ascending(params);
    String sortKey = MetadefHttp.sortKey(params, SORT_KEYS);
    String visibility = MetadefHttp.param(params, "visibility");
    if (visibility != null && !visibility.isEmpty() && !visibility.equals("public")
        && !visibility.equals("private")) {
      throw GlintException.badRequest("Invalid visibility value: " + visibility);
    }
    String types = MetadefHttp.param(params, "resource_types");
    List<String> resourceTypes = types == null ? null : List.of(types.split(",", -1));
    String marker = MetadefHttp.param(params, "marker");
    service.list(AuthHandler.context(ctx), marker, visibility == null || visibility.isEmpty() ? null : visibility,
            resourceTypes, limit, sortKey, ascending)
        .onSuccess(page -> io.glint.http.ApiResponses.json(ctx, renderPage(page, params, limit)))
        .onFailure(ctx::fail);
  }

  /**
   * The list body, written as Glance orders it ({@code first}, {@code namespaces}, {@code next}, {@code schema}).
   * Each namespace's JSON is memoised under the very values it is rendered from (the row and its associations,
   * both read from the database on every request), so a cached entry can never be stale: rendering, not the
   * database, was most of the list's cost.
   */
  private Buffer renderPage(MetadefService.NamespacePage page, List<Map.Entry<String, String>> params, int limit) {
    // webob's params as a dict (the last value of each name, first position), then urlencode.
    Map<String, String> query = new LinkedHashMap<>();
    params.forEach(e -> query.put(e.getKey(), e.getValue()));
    query.remove("marker");
    List<String> pairs = new ArrayList<>();
    query.forEach((k, v) -> pairs.add(Http.queryPair(k, v)));
    String first = "/v2/metadefs/namespaces" + (pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    Buffer out = Buffer.buffer(1024 + 800 * page.namespaces().size());
    out.appendString("{\"first\":").appendString(Json.encode(first)).appendString(",\"namespaces\":[");
    boolean firstItem = true;
    for (Namespace ns : page.namespaces()) {
      List<Association> assocs = page.associations().getOrDefault(ns.id(), List.of());
      byte[] item = rendered.get(new ListEntry(ns, assocs), NamespacesApi::renderEntry);
      if (!firstItem) {
        out.appendString(",");
      }
      out.appendBytes(item);
      firstItem = false;
    }
    out.appendString("]");
    List<Namespace> listed = page.namespaces();
    if (!listed.isEmpty() && listed.size() == limit) {
      pairs.add(Http.queryPair("marker", listed.get(listed.size() - 1).namespace()));
      out.appendString(",\"next\":").appendString(Json.encode("/v2/metadefs/namespaces?" + String.join("&", pairs)));
    }
    out.appendString(",\"schema\":\"/v2/schemas/metadefs/namespaces\"}");
    return out;
  }

  /** What one list entry is rendered from. */
  private record ListEntry(Namespace namespace, List<Association> associations) {}

  private static byte[] renderEntry(ListEntry e) {
    TreeMap<String, Object> view = MetadefJson.namespace(e.namespace());
    if (!e.associations().isEmpty()) {
      view.put("resource_type_associations", associations(e.associations()));
    }
    return new JsonObject(new LinkedHashMap<>(view)).toBuffer().getBytes();
  }

  static JsonArray associations(List<Association> assocs) {
    JsonArray out = new JsonArray();
    assocs.forEach(a -> out.add(MetadefJson.association(a)));
    return out;
  }

  private void create(RoutingContext ctx) {
    var caller = AuthHandler.context(ctx);
    Object raw = Http.jsonBody(ctx);
    NamespaceContent content = MetadefJson.namespace(raw, caller.owner());
    Map<?, ?> body = (Map<?, ?>) raw;
    service.create(caller, content)
        .onSuccess(ns -> {
          TreeMap<String, Object> view = MetadefJson.namespace(ns);
          // Glance returns the children as the request gave them.
          for (String key : List.of("properties", "objects", "resource_type_associations", "tags")) {
            if (body.containsKey(key) && body.get(key) != null) {
              view.put(key, requestView(key, content));
            }
          }
          ctx.response().putHeader("Location", Http.baseUrl(ctx, publicEndpoint) + MetadefJson.href(ns.namespace()));
          MetadefHttp.send(ctx, 201, new JsonObject(new LinkedHashMap<>(view)));
        })
        .onFailure(ctx::fail);
  }

  private static Object requestView(String key, NamespaceContent c) {
    return switch (key) {
      case "properties" -> MetadefJson.properties(c.properties(), "");
      case "objects" -> {
        JsonArray out = new JsonArray();
        c.objects().forEach(o -> out.add(MetadefJson.object(o, null, "")));
        yield out;
      }
      case "resource_type_associations" -> associations(c.associations());
      default -> {
        JsonArray out = new JsonArray();
        c.tags().forEach(t -> out.add(new JsonObject().put("name", t)));
        yield out;
      }
    };
  }

  private void show(RoutingContext ctx) {
    String resourceType = MetadefHttp.param(Http.queryParams(ctx), "resource_type");
    service.show(AuthHandler.context(ctx), name(ctx))
        .onSuccess(d -> MetadefHttp.send(ctx, 200, renderDetail(d, resourceType)))
        .onFailure(ctx::fail);
  }

  private static JsonObject renderDetail(MetadefService.NamespaceDetail d, String resourceType) {
    TreeMap<String, Object> view = MetadefJson.namespace(d.namespace());
    String prefix = "";
    if (resourceType != null && !resourceType.isEmpty()) {
      prefix = d.associations().stream().filter(a -> a.name().equals(resourceType)).findFirst()
          .map(Association::prefix).orElse(null);
      prefix = prefix == null ? "" : prefix;
    }
    if (!d.associations().isEmpty()) {
      view.put("resource_type_associations", associations(d.associations()));
    }
    if (!d.properties().isEmpty()) {
      view.put("properties", MetadefJson.properties(d.properties(), prefix));
    }
    if (!d.objects().isEmpty()) {
      JsonArray objects = new JsonArray();
      for (MetaObject o : d.objects()) {
        objects.add(MetadefJson.object(o, d.namespace().namespace(), prefix));
      }
      view.put("objects", objects);
    }
    if (!d.tags().isEmpty()) {
      JsonArray tags = new JsonArray();
      d.tags().forEach(t -> tags.add(new JsonObject().put("name", t.name())));
      view.put("tags", tags);
    }
    return new JsonObject(new LinkedHashMap<>(view));
  }

  private void update(RoutingContext ctx) {
    var caller = AuthHandler.context(ctx);
    NamespaceContent content = MetadefJson.namespace(Http.jsonBody(ctx), caller.owner());
    service.update(caller, name(ctx), content.fields())
        .onSuccess(ns -> MetadefHttp.send(ctx, 200, new JsonObject(new LinkedHashMap<>(MetadefJson.namespace(ns)))))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    service.delete(AuthHandler.context(ctx), name(ctx))
        .onSuccess(v -> MetadefHttp.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
