package io.glint.store;

import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.image.ImageLocations;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Store discovery and per-store deletion of multi-store mode: {@code GET /v2/info/stores}, {@code GET
 * /v2/info/stores/detail} (admin) and {@code DELETE /v2/stores/{store}/{image}}. In single-store mode they
 * answer 404, as Glance does.
 */
public final class StoresApi implements io.glint.http.Routes {
  private final StoreRegistry stores;
  private final ImageLocations locations;
  private final Policy policy;

  public StoresApi(StoreRegistry stores, ImageLocations locations, Policy policy) {
    this.stores = stores;
    this.locations = locations;
    this.policy = policy;
  }

  @Override
  public void mount(Router v2) {
    v2.get("/info/stores").handler(Http::rejectBody).handler(ctx -> list(ctx, false));
    v2.get("/info/stores/detail").handler(Http::rejectBody).handler(ctx -> list(ctx, true));
    v2.delete("/stores/:store/:id").handler(Http::rejectBody).handler(this::deleteFromStore);
    Http.allow(v2, "/info/stores", "GET");
    Http.allow(v2, "/info/stores/detail", "GET");
    Http.allow(v2, "/stores/:store/:id", "DELETE");
  }

  private void list(RoutingContext ctx, boolean detail) {
    if (!stores.multiStore()) {
      throw GlintException.notFound("Multi backend is not supported at this site.");
    }
    if (detail) {
      policy.enforce(AuthHandler.context(ctx), Action.STORES_INFO_DETAIL, Target.none());
    }
    JsonArray list = new JsonArray();
    for (ImageStore store : stores.all()) {
      JsonObject item = new JsonObject().put("id", store.id());
      stores.description(store.id()).ifPresent(d -> item.put("description", d));
      if (store == stores.defaultStore()) {
        item.put("default", "true");
      }
      if (!store.capabilities().writable()) {
        item.put("read-only", "true");
      }
      if (detail) {
        item.put("type", store.type());
        item.put("properties", new JsonObject(store.detailProperties()));
      }
      list.add(item);
    }
    io.glint.http.ApiResponses.json(ctx, new JsonObject().put("stores", list).toBuffer());
  }

  private void deleteFromStore(RoutingContext ctx) {
    if (!stores.multiStore()) {
      throw GlintException.notFound(null);
    }
    String storeId = Http.pathParam(ctx, "store");
    if (stores.byId(storeId).isEmpty()) {
      throw GlintException.conflict("The selected store " + storeId + " is not available on this node.");
    }
    locations.deleteFromStore(AuthHandler.context(ctx), storeId, Http.pathParam(ctx, "id"))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }
}
