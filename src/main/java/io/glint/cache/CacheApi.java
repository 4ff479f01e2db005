package io.glint.cache;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.image.Image;
import io.glint.image.ImageLookup;
import io.glint.image.ImageStatus;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The cache API of Glance 2.14 ({@code glance/api/v2/cached_images.py}): {@code GET /v2/cache}, {@code PUT} and
 * {@code DELETE /v2/cache/{id}}, {@code DELETE /v2/cache}. As in Glance the policy is checked first (403), then
 * whether the cache is on (404 "Caching via API is not supported at this site."); {@code PUT} and
 * {@code DELETE} of one image look the image up before either.
 */
public final class CacheApi implements io.glint.http.Routes {
  static final String NOT_SUPPORTED = "Caching via API is not supported at this site.";

  private final ImageCache cache;
  private final Prefetcher prefetcher;
  private final ImageLookup lookup;
  private final Policy policy;

  /** {@code cache} and {@code prefetcher} are null when the cache is off. */
  public CacheApi(ImageCache cache, Prefetcher prefetcher, ImageLookup lookup, Policy policy) {
    this.cache = cache;
    this.prefetcher = prefetcher;
    this.lookup = lookup;
    this.policy = policy;
  }

  @Override
  public void mount(Router v2) {
    v2.get("/cache").handler(Http::rejectBody).handler(this::state);
    v2.delete("/cache").handler(this::clear);
    v2.put("/cache/:id").handler(this::queue);
    v2.delete("/cache/:id").handler(this::delete);
    Http.allow(v2, "/cache", "GET, DELETE");
    Http.allow(v2, "/cache/:id", "DELETE, PUT");
  }

  private void enforce(RequestContext ctx, Action action, Target target) {
    policy.enforce(ctx, action, target);
    if (cache == null) {
      throw GlintException.notFound(NOT_SUPPORTED);
    }
  }

  private void state(RoutingContext ctx) {
    enforce(AuthHandler.context(ctx), Action.CACHE_LIST, Target.none());
    JsonObject body = new JsonObject()
        .put("cached_images", cache.cachedImages())
        .put("queued_images", new JsonArray(cache.queuedImages()));
    io.glint.http.ApiResponses.json(ctx, body.toBuffer());
  }

  private void clear(RoutingContext ctx) {
    enforce(AuthHandler.context(ctx), Action.CACHE_DELETE, Target.none());
    String target = ctx.request().getHeader("x-image-cache-clear-target");
    target = target == null ? "" : target.strip().toLowerCase(java.util.Locale.ROOT);
    Future<Void> done = switch (target) {
      case "" -> {
        cache.deleteAll();
        yield cache.dequeueAll().mapEmpty();
      }
      case "cache" -> {
        cache.deleteAll();
        yield Future.succeededFuture();
      }
      case "queue" -> cache.dequeueAll().mapEmpty();
      default -> throw GlintException.badRequest(
          "If provided 'x-image-cache-clear-target' must be 'cache', 'queue' or empty string.");
    };
    done.onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  private void queue(RoutingContext ctx) {
    RequestContext caller = AuthHandler.context(ctx);
    String id = Http.pathParam(ctx, "id");
    find(caller, id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(GlintException.notFound("Image " + id + " not found."));
      }
      Image image = found.get();
      enforce(caller, Action.CACHE_IMAGE, Target.of(image));
      if (image.status() != ImageStatus.ACTIVE) {
        return Future.failedFuture(GlintException.badRequest(
            "Only images with status active can be targeted for queueing"));
      }
      return cache.queue(id);
    }).onSuccess(v -> {
      prefetcher.run();
      ctx.response().setStatusCode(202).end();
    }).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    RequestContext caller = AuthHandler.context(ctx);
    String id = Http.pathParam(ctx, "id");
    find(caller, id).compose(found -> {
      if (found.isEmpty() && (cache == null || !cache.isCached(id) && !cache.isQueued(id))) {
        return Future.failedFuture(GlintException.notFound("Image " + id + " not found."));
      }
      enforce(caller, Action.CACHE_DELETE, found.map(Target::of).orElse(Target.none()));
      return cache.delete(id).compose(v -> cache.dequeue(id));
    }).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }

  /** The image as the caller may see it; empty when there is none it may see. */
  private Future<Optional<Image>> find(RequestContext caller, String id) {
    return lookup.visibleFresh(caller, id).map(Optional::of).recover(e -> e instanceof GlintException g
        && g.kind() == GlintException.Kind.NOT_FOUND ? Future.succeededFuture(Optional.empty())
        : Future.failedFuture(e));
  }
}
