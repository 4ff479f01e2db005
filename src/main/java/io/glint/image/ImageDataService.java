package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.cache.CachedIdentity;
import io.glint.cache.ImageCache;
import io.glint.error.GlintException;
import io.glint.error.GlintException.Kind;
import io.glint.event.DomainEvent;
import io.glint.event.DomainEvents;
import io.glint.event.EventFailure;
import io.glint.event.EventType;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.glint.store.ImageStore;
import io.glint.store.PendingData;
import io.glint.store.StoreException;
import io.glint.store.StoreRegistry;
import io.glint.transfer.UploadPump;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image data use cases: upload (Glance's {@code image_data.upload}) and download. The upload is a chain of
 * compare-and-set steps: queued → saving, stream into the store, commit the data, saving → active with size,
 * digests and location. Any failure removes the data and returns the image to queued; an image deleted during
 * the upload gets its data removed and the caller a 410.
 */
public final class ImageDataService {
  private static final Logger LOG = LoggerFactory.getLogger(ImageDataService.class);

  /** Limits and digest settings of uploads. */
  public record Settings(long imageSizeCap, long userStorageQuota, String hashAlgo, String jcaHashName,
      io.glint.digest.MultiBufferDigests multiBuffer) {}

  /**
   * An upload request: the paused body, its declared length (Content-Length), declared size header and, in
   * multi-store mode, the store asked for ({@code X-Image-Meta-Store}, null for the default).
   */
  public record Upload(ReadStream<Buffer> body, Long contentLength, Long declaredSize, String store,
      Runnable readyForBody, java.util.function.Supplier<Throwable> clientGone) {}

  /**
   * A download: the image, the bytes to send, for a partial response the range, the store it comes from, and what
   * to call once the sending ended (with whether it succeeded).
   */
  public record Download(Image image, ImageData data, ByteRange range, String store,
      java.util.function.Consumer<Boolean> sent) {
    public Download(Image image, ImageData data, ByteRange range, String store) {
      this(image, data, range, store, ok -> { });
    }
  }

  private final ImageRepository repository;
  private final ImageLookup lookup;
  private final Policy policy;
  private final DomainEvents events;
  private final StoreRegistry stores;
  private final Executor digestPool;
  private final Settings settings;
  private ImportQuotas quotas = ImportQuotas.off();
  private ImageCache cache;

  public ImageDataService(ImageRepository repository, ImageLookup lookup, Policy policy, DomainEvents events,
      StoreRegistry stores, Executor digestPool, Settings settings) {
    this.repository = repository;
    this.lookup = lookup;
    this.policy = policy;
    this.events = events;
    this.stores = stores;
    this.digestPool = digestPool;
    this.settings = settings;
  }

  /** Glint's per-project limits: {@code image_size_total} and {@code image_count_uploading} on upload. */
  public ImageDataService withQuotas(ImportQuotas limits) {
    this.quotas = limits;
    return this;
  }

  /** The node's image cache, which downloads of images in stores that are not local files go through. */
  public ImageDataService withCache(ImageCache imageCache) {
    this.cache = imageCache;
    return this;
  }

  /** {@code PUT /v2/images/{id}/file}. Completes when the image is active with its data. */
  /** The id of the store an upload asking for {@code requested} (X-Image-Meta-Store, may be null) writes to. */
  public String storeFor(String requested) {
    if (stores.multiStore() && requested != null) {
      return stores.byId(requested).map(ImageStore::id).orElse(requested);
    }
    return stores.defaultStore().id();
  }

  public Future<Image> upload(RequestContext ctx, String id, Upload upload) {
    if (upload.contentLength() != null && upload.contentLength() > settings.imageSizeCap()) {
      return Future.failedFuture(sizeCapExceeded(upload.contentLength()));
    }
    ImageStore store = stores.defaultStore();
    if (stores.multiStore() && upload.store() != null) {
      store = stores.byId(upload.store()).orElse(null);
      if (store == null) {
        return Future.failedFuture(GlintException.badRequest("Store for identifier " + upload.store()
            + " not found"));
      }
    }
    ImageStore target = store;
    Future<Image> uploaded = loadForUpload(ctx, id)
        .compose(image -> quotas.beforeUpload(image.owner(), upload.contentLength()).map(image))
        .compose(image -> uploadLimit(image, upload).compose(limit -> clientStillThere(upload).map(limit))
            .compose(limit -> markSaving(image)
            .compose(v -> {
              prepared(ctx, image);
              return writeData(image, upload, limit, target)
                  .onFailure(e -> events.publish(DomainEvent.of(EventType.IMAGE_UPLOAD, id, new EventFailure(
                      "Failed to upload image data for image " + id + ": " + translate(e).getMessage()), ctx)));
            })));
    return events.announce(uploaded, EventType.IMAGE_UPLOAD, id, ctx)
        .andThen(ar -> {
          if (ar.succeeded()) {
            events.publish(DomainEvent.of(EventType.IMAGE_ACTIVATE, id, ar.result(), ctx));
            events.publish(DomainEvent.of(EventType.IMAGE_UPDATE, id, ar.result(), ctx));
          }
        });
  }

  /** As Glance: the image saved in saving ({@code image.update}), then {@code image.prepare} before the data. */
  private void prepared(RequestContext ctx, Image image) {
    Image.Builder saving = image.toBuilder();
    saving.status = ImageStatus.SAVING;
    saving.updatedAt = java.time.Instant.now();
    Image subject = saving.build();
    events.publish(DomainEvent.of(EventType.IMAGE_UPDATE, image.id(), subject, ctx));
    events.publish(DomainEvent.of(EventType.IMAGE_PREPARE, image.id(), subject, ctx));
  }

  /**
   * A download ended after {@code bytesSent} of the {@code expected} body bytes: Glance's {@code image.send} (ERROR
   * priority when short).
   */
  public void sent(RequestContext ctx, Image image, long bytesSent, long expected, String destinationIp) {
    events.publish(DomainEvent.of(EventType.IMAGE_SEND, image.id(), new ImageSent(image, bytesSent, expected,
        destinationIp), ctx));
  }

  private Future<Image> loadForUpload(RequestContext ctx, String id) {
    return lookup.visibleFresh(ctx, id).compose(image -> {
      policy.enforce(ctx, Action.UPLOAD_IMAGE, Target.of(image), "Not allowed to upload image data for image " + id);
      image.status().transitionTo(ImageStatus.SAVING); // else 409, InvalidImageTransition
      if (image.status().needsFormatsFor(ImageStatus.SAVING)) {
        requireFormats(image);
      }
      return Future.succeededFuture(image);
    });
  }

  static void requireFormats(Image image) {
    List<String> missing = new java.util.ArrayList<>();
    if (image.diskFormat() == null) {
      missing.add("disk_format");
    }
    if (image.containerFormat() == null) {
      missing.add("container_format");
    }
    if (!missing.isEmpty()) {
      throw GlintException.badRequest((missing.size() == 1 ? "Property " : "Properties ")
          + String.join(", ", missing) + " must be set prior to saving data.");
    }
  }

  /** The most bytes this upload may bring: {@code image_size_cap}, and what is left of the storage quota. */
  private Future<Long> uploadLimit(Image image, Upload upload) {
    long cap = settings.imageSizeCap();
    if (settings.userStorageQuota() <= 0 || image.owner() == null) {
      return Future.succeededFuture(cap);
    }
    return repository.storageUsed(image.owner(), image.id()).map(used -> {
      long remaining = Math.max(0, settings.userStorageQuota() - used);
      if (upload.contentLength() != null && upload.contentLength() > remaining) {
        throw quotaExceeded(upload.contentLength(), remaining);
      }
      return Math.min(cap, remaining);
    });
  }

  /** A client that left while the upload was being checked: no need to flip the image to saving at all. */
  static Future<Void> clientStillThere(Upload upload) {
    Throwable gone = upload.clientGone().get();
    if (gone != null) {
      return Future.failedFuture(new io.vertx.core.http.HttpClosedException(
          "The client left before the upload began: " + gone));
    }
    return Future.succeededFuture();
  }

  private Future<Void> markSaving(Image image) {
    return repository.markSaving(image.id()).map(won -> {
      if (!won) {
        throw GlintException.conflict("Image status transition from " + image.status()
            + " to saving is not allowed: another upload or change got there first.");
      }
      return null;
    });
  }

  private Future<Image> writeData(Image image, Upload upload, long limit, ImageStore store) {
    Context context = io.vertx.core.Vertx.currentContext();
    long expectedSize = upload.contentLength() != null ? upload.contentLength() : -1;
    return store.create(image.id(), expectedSize).compose(pending -> {
      UploadPump pump = new UploadPump(context, upload.body(), pending, limit,
          received -> limit < settings.imageSizeCap() ? quotaExceeded(received, limit) : sizeCapExceeded(received),
          upload.declaredSize(), digestPool, settings.hashAlgo(), settings.jcaHashName(), true,
          settings.multiBuffer());
      upload.readyForBody().run();
      return pump.run()
          .map(received -> inspected(image, received, pump.inspection()))
          .compose(received -> pending.commit().map(received))
          .compose(received -> markActive(image, received, pending, store))
          .recover(failure -> abandon(image, pending, failure));
    }, failure -> restoreAndFail(image, failure));
  }

  /**
   * The data as the format inspector saw it go by: its virtual size, or 415 with Glance's message when it is not
   * the disk_format it claims or fails the safety checks (a qcow2 backing file or external data file).
   */
  static ReceivedData inspected(Image image, ReceivedData received, io.glint.format.FormatInspector.Result result) {
    if (result == null) {
      return received;
    }
    try {
      return received.withVirtualSize(io.glint.format.FormatCheck.verdict(image.diskFormat(),
          image.containerFormat(), result));
    } catch (io.glint.format.FormatCheck.Refused e) {
      LOG.warn("Data of image {} refused: {} (inspected as {}{})", image.id(), e.getMessage(), result.format(),
          result.unsafeReason() == null ? "" : ", " + result.unsafeReason());
      throw GlintException.unsupportedMediaType(e.getMessage());
    }
  }

  private Future<Image> markActive(Image image, ReceivedData received, PendingData pending, ImageStore store) {
    Map<String, Object> metadata = stores.multiStore() ? Map.of("store", store.id()) : Map.of();
    return repository.markActive(image.id(), received, pending.location(), metadata)
        .compose(saved -> {
          if (saved.isPresent()) {
            LOG.info("Image {} uploaded: {} bytes, md5 {}", image.id(), received.size(), received.checksum());
            return Future.succeededFuture(saved.get());
          }
          LOG.warn("Image {} could not be found after upload; it was deleted during the upload. Removing its data.",
              image.id());
          return pending.discard().transform(ar -> Future.failedFuture(new GlintException(Kind.GONE,
              "Image " + image.id() + " could not be found after upload. The image may have been deleted during the "
                  + "upload, cleaning up the chunks uploaded.")));
        });
  }

  private Future<Image> abandon(Image image, PendingData pending, Throwable failure) {
    if (failure instanceof GlintException g && g.kind() == Kind.GONE) {
      return Future.failedFuture(failure);
    }
    LOG.info("Upload of image {} failed ({}); removing partial data and restoring queued", image.id(),
        failure.toString());
    return pending.discard()
        .transform(ar -> {
          if (ar.failed()) {
            LOG.warn("Could not remove partial data of image {}: {}", image.id(), ar.cause().toString());
          }
          return restoreAndFail(image, failure);
        });
  }

  private Future<Image> restoreAndFail(Image image, Throwable failure) {
    return repository.restoreQueued(image.id())
        .transform(ar -> {
          if (ar.failed()) {
            LOG.error("Could not restore image {} to queued: {}", image.id(), ar.cause().toString());
          }
          return Future.failedFuture(translate(failure));
        });
  }

  static Throwable translate(Throwable failure) {
    if (failure instanceof StoreException s) {
      return switch (s.reason()) {
        case STORAGE_FULL -> GlintException.tooLarge("Image storage media is full: " + s.getMessage());
        case WRITE_DENIED -> new GlintException(Kind.UNAVAILABLE,
            "Insufficient permissions on image storage media: " + s.getMessage());
        case ADD_DISABLED -> new GlintException(Kind.GONE,
            "Error in store configuration. Adding images to store is disabled.");
        default -> new GlintException(Kind.UNAVAILABLE, s.getMessage());
      };
    }
    return failure;
  }

  static GlintException sizeCapExceeded(long attempted) {
    return GlintException.tooLarge("The incoming image is too large: image size " + attempted
        + " exceeds the image size cap (image_size_cap).");
  }

  static GlintException quotaExceeded(long attempted, long remaining) {
    return GlintException.tooLarge("Image exceeds the storage quota: The size of the data " + attempted
        + " will exceed the limit. " + remaining + " bytes remaining.");
  }

  /** {@code GET /v2/images/{id}/file}: empty when the image has no data (Glance answers 204). */
  public Future<java.util.Optional<Download>> download(RequestContext ctx, Image image, String rangeHeader,
      String contentRangeHeader) {
    if (!policy.allows(ctx, Action.DOWNLOAD_IMAGE, Target.of(image))) {
      return Future.failedFuture(GlintException.forbidden(image.status() == ImageStatus.DEACTIVATED && !ctx.admin()
          ? "The requested image has been deactivated. Image data download is forbidden."
          : "You are not authorized to complete download_image action."));
    }
    if (image.size() == null || !image.status().servesData()) {
      return Future.succeededFuture(java.util.Optional.empty());
    }
    ByteRange range;
    try {
      range = Ranges.parse(rangeHeader, contentRangeHeader, image.size());
    } catch (GlintException e) {
      return Future.failedFuture(e);
    }
    return repository.locationsForRead(image.id()).compose(locations -> {
      Optional<Download> cached = throughCache(image, locations, range);
      return cached != null ? Future.succeededFuture(cached) : open(image, locations, range, 0);
    });
  }

  /**
   * The download through the image cache, when there is one and the image's data is in a store that does not
   * serve local files (byte ranges are then served from the cache whatever the store can do); null when the
   * download goes to the store directly.
   */
  private Optional<Download> throughCache(Image image, List<ImageLocation> locations, ByteRange range) {
    if (cache == null || image.status() != ImageStatus.ACTIVE) {
      return null;
    }
    CachedSource source = cacheSource(image, locations);
    if (source == null) {
      return null;
    }
    return cache.serve(image.id(), source.identity(), range, () -> source.store().open(source.location(),
            ByteRange.ALL).recover(e -> Future.failedFuture(translate(e))))
        .map(served -> Optional.of(new Download(image, served.data(), range, source.store().id(), served.sent())))
        .orElse(null);
  }

  /** Where a cache fill of an image reads from, and what it will hold. */
  private record CachedSource(ImageStore store, String location, CachedIdentity identity) {}

  /** The image's first location in a configured store, if that store is one the cache goes in front of. */
  private CachedSource cacheSource(Image image, List<ImageLocation> locations) {
    if (image.size() == null) {
      return null;
    }
    for (ImageLocation location : locations) {
      ImageStore store = stores.forLocation(location.url()).orElse(null);
      if (store != null) {
        if (store.servesLocalFiles()) {
          return null;
        }
        return new CachedSource(store, location.url(), new CachedIdentity(image.size(), image.checksum(),
            image.osHashAlgo(), image.osHashValue(), location.url()));
      }
    }
    return null;
  }

  /**
   * What the cache may hold for an image now (its size, digests and the location it is read from), as the
   * database has it; empty when the image is gone, not active, or not in a cached store.
   */
  public Future<Optional<CachedIdentity>> cacheIdentity(String imageId) {
    return repository.findFresh(imageId).compose(found -> {
      if (found.isEmpty() || found.get().status() != ImageStatus.ACTIVE) {
        return Future.succeededFuture(Optional.<CachedIdentity>empty());
      }
      return repository.locations(imageId).map(locations -> {
        CachedSource source = cacheSource(found.get(), locations);
        return Optional.ofNullable(source == null ? null : source.identity());
      });
    });
  }

  /**
   * Fills the cache with an image (the prefetcher): done when it is cached, or when there is nothing to cache
   * (an image in a store of local files); fails when the image is gone or not active, or the fill fails.
   */
  public Future<Void> prefetch(String imageId) {
    if (cache == null) {
      return Future.failedFuture("the image cache is off");
    }
    return repository.findFresh(imageId).compose(found -> {
      if (found.isEmpty() || found.get().status() != ImageStatus.ACTIVE) {
        return Future.failedFuture("image " + imageId + " is not an active image");
      }
      Image image = found.get();
      return repository.locations(imageId).compose(locations -> {
        CachedSource source = cacheSource(image, locations);
        if (source == null) {
          LOG.info("Image {} is not cached: its data is not in a store the cache is for", imageId);
          return Future.succeededFuture();
        }
        return cache.prefetch(imageId, source.identity(), () -> source.store().open(source.location(),
            ByteRange.ALL));
      });
    });
  }

  private Future<java.util.Optional<Download>> open(Image image, List<ImageLocation> locations, ByteRange range,
      int index) {
    if (index >= locations.size()) {
      return Future.succeededFuture(java.util.Optional.empty());
    }
    ImageLocation location = locations.get(index);
    ImageStore store = stores.forLocation(location.url()).orElse(null);
    if (store == null) {
      LOG.warn("No configured store serves location {} of image {}", location.url(), image.id());
      return open(image, locations, range, index + 1);
    }
    if (!range.isAll() && !store.capabilities().ranges()) {
      return Future.failedFuture(GlintException.badRequest("Store " + store.id() + " cannot serve byte ranges."));
    }
    return store.open(location.url(), range)
        .map(data -> java.util.Optional.of(new Download(image, data, range, store.id())))
        .recover(e -> {
          if (e instanceof StoreException s && s.reason() == StoreException.Reason.NOT_FOUND) {
            LOG.warn("Data of image {} missing at {}", image.id(), location.url());
            return open(image, locations, range, index + 1);
          }
          return Future.failedFuture(translate(e));
        });
  }
}
