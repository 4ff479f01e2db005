package io.glint.metadef;

import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v2/metadefs/namespaces/{namespace}/tags[/{tag}]}. */
public final class TagsApi implements io.glint.http.Routes {
  private static final Set<String> SORT_KEYS = Set.of("name", "created_at", "updated_at");

  private final MetadefService service;
  private final JsonBodyHandler json;

  public TagsApi(MetadefService service, JsonBodyHandler json) {
    this.service = service;
    this.json = json;
  }

  @Override
  public void mount(Router v2) {
    String all = "/metadefs/namespaces/:namespace/tags";
    String one = all + "/:tag";
    v2.get(all).handler(Http::rejectBody).handler(this::list);
    v2.post(all).handler(json).handler(this::createTags);
    v2.delete(all).handler(Http::rejectBody).handler(ctx -> service
        .deleteTags(AuthHandler.context(ctx), NamespacesApi.name(ctx))
        .onSuccess(v -> MetadefHttp.noContent(ctx)).onFailure(ctx::fail));
    Http.allow(v2, all, "GET, POST, DELETE");
    v2.get(one).handler(Http::rejectBody).handler(this::show);
    v2.post(one).handler(Http::rejectBody).handler(this::create);
    v2.put(one).handler(json).handler(this::update);
    v2.delete(one).handler(Http::rejectBody).handler(this::delete);
    Http.allow(v2, one, "GET, POST, PUT, DELETE");
  }

  private static String tag(RoutingContext ctx) {
    return Http.pathParam(ctx, "tag");
  }

  private void list(RoutingContext ctx) {
    List<Map.Entry<String, String>> params = Http.queryParams(ctx);
    String sortDir = MetadefHttp.param(params, "sort_dir");
    boolean ascending = MetadefHttp.ascending(sortDir == null ? "desc" : sortDir);
    String sortKey = MetadefHttp.param(params, "sort_key");
    sortKey = sortKey == null ? "created_at" : sortKey;
    if (!SORT_KEYS.contains(sortKey)) {
      throw GlintException.badRequest("Invalid sort key: " + sortKey);
    }
    String limitParam = MetadefHttp.param(params, "limit");
    Integer limit = limitParam == null || limitParam.isEmpty() ? null : MetadefHttp.limit(limitParam);
    String marker = MetadefHttp.param(params, "marker");
    service.tags(AuthHandler.context(ctx), NamespacesApi.name(ctx), marker == null || marker.isEmpty() ? null : marker,
            limit == null || limit == 0 ? null : limit, sortKey, ascending)
        .onSuccess(tags -> MetadefHttp.send(ctx, 200, names(tags.stream().map(Tag::name).toList())))
        .onFailure(ctx::fail);
  }

  private static JsonObject names(List<String> names) {
    JsonArray items = new JsonArray();
    names.forEach(n -> items.add(new JsonObject().put("name", n)));
    return new JsonObject().put("tags", items);
  }

  private void show(RoutingContext ctx) {
    service.tag(AuthHandler.context(ctx), NamespacesApi.name(ctx), tag(ctx))
        .onSuccess(t -> MetadefHttp.send(ctx, 200, MetadefJson.tag(t)))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    service.addTag(AuthHandler.context(ctx), NamespacesApi.name(ctx), tag(ctx))
        .onSuccess(t -> MetadefHttp.send(ctx, 201, MetadefJson.tag(t)))
        .onFailure(ctx::fail);
  }

  private void createTags(RoutingContext ctx) {
    List<String> names = MetadefJson.tags(Http.jsonBody(ctx));
    boolean append = MetadefHttp.bool(ctx.request().getHeader("X-Openstack-Append"));
    service.addTags(AuthHandler.context(ctx), NamespacesApi.name(ctx), names, append)
        .onSuccess(tags -> MetadefHttp.send(ctx, 201, names(names)))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    String newName = MetadefJson.tagName(Http.jsonBody(ctx));
    service.renameTag(AuthHandler.context(ctx), NamespacesApi.name(ctx), tag(ctx), newName)
        .onSuccess(t -> MetadefHttp.send(ctx, 200, MetadefJson.tag(t)))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    service.removeTag(AuthHandler.context(ctx), NamespacesApi.name(ctx), tag(ctx))
        .onSuccess(v -> MetadefHttp.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
