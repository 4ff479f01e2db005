package io.glint.metadef;

import io.glint.auth.RequestContext;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code /v2/metadefs/namespaces/{namespace}/objects[/{object}]}. */
public final class ObjectsApi extends NamespaceChildApi {
  public ObjectsApi(MetadefService service, JsonBodyHandler json) {
    super(service, json, "objects", "object");
  }

  @Override
  protected void list(RoutingContext ctx) {
    String ns = NamespacesApi.name(ctx);
    service.objects(AuthHandler.context(ctx), ns)
        .onSuccess(objects -> {
          JsonArray items = new JsonArray();
          objects.forEach(o -> items.add(MetadefJson.object(o, ns, "")));
          // Glance's link here has no leading slash.
          MetadefHttp.send(ctx, 200, new JsonObject().put("objects", items)
              .put("schema", "v2/schemas/metadefs/objects"));
        })
        .onFailure(ctx::fail);
  }

  @Override
  protected void show(RoutingContext ctx) {
    String ns = NamespacesApi.name(ctx);
    service.object(AuthHandler.context(ctx), ns, memberName(ctx))
        .onSuccess(o -> MetadefHttp.send(ctx, 200, MetadefJson.object(o, ns, "")))
        .onFailure(ctx::fail);
  }

  @Override
  protected void create(RoutingContext ctx) {
    String ns = NamespacesApi.name(ctx);
    MetaObject o = MetadefJson.metaObject(Http.jsonBody(ctx), true);
    service.addObject(AuthHandler.context(ctx), ns, o)
        .onSuccess(saved -> MetadefHttp.send(ctx, 201, MetadefJson.object(saved, ns, "")))
        .onFailure(ctx::fail);
  }

  @Override
  protected void update(RoutingContext ctx) {
    String ns = NamespacesApi.name(ctx);
    MetaObject o = MetadefJson.metaObject(Http.jsonBody(ctx), false);
    service.updateObject(AuthHandler.context(ctx), ns, memberName(ctx), o)
        .onSuccess(saved -> MetadefHttp.send(ctx, 200, MetadefJson.object(saved, ns, "")))
        .onFailure(ctx::fail);
  }

  @Override
  protected Future<Void> removeAll(RequestContext ctx, String namespace) {
    return service.deleteObjects(ctx, namespace);
  }

  @Override
  protected Future<Void> remove(RequestContext ctx, String namespace, String name) {
    return service.removeObject(ctx, namespace, name);
  }
}
