package io.glint.image;

import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BiFunction;

/** Tags ({@code /v2/images/{id}/tags/{tag}}) and actions ({@code /v2/images/{id}/actions/...}): 204 each. */
public final class ImageActionsApi implements io.glint.http.Routes {
  private final ImageTags tags;
  private final ImageActions actions;

  public ImageActionsApi(ImageTags tags, ImageActions actions) {
    this.tags = tags;
    this.actions = actions;
  }

  @Override
  public void mount(Router v2) {
    v2.put("/images/:id/tags/:tag").handler(Http::rejectBody)
        .handler(ctx -> noContent(ctx, tags.add(AuthHandler.context(ctx), Http.pathParam(ctx, "id"),
            Http.pathParam(ctx, "tag"))));
    v2.delete("/images/:id/tags/:tag").handler(Http::rejectBody)
        .handler(ctx -> noContent(ctx, tags.remove(AuthHandler.context(ctx), Http.pathParam(ctx, "id"),
            Http.pathParam(ctx, "tag"))));
    Http.allow(v2, "/images/:id/tags/:tag", "PUT, DELETE");
    action(v2, "deactivate", actions::deactivate);
    action(v2, "reactivate", actions::reactivate);
  }

  private void action(Router v2, String name,
      BiFunction<io.glint.auth.RequestContext, String, Future<Image>> call) {
    String path = "/images/:id/actions/" + name;
    v2.post(path).handler(Http::rejectBody)
        .handler(ctx -> noContent(ctx, call.apply(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))));
    Http.allow(v2, path, "POST");
  }

  private static void noContent(RoutingContext ctx, Future<?> result) {
    result.onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(ctx::fail);
  }
}
