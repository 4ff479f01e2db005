package io.glint.metadef;

import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /v2/metadefs/namespaces/{namespace}/objects[/{object}]}. */
public final class ObjectsApi implements io.glint.http.Routes {
  private final MetadefService service;
  private final JsonBodyHandler json;

  public ObjectsApi(MetadefService service, JsonBodyHandler json) {
    this.service = service;
    this.json = json;
  }

  @Override
  public void mount(Router v2) {
    String all = "/metadefs/namespaces/:namespace/objects";
    String one = all + "/:object";
    v2.get(all).handler(Http::rejectBody).handler(this::list);
    v2.post(all).handler(json).handler(this::create);
    v2.delete(all).handler(Http::rejectBody).handler(ctx -> service
        .deleteObjects(AuthHandler.context(ctx), NamespacesApi.name(ctx))
        .onSuccess(v -> MetadefHttp.noContent(ctx)).onFailure(ctx::fail));
    Http.allow(v2, all, "GET, POST, DELETE");
    v2.get(one).handler(Http::rejectBody).handler(this::show);
    v2.put(one).handler(json).handler(this::update);
    v2.delete(one).handler(Http::rejectBody).handler(this::delete);
    Http.allow(v2, one, "GET, PUT, DELETE");
  }

  private static String object(RoutingContext ctx) {
    return Http.pathParam(ctx, "object");
  }

  private void list(RoutingContext ctx) {
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

  private void show(RoutingContext ctx) {
    String ns = NamespacesApi.name(ctx);
    service.object(AuthHandler.context(ctx), ns, object(ctx))
        .onSuccess(o -> MetadefHttp.send(ctx, 200, MetadefJson.object(o, ns, "")))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    String ns = NamespacesApi.name(ctx);
    MetaObject o = MetadefJson.metaObject(Http.jsonBody(ctx), true);
    service.addObject(AuthHandler.context(ctx), ns, o)
        .onSuccess(saved -> MetadefHttp.send(ctx, 201, MetadefJson.object(saved, ns, "")))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    String ns = NamespacesApi.name(ctx);
    MetaObject o = MetadefJson.metaObject(Http.jsonBody(ctx), false);
    service.updateObject(AuthHandler.context(ctx), ns, object(ctx), o)
        .onSuccess(saved -> MetadefHttp.send(ctx, 200, MetadefJson.object(saved, ns, "")))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    service.removeObject(AuthHandler.context(ctx), NamespacesApi.name(ctx), object(ctx))
        .onSuccess(v -> MetadefHttp.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
