package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.net.GuardedFetch;
import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.glint.store.ImageStore;
import io.glint.store.PendingData;
import io.glint.store.StoreRegistry;
import io.glint.task.Task;
import io.glint.task.TaskRepository;
import io.glint.task.TaskStatus;
import io.glint.transfer.FileSource;
import io.glint.transfer.UploadPump;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One import, run in the background on the node that accepted it (Glance's {@code api_image_import} flow): the
 * task goes processing; the data comes from the staging area (glance-direct), from a URL through the outbound
 * guard (web-download), from another region's Glance (glance-download: its formats and some of its properties are
 * copied first) or from the image's own store (copy-image); the import plugins run on it (not for
 * copy-image); it streams into each target store with md5, multihash and format inspection on the way, and
 * each store's copy is recorded under the import lock. The image becomes active (not copy-image, which leaves it
 * active), the staged data goes, the lock is dropped, the task succeeds. On any failure: data this import
 * placed is removed, the image goes back to queued (not copy-image), the stores move to
 * {@code os_glance_failed_import}, the staged data goes, the lock is dropped and the task fails with the reason.
 * Nothing here blocks an event loop: bytes move through {@link UploadPump}, files are read asynchronously.
 */
final class ImportJob {
  private static final Logger LOG = LoggerFactory.getLogger(ImportJob.class);
  private static final long MIB = 1L << 20;

  /** What every import needs, built once. */
  record Parts(Vertx vertx, ImageRepository repository, TaskRepository tasks, StoreRegistry stores,
      StagingArea staging, GuardedFetch fetch, Executor digestPool, ImageDataService.Settings settings,
      ImportPlugins plugins, int taskTimeToLiveHours, Duration progressInterval, Scrubber scrubber,
      List<String> glanceDownloadProperties) {}

  /** Bytes to import, opened once per target store. */
  private interface Source {
    Future<Opened> open();
  }

  /** An opened source: the paused stream, its length (-1 unknown), and how to give it up early. */
  record Opened(ReadStream<Buffer> stream, long length, Runnable abandon) {}

  /** The import failed for a reason to show in the task's message. */
  static final class ImportFailed extends RuntimeException {
    ImportFailed(String message) {
      super(message, null, false, false);
    }
  }

  private final Parts parts;
  private final Task task;
  private final ImportRequest request;
  private final List<String> targets;
  private final RequestContext caller;
  private final String imageId;
  private final boolean copy;
  private final List<String> added = new ArrayList<>();
  private final List<String> remaining;
  private Image image;
  private Context context;
  private boolean usesStaging;
  private String message = "";
  /** glance-download: the remote image, its client, and whether each store's copy is checked against it. */
  private GlanceDownload.RemoteImage remote;
  private GlanceDownload glanceDownload;
  private boolean verifyInStore;
  /** glance-download: how to undo the metadata copied from the remote image (Glance's _ImportMetadata.revert). */
  private UnaryOperator<Image.Builder> undoMetadata;

  ImportJob(Parts parts, Task task, Image image, ImportRequest request, List<String> targets, RequestContext caller) {
    this.parts = parts;
    this.task = task;
    this.image = image;
    this.request = request;
    this.targets = targets;
    this.caller = caller;
    this.imageId = image.id();
    this.copy = request.method().equals(ImportRequest.COPY_IMAGE);
    this.remaining = new ArrayList<>(targets);
  }

  /** Runs the import to its end; never fails (the task records how it ended). */
  Future<Void> run() {
    context = parts.vertx().getOrCreateContext();
    LOG.info("Import task {} of image {} ({}) started, to {}", task.id(), imageId, request.method(),
        targets.stream().map(t -> t == null ? parts.stores().defaultStore().id() : t).toList());
    return parts.tasks().transition(task.id(), TaskStatus.PENDING, TaskStatus.PROCESSING, "", null, null)
        .compose(moved -> moved ? source() : Future.failedFuture(new ImportFailed("The task is no longer pending.")))
        .compose(this::runPlugins)
        .compose(this::storeAll)
        .compose(v -> verifyActive())
        .compose(v -> succeed())
        .recover(this::fail);
  }

