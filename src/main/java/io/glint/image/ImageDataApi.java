package io.glint.image;

import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.store.ImageData;
import io.glint.transfer.RequestBody;
import io.glint.transfer.Transfers;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT} and {@code GET /v2/images/{id}/file}. The upload body is never buffered: the request is paused
 * before any asynchronous step and streamed by {@link ImageDataService}. Downloads go out with {@code sendfile}
 * from a file store, or as a backpressured pipe from a stream; a failure after the head was sent resets the
 * connection so that a truncated body never looks complete.
 */
public final class ImageDataApi implements io.glint.http.Routes {

  private final ImageService images;
  private final ImageDataService data;
  private final Transfers transfers;

  public ImageDataApi(ImageService images, ImageDataService data, Transfers transfers) {
    this.images = images;
    this.data = data;
    this.transfers = transfers;
  }

  @Override
  public void mount(Router v2) {
    v2.put("/images/:id/file").handler(this::upload);
    v2.get("/images/:id/file").handler(Http::rejectBody).handler(this::download);
    Http.allow(v2, "/images/:id/file", "GET, PUT");
  }

  private void upload(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    RequestBody body = UploadRequests.body(ctx);
    if (!UploadRequests.octetStream(ctx)) {
      return;
    }
    Long contentLength = longHeader(request, "Content-Length", false);
    Long declared = longHeader(request, "x-openstack-image-size", true);
    Runnable ready = UploadRequests.continueWhenAccepted(ctx);
    ImageDataService.Upload upload = new ImageDataService.Upload(body, contentLength, declared,
        request.getHeader("X-Image-Meta-Store"), ready, body::failure);
    transfers.track(Transfers.Kind.UPLOAD, data.upload(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), upload))
        .onSuccess(image -> {
          transfers.uploaded(data.storeFor(upload.store()), image.size() == null ? 0 : image.size());
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(ctx::fail);
  }

  private static Long longHeader(HttpServerRequest request, String name, boolean strict) {
    String value = request.getHeader(name);
    if (value == null) {
      return null;
    }
    try {
      long v = Long.parseLong(value.strip());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      if (strict) {
        throw GlintException.badRequest("Invalid or missing image size in request headers.");
      }
      return null;
    }
  }

  private void download(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    images.get(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .compose(image -> data.download(AuthHandler.context(ctx), image, request.getHeader("Range"),
            request.getHeader("Content-Range")))
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.response().setStatusCode(204).end();
          } else {
            send(ctx, found.get());
          }
        })
        .onFailure(ctx::fail);
  }

  private void send(RoutingContext ctx, ImageDataService.Download download) {
    HttpServerResponse response = ctx.response();
    Image image = download.image();
    ImageData bytes = download.data();
    response.putHeader("Content-Type", "application/octet-stream");
    if (image.checksum() != null) {
      response.putHeader("Content-MD5", image.checksum());
    }
    if (!download.range().isAll()) {
      long start = download.range().offset();
      long end = start + bytes.length() - 1;
      response.setStatusCode(206).putHeader("Content-Range", "bytes " + start + "-" + end + "/" + image.size());
    }
    DownloadResponse.send(ctx, data, transfers, download);
  }
}
