package io.glint.metadef;

import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /v2/metadefs/resource_types} and {@code /v2/metadefs/namespaces/{namespace}/resource_types[/{name}]}. */
public final class ResourceTypesApi implements io.glint.http.Routes {
  private final MetadefService service;
  private final JsonBodyHandler json;

  public ResourceTypesApi(MetadefService service, JsonBodyHandler json) {
    this.service = service;
    this.json = json;
  }

  @Override
  public void mount(Router v2) {
    String all = "/metadefs/namespaces/:namespace/resource_types";
    v2.get("/metadefs/resource_types").handler(Http::rejectBody).handler(this::list);
    Http.allow(v2, "/metadefs/resource_types", "GET");
    v2.get(all).handler(Http::rejectBody).handler(this::associations);
    v2.post(all).handler(json).handler(this::associate);
    Http.allow(v2, all, "GET, POST");
    v2.delete(all + "/:rt").handler(Http::rejectBody).handler(this::dissociate);
    Http.allow(v2, all + "/:rt", "DELETE");
  }

  private void list(RoutingContext ctx) {
    service.resourceTypes(AuthHandler.context(ctx))
        .onSuccess(types -> {
          JsonArray items = new JsonArray();
          types.forEach(t -> items.add(MetadefJson.resourceType(t)));
          MetadefHttp.send(ctx, 200, new JsonObject().put("resource_types", items));
        })
        .onFailure(ctx::fail);
  }

  private void associations(RoutingContext ctx) {
    service.associations(AuthHandler.context(ctx), NamespacesApi.name(ctx))
        .onSuccess(all -> MetadefHttp.send(ctx, 200,
            new JsonObject().put("resource_type_associations", NamespacesApi.associations(all))))
        .onFailure(ctx::fail);
  }

  private void associate(RoutingContext ctx) {
    Association a = MetadefJson.association(Http.jsonBody(ctx));
    service.associate(AuthHandler.context(ctx), NamespacesApi.name(ctx), a)
        .onSuccess(saved -> MetadefHttp.send(ctx, 201, MetadefJson.association(saved)))
        .onFailure(ctx::fail);
  }

  private void dissociate(RoutingContext ctx) {
    service.dissociate(AuthHandler.context(ctx), NamespacesApi.name(ctx), Http.pathParam(ctx, "rt"))
        .onSuccess(v -> MetadefHttp.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