  // ------------------------------------------------------------------------------------------------ sources

  private Future<Source> source() {
    return switch (request.method()) {
      case ImportRequest.GLANCE_DIRECT -> {
        usesStaging = true;
        yield Future.succeededFuture(staged());
      }
      case ImportRequest.WEB_DOWNLOAD -> download(() -> parts.fetch().get(request.uri())
          .recover(e -> Future.failedFuture(new ImportFailed(e.getMessage()))));
      case ImportRequest.GLANCE_DOWNLOAD -> glanceDownload();
      case ImportRequest.COPY_IMAGE -> Future.succeededFuture(this::openExisting);
      default -> Future.failedFuture(new ImportFailed("Unknown import method " + request.method()));
    };
  }

  private Source staged() {
    return () -> parts.staging().open(imageId)
        .recover(e -> Future.failedFuture(new ImportFailed("The staged data of image " + imageId
            + " cannot be found on this node: " + e.getMessage())))
        .map(o -> new Opened(o.stream(), o.length(), () -> o.file().close()));
  }

  /**
   * glance-download: the remote image's metadata (active, its size), its disk and container formats and the
   * {@code extra_properties} copied onto the image under the lock, then its data as a web-download's.
   */
  private Future<Source> glanceDownload() {
    Map<?, ?> method = (Map<?, ?>) request.body().get("method");
    glanceDownload = new GlanceDownload(parts.fetch(), caller.token(), method, task.id());
    return glanceDownload.metadata(parts.glanceDownloadProperties())
        .compose(found -> {
          Image before = image;
          Map<String, String> old = new java.util.HashMap<>(before.properties());
          undoMetadata = b -> {
            for (String key : found.properties().keySet()) {
              if (old.containsKey(key)) {
                b.properties.put(key, old.get(key));
              } else {
                b.properties.remove(key);
              }
            }
            b.diskFormat = before.diskFormat();
            b.containerFormat = before.containerFormat();
            return b;
          };
          return changeImage(b -> {
            b.diskFormat = found.diskFormat();
            b.containerFormat = found.containerFormat();
            b.properties.putAll(found.properties());
            return b;
          }).map(found);
        })
        .compose(found -> {
          remote = found;
          return download(() -> glanceDownload.data());
        });
  }

  /**
   * web-download and glance-download: straight from the origin into the store when there is one target and no
   * plugin needs the data in a file; else downloaded to the staging area first (then read from there for each
   * store and plugin). A glance-download's data is checked against the remote image's size and digests as it
   * arrives (in the store, or in the staging area before any plugin changes it).
   */
  private Future<Source> download(java.util.function.Supplier<Future<GuardedFetch.Fetched>> fetch) {
    Source direct = () -> fetch.get().map(f -> new Opened(f.response(), f.length(), f::abandon));
    if (targets.size() == 1 && !parts.plugins().needsFile()) {
      verifyInStore = remote != null;
      return Future.succeededFuture(direct);
    }
    usesStaging = true;
    return parts.staging().create(imageId).compose(pending -> direct.open()
        .recover(e -> pending.discard().transform(ar -> Future.failedFuture(e)))
        .compose(opened -> {
      UploadPump pump = new UploadPump(context, opened.stream(), pending, parts.settings().imageSizeCap(),
          ImageDataService::sizeCapExceeded, null, parts.digestPool(), parts.settings().hashAlgo(),
          parts.settings().jcaHashName(), false, parts.settings().multiBuffer());
      return pump.run()
          .map(received -> {
            checkLength(received.size(), opened.length());
            if (remote != null) {
              glanceDownload.verify(remote, received);
            }
            return null;
          })
          .compose(v -> pending.commit())
          .recover(e -> {
            abandon(opened);
            return pending.discard().transform(ar -> Future.failedFuture(e));
          });
        })).map(v -> staged());
  }

  /** copy-image: the image's data in the default store if it has it there, else in any other store. */
  private Future<Opened> openExisting() {
    return parts.repository().locations(imageId).compose(locations -> {
      List<ImageLocation> ordered = new ArrayList<>();
      String preferred = parts.stores().defaultStore().id();
      locations.stream().filter(l -> preferred.equals(l.metadata().get("store"))).forEach(ordered::add);
      locations.stream().filter(l -> !ordered.contains(l)).forEach(ordered::add);
      return openFirst(ordered, 0);
    });
  }

