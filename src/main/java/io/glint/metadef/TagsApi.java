package io.glint.metadef;

import io.glint.auth.RequestContext;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v2/metadefs/namespaces/{namespace}/tags[/{tag}]}. */
public final class TagsApi extends NamespaceChildApi {
  private static final Set<String> SORT_KEYS = Set.of("name", "created_at", "updated_at");

  public TagsApi(MetadefService service, JsonBodyHandler json) {
    super(service, json, "tags", "tag");
  }

  @Override
  protected void list(RoutingContext ctx) {
    List<Map.Entry<String, String>> params = Http.queryParams(ctx);
    boolean ascending = MetadefHttp.ascending(params);
    String sortKey = MetadefHttp.sortKey(params, SORT_KEYS);
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

  @Override
  protected void show(RoutingContext ctx) {
    service.tag(AuthHandler.context(ctx), NamespacesApi.name(ctx), memberName(ctx))
        .onSuccess(t -> MetadefHttp.send(ctx, 200, MetadefJson.tag(t)))
        .onFailure(ctx::fail);
  }

  @Override
  protected Handler<RoutingContext> createMember() {
    return this::createByName;
  }

  private void createByName(RoutingContext ctx) {
    service.addTag(AuthHandler.context(ctx), NamespacesApi.name(ctx), memberName(ctx))
        .onSuccess(t -> MetadefHttp.send(ctx, 201, MetadefJson.tag(t)))
        .onFailure(ctx::fail);
  }

  @Override
  protected void create(RoutingContext ctx) {
    List<String> names = MetadefJson.tags(Http.jsonBody(ctx));
    boolean append = MetadefHttp.bool(ctx.request().getHeader("X-Openstack-Append"));
    service.addTags(AuthHandler.context(ctx), NamespacesApi.name(ctx), names, append)
        .onSuccess(tags -> MetadefHttp.send(ctx, 201, names(names)))
        .onFailure(ctx::fail);
  }

  @Override
  protected void update(RoutingContext ctx) {
    String newName = MetadefJson.tagName(Http.jsonBody(ctx));
    service.renameTag(AuthHandler.context(ctx), NamespacesApi.name(ctx), memberName(ctx), newName)
        .onSuccess(t -> MetadefHttp.send(ctx, 200, MetadefJson.tag(t)))
        .onFailure(ctx::fail);
  }

  @Override
  protected Future<Void> removeAll(RequestContext ctx, String namespace) {
    return service.deleteTags(ctx, namespace);
  }

  @Override
  protected Future<Void> remove(RequestContext ctx, String namespace, String name) {
    return service.removeTag(ctx, namespace, name);
  }
}
