package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.error.GlintException.Kind;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.glint.store.PendingData;
import io.glint.transfer.UploadPump;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT /v2/images/{id}/stage} (Glance's {@code image_data.stage}): the body streams into the staging area
 * as an upload streams into a store, with the same size cap, digests, format inspection, backpressure and
 * clean-up; {@code queued → uploading} by compare-and-set (a second staging gets 409), and the image keeps its
 * staged size and, when configured, the node holding the data ({@code os_glance_stage_host}). Any failure
 * removes the staged data and puts the image back to queued.
 */
public final class ImageStaging {
  private static final Logger LOG = LoggerFactory.getLogger(ImageStaging.class);

  private final ImageRepository repository;
  private final ImageLookup lookup;
  private final Policy policy;
  private final StagingArea staging;
  private final Executor digestPool;
  private final ImageDataService.Settings settings;
  private final String selfUrl;
  private final boolean inspectAtStage;
  private final ImportQuotas quotas;

  /**
   * @param selfUrl recorded as {@code os_glance_stage_host}, or null
   * @param inspectAtStage whether staged data must already be the format it claims (not when a plugin such as
   *     image_decompression changes it before the import stores it)
   */
  public ImageStaging(ImageRepository repository, ImageLookup lookup, Policy policy, StagingArea staging,
      Executor digestPool, ImageDataService.Settings settings, String selfUrl, boolean inspectAtStage,
      ImportQuotas quotas) {
    this.repository = repository;
    this.lookup = lookup;
    this.policy = policy;
    this.staging = staging;
    this.digestPool = digestPool;
    this.settings = settings;
    this.selfUrl = selfUrl;
    this.inspectAtStage = inspectAtStage;
    this.quotas = quotas;
  }

  public Future<Image> stage(RequestContext ctx, String id, ImageDataService.Upload upload) {
    if (upload.contentLength() != null && upload.contentLength() > settings.imageSizeCap()) {
      return Future.failedFuture(ImageDataService.sizeCapExceeded(upload.contentLength()));
    }
    return lookup.visibleFresh(ctx, id)
        .compose(image -> {
          policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
          image.status().transitionTo(ImageStatus.UPLOADING); // else 409, InvalidImageTransition
          return quotas.beforeStage(ctx, image, upload.contentLength()).map(image);
        })
        .compose(image -> ImageDataService.clientStillThere(upload).map(image))
        .compose(image -> repository.markUploading(image.id()).compose(won -> {
          if (!won) {
            return Future.failedFuture(GlintException.conflict("Image status transition from " + image.status()
                + " to uploading is not allowed: another staging or change got there first."));
          }
          return write(image, upload);
        }));
  }

  private Future<Image> write(Image image, ImageDataService.Upload upload) {
    Context context = io.vertx.core.Vertx.currentContext();
    return staging.create(image.id()).compose(pending -> {
      UploadPump pump = new UploadPump(context, upload.body(), pending, settings.imageSizeCap(),
          ImageDataService::sizeCapExceeded, upload.declaredSize(), digestPool, settings.hashAlgo(),
          settings.jcaHashName(), inspectAtStage, settings.multiBuffer());
      upload.readyForBody().run();
      return pump.run()
          .map(received -> inspectAtStage ? ImageDataService.inspected(image, received, pump.inspection()) : received)
          .compose(received -> pending.commit().map(received))
          .compose(received -> repository.staged(image.id(), received.size(), selfUrl).compose(saved -> {
            if (saved.isPresent()) {
              LOG.info("Image {} staged: {} bytes", image.id(), received.size());
              return Future.succeededFuture(saved.get());
            }
            return pending.discard().transform(ar -> Future.<Image>failedFuture(new GlintException(Kind.GONE,
                "Image " + image.id() + " could not be found after staging. The image may have been deleted "
                    + "during the staging, cleaning up the staged data.")));
          }))
          .recover(failure -> abandon(image, pending, failure));
    }, failure -> unstage(image, failure));
  }

  private Future<Image> abandon(Image image, PendingData pending, Throwable failure) {
    if (failure instanceof GlintException g && g.kind() == Kind.GONE) {
      return Future.failedFuture(failure);
    }
    LOG.info("Staging of image {} failed ({}); removing staged data and restoring queued", image.id(),
        failure.toString());
    return pending.discard().transform(ar -> unstage(image, failure));
  }

  private Future<Image> unstage(Image image, Throwable failure) {
    return repository.unstage(image.id()).transform(ar -> {
      if (ar.failed()) {
        LOG.error("Could not restore image {} to queued: {}", image.id(), ar.cause().toString());
      }
      return Future.failedFuture(ImageDataService.translate(failure));
    });
  }
}