  private Future<Opened> openFirst(List<ImageLocation> locations, int index) {
    if (index >= locations.size()) {
      return Future.failedFuture(new ImportFailed("Image not found in any configured store"));
    }
    ImageLocation location = locations.get(index);
    Optional<ImageStore> store = parts.stores().forLocation(location.url());
    if (store.isEmpty()) {
      return openFirst(locations, index + 1);
    }
    return store.get().open(location.url(), ByteRange.ALL).compose(data -> {
      if (data instanceof ImageData.FileRegion region) {
        return FileSource.open(parts.vertx(), region.path(), region.offset(), region.length())
            .map(o -> new Opened(o.stream(), o.length(), () -> o.file().close()));
      }
      ImageData.Stream stream = (ImageData.Stream) data;
      if (stream.relay() != null) {
        stream.relay().useStream();
      }
      return Future.succeededFuture(new Opened(stream.stream(), stream.length(), () -> {
        stream.abandon();
        if (stream.relay() != null) {
          stream.relay().close();
        }
      }));
    }).recover(e -> {
      LOG.warn("Image {} could not be read from {}: {}", imageId, location.url(), e.toString());
      return openFirst(locations, index + 1);
    });
  }

  private static void abandon(Opened opened) {
    try {
      opened.abandon().run();
    } catch (RuntimeException e) {
      LOG.debug("Source already closed: {}", e.toString());
    }
  }

  private Void checkLength(long received, long expected) {
    if (expected >= 0 && received != expected) {
      throw new ImportFailed("Task " + task.id() + " failed because downloaded data size " + received
          + " is different from expected " + expected);
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------------ plugins

  private Future<Source> runPlugins(Source source) {
    if (copy || parts.plugins().isEmpty()) {
      return Future.succeededFuture(source);
    }
    ImportPlugins.Step step = new ImportPlugins.Step(() -> image, caller,
        usesStaging ? parts.staging().path(imageId) : null, this::changeImage);
    return parts.plugins().run(step)
        .recover(e -> Future.failedFuture(e instanceof ImportFailed ? e : new ImportFailed(e.getMessage() == null
            ? e.toString() : e.getMessage())))
        .map(source);
  }

  /** A plugin's change to the image (properties, formats, size), saved under the lock. */
  private Future<Image> changeImage(UnaryOperator<Image.Builder> change) {
    return underLock(parts.repository(), imageId, task.id(), change).map(saved -> {
      image = saved;
      return saved;
    });
  }

  // ------------------------------------------------------------------------------------------------ stores

  private Future<Void> storeAll(Source source) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < targets.size(); i++) {
      String target = targets.get(i);
      boolean setActive = !copy && (!request.allStoresMustSucceed() || i == targets.size() - 1);
      chain = chain.compose(v -> storeOne(source, target, setActive).recover(e -> {
        if (request.allStoresMustSucceed()) {
          return Future.failedFuture(e);
        }
        LOG.warn("Import task {} of image {} failed for store {} but since all_stores_must_succeed is set to "
            + "false, continue: {}", task.id(), imageId, target, e.toString());
        remaining.remove(target);
        return underLock(parts.repository(), imageId, task.id(), b -> {
          List<String> named = target == null ? List.of() : List.of(target);
          ImageImports.mergeStores(b, ImageImports.IMPORTING, named, true);
          ImageImports.mergeStores(b, ImageImports.FAILED, named, false);
          return b;
        }).<Void>mapEmpty();
      }));
    }
    return chain;
  }

