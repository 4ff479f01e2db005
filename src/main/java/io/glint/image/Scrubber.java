package io.glint.image;

import io.glint.store.StoreRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the data of deleted images (Glance's scrubber, in-process). A delete marks the image's locations
 * pending_delete in the same transaction that deletes the image; their data is then removed at once, or, with
 * {@code delayed_delete}, by the periodic {@link #scrub()} once {@code scrub_time} has passed. A removal that
 * fails (store down, crash) stays pending and is retried by the next scrub, so no data leaks for good.
 */
public final class Scrubber {
  private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);
  private static final int BATCH = 100;

  private final ImageRepository repository;
  private final StoreRegistry stores;
  private final Duration scrubTime;

  public Scrubber(ImageRepository repository, StoreRegistry stores, Duration scrubTime) {
    this.repository = repository;
    this.stores = stores;
    this.scrubTime = scrubTime;
  }

  /** Removes the data at these locations now, recording each success. Never fails: failures stay pending. */
  public Future<Void> remove(List<ImageLocation> locations) {
    Future<Void> chain = Future.succeededFuture();
    for (ImageLocation location : locations) {
      chain = chain.compose(v -> removeOne(location));
    }
    return chain;
  }

  private Future<Void> removeOne(ImageLocation location) {
    var store = stores.forLocation(location.url());
    if (store.isEmpty()) {
      LOG.warn("No store for location {} of deleted image {}; leaving it pending", location.url(), location.imageId());
      return Future.succeededFuture();
    }
    return store.get().delete(location.url())
        .compose(v -> repository.locationDeleted(location))
        .onSuccess(v -> LOG.debug("Removed data of image {} at {}", location.imageId(), location.url()))
        .recover(e -> {
          LOG.warn("Could not remove data of image {} at {}: {}; the scrubber will retry", location.imageId(),
              location.url(), e.toString());
          return Future.succeededFuture();
        });
  }

  /** One scrubber pass: removes the data of images deleted at least {@code scrub_time} ago. */
  public Future<Integer> scrub() {
    return repository.pendingDeletes(Instant.now().minus(scrubTime), BATCH)
        .compose(pending -> remove(pending).map(v -> pending.size()))
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("Scrubber removed the data of {} location(s)", n);
          }
        });
  }
}
