package io.glint.image;

import io.glint.http.AuthHandler;
import io.glint.http.FailureHandler;
import io.glint.store.ImageData;
import io.glint.transfer.DownloadSender;
import io.glint.transfer.Transfers;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a download's bytes once its head is set (v2's {@code GET /v2/images/{id}/file} and v1's
 * {@code GET /v1/images/{id}} alike): counted as a transfer, {@code image.send} announced with the bytes that went
 * out, the image cache's reader released, and a failure ended as the client can tell: a reset once the head is
 * out (never a short body that looks whole), else a 503.
 */
public final class DownloadResponse {
  private static final Logger LOG = LoggerFactory.getLogger(DownloadResponse.class);

  private DownloadResponse() {}

  public static void send(RoutingContext ctx, ImageDataService data, Transfers transfers,
      ImageDataService.Download download) {
    HttpServerResponse response = ctx.response();
    Image image = download.image();
    ImageData bytes = download.data();
    // A client that hangs up mid-download is routine (a cancelled boot, a timeout): not an error of ours.
    response.exceptionHandler(t -> LOG.debug("Download of {} interrupted: {}", image.id(), t.toString()));
    ctx.request().connection().exceptionHandler(t -> LOG.debug("Connection of download {} failed: {}", image.id(),
        t.toString()));
    Future<Void> sent = transfers.track(Transfers.Kind.DOWNLOAD, DownloadSender.send(ctx.request(), bytes, image.id()))
        .andThen(ar -> transfers.downloaded(download.store(), ar.succeeded() ? bytes.length() : response.bytesWritten()));
    String client = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    sent.onComplete(ar -> data.sent(AuthHandler.context(ctx), image,
        ar.succeeded() ? bytes.length() : Math.min(response.bytesWritten(), bytes.length()), bytes.length(), client));
    sent.onComplete(ar -> download.sent().accept(ar.succeeded()));
    sent.onFailure(t -> {
      if (response.closed()) {
        // The client went away: routine, not an error of ours.
        LOG.debug("Download of image {} ended by the client: {}", image.id(), t.toString());
        response.reset();
        return;
      }
      if (response.headWritten()) {
        // Too late for an error status: reset, so that the client cannot take a short body for a whole one.
        LOG.warn("Download of image {} failed after the head was sent, connection reset: {}", image.id(), t.toString());
        response.reset();
        return;
      }
      LOG.warn("Download of image {} failed: {}", image.id(), t.toString());
      FailureHandler.send(ctx, 503, "The image data could not be read: " + t.getMessage());
    });
  }
}