  private Future<Void> storeOne(Source source, String target, boolean setActive) {
    ImageStore store = target == null ? parts.stores().defaultStore() : parts.stores().byId(target).orElseThrow();
    return store.create(imageId).compose(pending -> source.open().compose(opened -> {
      UploadPump pump = new UploadPump(context, opened.stream(), pending, parts.settings().imageSizeCap(),
          ImageDataService::sizeCapExceeded, null, parts.digestPool(), parts.settings().hashAlgo(),
          parts.settings().jcaHashName(), true, parts.settings().multiBuffer());
      long timer = parts.vertx().setPeriodic(parts.progressInterval().toMillis(),
          t -> progress(pump.received()));
      return pump.run()
          .map(received -> {
            checkLength(received.size(), opened.length());
            ReceivedData inspected;
            try {
              inspected = ImageDataService.inspected(image, received, pump.inspection());
            } catch (GlintException e) {
              throw new ImportFailed(e.getMessage());
            }
            if (copy) {
              verifyCopy(inspected);
            }
            if (verifyInStore) {
              glanceDownload.verify(remote, inspected);
            }
            return inspected;
          })
          .compose(received -> pending.commit().map(received))
          .compose(received -> record(store, target, pending, received, setActive))
          .recover(e -> {
            abandon(opened);
            return pending.discard().transform(ar -> Future.<Void>failedFuture(e));
          })
          .eventually(() -> {
            parts.vertx().cancelTimer(timer);
            return Future.succeededFuture();
          });
    }, e -> pending.discard().transform(ar -> Future.failedFuture(e))));
  }

  /** Glance's {@code _verify_uploaded_data}: a copy must be the very data the image records. */
  private void verifyCopy(ReceivedData received) {
    if (image.size() != null && image.size() != received.size()) {
      throw new ImportFailed("size of uploaded data is different from current value set on the image.");
    }
    if (image.checksum() != null && !image.checksum().equals(received.checksum())) {
      throw new ImportFailed("checksum of uploaded data is different from current value set on the image.");
    }
    if (image.osHashValue() != null && image.osHashAlgo() != null
        && image.osHashAlgo().equals(received.hashAlgo()) && !image.osHashValue().equals(received.hashValue())) {
      throw new ImportFailed("os_hash_value of uploaded data is different from current value set on the image.");
    }
  }

  private Future<Void> record(ImageStore store, String target, PendingData pending, ReceivedData received,
      boolean setActive) {
    Map<String, Object> metadata = parts.stores().multiStore() ? Map.of("store", store.id()) : Map.of();
    return underLock(parts.repository(), imageId, task.id(), b -> {
      if (b.status == ImageStatus.DELETED || b.status == ImageStatus.PENDING_DELETE) {
        throw new ImportFailed("Image has been deleted, aborting import.");
      }
      b.size = received.size();
      b.checksum = received.checksum();
      b.osHashAlgo = received.hashAlgo();
      b.osHashValue = received.hashValue();
      if (received.virtualSize() != null) {
        b.virtualSize = received.virtualSize();
      }
      if (setActive && b.status != ImageStatus.ACTIVE) {
        b.status = b.status.transitionTo(ImageStatus.ACTIVE);
      }
      if (target != null) {
        ImageImports.mergeStores(b, ImageImports.IMPORTING, List.of(target), true);
      }
      return b;
    }, pending.location(), metadata).map(saved -> {
      image = saved;
      added.add(pending.location());
      remaining.remove(target);
      progress(received.size());
      LOG.info("Import task {} of image {}: {} bytes in store {}, md5 {}", task.id(), imageId, received.size(),
          store.id(), received.checksum());
      return null;
    });
  }

  private void progress(long bytes) {
    String next = "Copied " + (bytes / MIB) + " MiB";
    message = next;
    parts.tasks().progress(task.id(), next)
        .onFailure(e -> LOG.debug("Progress of task {} not recorded: {}", task.id(), e.toString()));
  }

  private Future<Void> verifyActive() {
    if (copy) {
      return Future.succeededFuture();
    }
    return parts.repository().findFresh(imageId).compose(found -> found.isPresent()
        && found.get().status() == ImageStatus.ACTIVE
        ? Future.succeededFuture() : Future.failedFuture(new ImportFailed("None of the uploads finished!")));
  }

  // ------------------------------------------------------------------------------------------------ endings

