package io.glint.metadef;

import io.glint.auth.RequestContext;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code /v2/metadefs/namespaces/{namespace}/properties[/{property}]}. */
public final class PropertiesApi extends NamespaceChildApi {
  public PropertiesApi(MetadefService service, JsonBodyHandler json) {
    super(service, json, "properties", "property");
  }

  @Override
  protected void list(RoutingContext ctx) {
    service.properties(AuthHandler.context(ctx), NamespacesApi.name(ctx))
        .onSuccess(props -> MetadefHttp.send(ctx, 200,
            new JsonObject().put("properties", MetadefJson.properties(props, ""))))
        .onFailure(ctx::fail);
  }

  @Override
  protected void show(RoutingContext ctx) {
    String resourceType = MetadefHttp.param(Http.queryParams(ctx), "resource_type");
    service.property(AuthHandler.context(ctx), NamespacesApi.name(ctx), memberName(ctx), resourceType)
        .onSuccess(p -> MetadefHttp.send(ctx, 200, MetadefJson.property(p.schema(), p.name())))
        .onFailure(ctx::fail);
  }

  @Override
  protected void create(RoutingContext ctx) {
    Property p = MetadefJson.property(Http.jsonBody(ctx));
    service.addProperty(AuthHandler.context(ctx), NamespacesApi.name(ctx), p)
        .onSuccess(saved -> MetadefHttp.send(ctx, 201, MetadefJson.property(saved.schema(), saved.name())))
        .onFailure(ctx::fail);
  }

  @Override
  protected void update(RoutingContext ctx) {
    Property p = MetadefJson.property(Http.jsonBody(ctx));
    service.updateProperty(AuthHandler.context(ctx), NamespacesApi.name(ctx), memberName(ctx), p)
        .onSuccess(saved -> MetadefHttp.send(ctx, 200, MetadefJson.property(saved.schema(), saved.name())))
        .onFailure(ctx::fail);
  }

  @Override
  protected Future<Void> removeAll(RequestContext ctx, String namespace) {
    return service.deleteProperties(ctx, namespace);
  }

  @Override
  protected Future<Void> remove(RequestContext ctx, String namespace, String name) {
    return service.removeProperty(ctx, namespace, name);
  }
}
