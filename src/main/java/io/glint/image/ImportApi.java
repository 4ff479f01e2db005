package io.glint.image;

import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.glint.task.TaskJson;
import io.glint.transfer.RequestBody;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The interoperable import's routes: {@code PUT /v2/images/{id}/stage} (streamed, never buffered: the body is
 * paused before any asynchronous step, as for uploads), {@code POST /v2/images/{id}/import} (202),
 * {@code GET /v2/images/{id}/tasks} and {@code GET /v2/info/import}.
 */
public final class ImportApi implements io.glint.http.Routes {
  private final ImageStaging staging;
  private final ImageImports imports;
  private final List<String> methods;
  private final JsonBodyHandler json;
  private final ImportQuotas quotas;
  private io.glint.transfer.Transfers transfers = new io.glint.transfer.Transfers();

  /** Counts stagings in flight in {@code transfers} (graceful shutdown waits for them). */
  public ImportApi withTransfers(io.glint.transfer.Transfers transfers) {
    this.transfers = transfers;
    return this;
  }

  public ImportApi(ImageStaging staging, ImageImports imports, List<String> methods, JsonBodyHandler json,
      ImportQuotas quotas) {
    this.quotas = quotas;
    this.staging = staging;
    this.imports = imports;
    this.methods = methods;
    this.json = json;
  }

  @Override
  public void mount(Router v2) {
    v2.put("/images/:id/stage").handler(this::stage);
    v2.post("/images/:id/import").handler(json).handler(this::importImage);
    v2.get("/images/:id/tasks").handler(Http::rejectBody).handler(this::tasks);
    v2.get("/info/import").handler(Http::rejectBody).handler(this::info);
    v2.get("/info/usage").handler(Http::rejectBody).handler(this::usage);
    Http.allow(v2, "/info/usage", "GET");
    Http.allow(v2, "/images/:id/stage", "PUT");
    Http.allow(v2, "/images/:id/import", "POST");
    Http.allow(v2, "/images/:id/tasks", "GET");
    Http.allow(v2, "/info/import", "GET");
  }

  private void stage(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    RequestBody body = UploadRequests.body(ctx);
    if (!methods.contains(ImportRequest.GLANCE_DIRECT)) {
      ctx.fail(GlintException.notFound("'glance-direct' method is not available at this site."));
      return;
    }
    if (!UploadRequests.octetStream(ctx)) {
      return;
    }
    Long contentLength = header(request, "Content-Length");
    Runnable ready = UploadRequests.continueWhenAccepted(ctx);
    ImageDataService.Upload upload = new ImageDataService.Upload(body, contentLength, null, null, ready,
        body::failure);
    transfers.track(io.glint.transfer.Transfers.Kind.UPLOAD,
        staging.stage(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), upload))
        .onSuccess(image -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private static Long header(HttpServerRequest request, String name) {
    String value = request.getHeader(name);
    try {
      return value == null ? null : Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void importImage(RoutingContext ctx) {
    ImportRequest request = ImportRequest.parse(Http.jsonBody(ctx), methods);
    imports.start(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), request,
            ctx.request().getHeader("X-Image-Meta-Store"))
        .onSuccess(v -> ctx.response().setStatusCode(202).putHeader("Content-Type", "text/html; charset=UTF-8")
            .end())
        .onFailure(ctx::fail);
  }

  private void tasks(RoutingContext ctx) {
    imports.tasksOf(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .onSuccess(found -> io.glint.http.ApiResponses.json(ctx, TaskJson.imageTasks(found).toBuffer()))
        .onFailure(ctx::fail);
  }

  private void usage(RoutingContext ctx) {
    quotas.usage(AuthHandler.context(ctx))
        .onSuccess(usage -> io.glint.http.ApiResponses.json(ctx, new JsonObject().put("usage", new JsonObject(new java.util.LinkedHashMap<>(usage))).toBuffer()))
        .onFailure(ctx::fail);
  }

  private void info(RoutingContext ctx) {
    JsonObject body = new JsonObject().put("import-methods", new JsonObject()
        .put("description", "Import methods available.")
        .put("type", "array")
        .put("value", new JsonArray(methods)));
    io.glint.http.ApiResponses.json(ctx, body.toBuffer());
  }
}