  private Future<Void> succeed() {
    return dropStaging()
        .compose(v -> underLock(parts.repository(), imageId, task.id(), b -> {
          b.properties.remove(ImageImports.LOCK);
          return b;
        }))
        .compose(saved -> parts.tasks().transition(task.id(), TaskStatus.PROCESSING, TaskStatus.SUCCESS, message,
            Map.of("image_id", imageId), expiry(parts)))
        .map(v -> {
          LOG.info("Import task {} of image {} succeeded", task.id(), imageId);
          return null;
        });
  }

  private Future<Void> fail(Throwable failure) {
    String reason = failure instanceof ImportFailed || failure instanceof GlintException
        || failure instanceof GuardedFetch.FetchFailed ? failure.getMessage() : failure.toString();
    LOG.warn("Import task {} of image {} failed: {}", task.id(), imageId, reason);
    Future<Void> undone = undoMetadata == null ? Future.succeededFuture()
        : underLock(parts.repository(), imageId, task.id(), undoMetadata).<Void>mapEmpty().recover(e -> {
          LOG.warn("Import task {} could not undo the metadata copied to image {}: {}", task.id(), imageId,
              e.toString());
          return Future.succeededFuture();
        });
    return undone.compose(v -> revert(parts, task.id(), imageId, copy, added, remaining))
        .transform(ar -> {
          if (ar.failed()) {
            LOG.warn("Import task {} could not put image {} back: {}", task.id(), imageId, ar.cause().toString());
          }
          return usesStaging ? dropStaging() : Future.<Void>succeededFuture();
        })
        .transform(ar -> parts.tasks().find(task.id()))
        .compose(found -> found.isEmpty() || found.get().status().finished() ? Future.succeededFuture(false)
            : parts.tasks().transition(task.id(), found.get().status(), TaskStatus.FAILURE, reason, null,
                expiry(parts)))
        .transform(ar -> Future.<Void>succeededFuture());
  }

  private Future<Void> dropStaging() {
    if (!usesStaging) {
      return Future.succeededFuture();
    }
    return parts.staging().delete(imageId).recover(e -> {
      LOG.warn("Staged data of image {} could not be removed: {}", imageId, e.toString());
      return Future.succeededFuture();
    });
  }

  /**
   * Puts an image back after a failed (or interrupted) import under task {@code taskId}: the locations it added
   * go with their data; not for copy-image, the image goes back to queued without data; the stores left go to
   * {@code os_glance_failed_import}; the lock is dropped. Nothing when the task no longer holds the lock.
   */
  static Future<Void> revert(Parts parts, String taskId, String imageId, boolean copy, List<String> addedUrls,
      List<String> remaining) {
    ImageRepository repository = parts.repository();
    return repository.findFresh(imageId).compose(found -> {
      if (found.isEmpty() || !taskId.equals(found.get().properties().get(ImageImports.LOCK))) {
        return Future.succeededFuture();
      }
      Image current = found.get();
      return repository.locations(imageId).compose(locations -> {
        List<ImageLocation> kept = new ArrayList<>();
        for (ImageLocation l : locations) {
          if (!(copy ? addedUrls.contains(l.url()) : true)) {
            kept.add(l);
          }
        }
        Image.Builder b = current.toBuilder();
        b.properties.remove(ImageImports.LOCK);
        List<String> named = remaining.stream().filter(s -> s != null).toList();
        ImageImports.mergeStores(b, ImageImports.IMPORTING, named, true);
        ImageImports.mergeStores(b, ImageImports.FAILED, named, false);
        if (!copy) {
          b.status = current.status() == ImageStatus.ACTIVE ? ImageStatus.ACTIVE : ImageStatus.QUEUED;
          if (b.status == ImageStatus.QUEUED) {
            b.size = null;
            b.checksum = null;
            b.osHashAlgo = null;
            b.osHashValue = null;
            b.virtualSize = null;
            kept.clear();
          }
        }
        b.updatedAt = ImageUpdater.later(current.updatedAt());
        return repository.updateWithLocations(b.build(), current.updatedAt(), kept).compose(update -> {
          if (update.isEmpty()) {
            return revert(parts, taskId, imageId, copy, addedUrls, remaining); // changed meanwhile: again
          }
          return parts.scrubber().remove(update.get().removed());
        });
      });
    });
  }

