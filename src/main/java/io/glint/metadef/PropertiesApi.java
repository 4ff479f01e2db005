package io.glint.metadef;

import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /v2/metadefs/namespaces/{namespace}/properties[/{property}]}. */
public final class PropertiesApi implements io.glint.http.Routes {
  private final MetadefService service;
  private final JsonBodyHandler json;

  public PropertiesApi(MetadefService service, JsonBodyHandler json) {
    this.service = service;
    this.json = json;
  }

  @Override
  public void mount(Router v2) {
    String all = "/metadefs/namespaces/:namespace/properties";
    String one = all + "/:property";
    v2.get(all).handler(Http::rejectBody).handler(this::list);
    v2.post(all).handler(json).handler(this::create);
    v2.delete(all).handler(Http::rejectBody).handler(ctx -> service
        .deleteProperties(AuthHandler.context(ctx), NamespacesApi.name(ctx))
        .onSuccess(v -> MetadefHttp.noContent(ctx)).onFailure(ctx::fail));
    Http.allow(v2, all, "GET, POST, DELETE");
    v2.get(one).handler(Http::rejectBody).handler(this::show);
    v2.put(one).handler(json).handler(this::update);
    v2.delete(one).handler(Http::rejectBody).handler(this::delete);
    Http.allow(v2, one, "GET, PUT, DELETE");
  }

  private static String property(RoutingContext ctx) {
    return Http.pathParam(ctx, "property");
  }

  private void list(RoutingContext ctx) {
    service.properties(AuthHandler.context(ctx), NamespacesApi.name(ctx))
        .onSuccess(props -> MetadefHttp.send(ctx, 200,
            new JsonObject().put("properties", MetadefJson.properties(props, ""))))
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    String resourceType = MetadefHttp.param(Http.queryParams(ctx), "resource_type");
    service.property(AuthHandler.context(ctx), NamespacesApi.name(ctx), property(ctx), resourceType)
        .onSuccess(p -> MetadefHttp.send(ctx, 200, MetadefJson.property(p.schema(), p.name())))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    Property p = MetadefJson.property(Http.jsonBody(ctx));
    service.addProperty(AuthHandler.context(ctx), NamespacesApi.name(ctx), p)
        .onSuccess(saved -> MetadefHttp.send(ctx, 201, MetadefJson.property(saved.schema(), saved.name())))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    Property p = MetadefJson.property(Http.jsonBody(ctx));
    service.updateProperty(AuthHandler.context(ctx), NamespacesApi.name(ctx), property(ctx), p)
        .onSuccess(saved -> MetadefHttp.send(ctx, 200, MetadefJson.property(saved.schema(), saved.name())))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    service.removeProperty(AuthHandler.context(ctx), NamespacesApi.name(ctx), property(ctx))
        .onSuccess(v -> MetadefHttp.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