  /**
   * Fails a task that a stopped node left pending or processing, and puts its image back as a failed import
   * would: a copy keeps the copies it recorded; data it placed but did not record, and staged data, go.
   */
  static Future<Void> recover(Parts parts, Task task) {
    Object req = task.input() == null ? null : task.input().get("import_req");
    Object method = req instanceof Map<?, ?> m && m.get("method") instanceof Map<?, ?> mm ? mm.get("name") : null;
    boolean copy = ImportRequest.COPY_IMAGE.equals(method);
    String imageId = task.imageId();
    List<String> stores = ImageImports.storesOf(task);
    String reason = "Import interrupted: the node running it stopped before it finished.";
    LOG.warn("Task {} of image {} was left {} by a node that stopped; failing it", task.id(), imageId, task.status());
    Future<Void> image = imageId == null ? Future.succeededFuture()
        : parts.repository().locations(imageId).compose(locations -> {
          List<String> remaining = new ArrayList<>();
          List<String> held = new ArrayList<>();
          locations.forEach(l -> held.add(String.valueOf(l.metadata().get("store"))));
          for (String s : stores) {
            if (!copy || !held.contains(s)) {
              remaining.add(s);
            }
          }
          if (stores.isEmpty()) {
            remaining.add(null);
          }
          return revert(parts, task.id(), imageId, copy, List.of(), remaining)
              .compose(v -> parts.repository().locations(imageId))
              .compose(after -> {
                Future<Void> chain = Future.succeededFuture();
                for (ImageStore store : parts.stores().all()) {
                  boolean holds = after.stream().anyMatch(l -> store.owns(l.url()));
                  if (!holds && store.capabilities().writable()) {
                    chain = chain.compose(v -> store.discardInterrupted(imageId));
                  }
                }
                return chain;
              })
              .compose(v -> copy ? Future.succeededFuture() : parts.staging().delete(imageId));
        });
    return image.transform(ar -> {
      if (ar.failed()) {
        LOG.warn("Image {} of interrupted task {} could not be put back: {}", imageId, task.id(), ar.cause().toString());
      }
      return parts.tasks().transition(task.id(), task.status(), TaskStatus.FAILURE, reason, null, expiry(parts));
    }).mapEmpty();
  }

  static Instant expiry(Parts parts) {
    return ImageUpdater.now().plus(Duration.ofHours(parts.taskTimeToLiveHours()));
  }

  /** Saves a change to the image while {@code taskId} holds its import lock; fails when it does not any more. */
  static Future<Image> underLock(ImageRepository repository, String imageId, String taskId,
      UnaryOperator<Image.Builder> change) {
    return underLock(repository, imageId, taskId, change, null, Map.of());
  }

  static Future<Image> underLock(ImageRepository repository, String imageId, String taskId,
      UnaryOperator<Image.Builder> change, String location, Map<String, Object> metadata) {
    return underLock(repository, imageId, taskId, change, location, metadata, 1);
  }

  private static Future<Image> underLock(ImageRepository repository, String imageId, String taskId,
      UnaryOperator<Image.Builder> change, String location, Map<String, Object> metadata, int attempt) {
    return repository.findFresh(imageId).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new ImportFailed("Image has been deleted, aborting import."));
      }
      Image current = found.get();
      if (!taskId.equals(current.properties().get(ImageImports.LOCK))) {
        return Future.failedFuture(new ImportFailed("Image " + imageId + " import task " + taskId
            + " lost its lock to " + current.properties().get(ImageImports.LOCK) + "; aborting."));
      }
      Image.Builder b = change.apply(current.toBuilder());
      b.updatedAt = ImageUpdater.later(current.updatedAt());
      return repository.saveAll(b.build(), current.updatedAt(), location, metadata).compose(saved -> {
        if (saved.isPresent()) {
          return Future.succeededFuture(saved.get());
        }
        if (attempt >= 64) {
          return Future.failedFuture(new ImportFailed("Image " + imageId + " kept changing; aborting."));
        }
        return underLock(repository, imageId, taskId, change, location, metadata, attempt + 1);
      });
    });
  }
}
