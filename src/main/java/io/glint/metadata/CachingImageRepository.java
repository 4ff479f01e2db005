package io.glint.metadata;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.glint.auth.RequestContext;
import io.glint.image.Image;
import io.glint.image.ImageLocation;
import io.glint.image.ImageQuery;
import io.glint.image.ImageRepository;
import io.glint.image.ImageStatus;
import io.glint.image.ReceivedData;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A cache of hot image rows and of their locations for reads by id, in front of the plain PostgreSQL repository
 * (a decorator: the repository itself knows nothing of it). Writes made through this node evict before and after
 * they run; changes made elsewhere (another node, an operator's SQL) are announced by the database
 * ({@link ImageChangeListener}) and evict on arrival ({@link #changedElsewhere}). Entries also expire after
 * {@link #TTL}, the bound on staleness while the announcements are not arriving.
 */
public final class CachingImageRepository implements ImageRepository {
  static final Duration TTL = Duration.ofSeconds(2);

  private final PgImageRepository delegate;
  private final Cache<String, Image> images = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).build();
  private final Cache<String, List<ImageLocation>> locations =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).build();
  /** Bumped by every eviction: a read that overlapped one is not cached (it may predate the change). */
  private final AtomicLong invalidations = new AtomicLong();

  public CachingImageRepository(PgImageRepository delegate) {
    this.delegate = delegate;
  }

  // ------------------------------------------------------------------------------------------- cached reads

  @Override
  public Future<Optional<Image>> find(String id) {
    Image cached = images.getIfPresent(id);
    if (cached != null) {
      return Future.succeededFuture(Optional.of(cached));
    }
    long generation = invalidations.get();
    return delegate.findFresh(id).onSuccess(found -> found.ifPresent(image -> {
      if (invalidations.get() == generation) { // else the row may have changed while it was being read
        images.put(image.id(), image);
      }
    }));
  }

  @Override
  public Future<List<ImageLocation>> locationsForRead(String imageId) {
    List<ImageLocation> cached = locations.getIfPresent(imageId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long generation = invalidations.get();
    return delegate.locations(imageId).onSuccess(found -> {
      if (invalidations.get() == generation) {
        locations.put(imageId, List.copyOf(found));
      }
    });
  }

  // ------------------------------------------------------------------------------------------- evicting writes

  @Override
  public Future<Optional<Image>> update(Image image, Instant expectedUpdatedAt) {
    return evicting(image.id(), () -> delegate.update(image, expectedUpdatedAt));
  }

  @Override
  public Future<Boolean> markDeleted(String id, ImageStatus expectedStatus, ImageStatus target) {
    return evicting(id, () -> delegate.markDeleted(id, expectedStatus, target));
  }

  @Override
  public Future<Optional<LocationUpdate>> updateWithLocations(Image image, Instant expectedUpdatedAt,
      List<ImageLocation> newLocations) {
    return evicting(image.id(), () -> delegate.updateWithLocations(image, expectedUpdatedAt, newLocations));
  }

  @Override
  public Future<Boolean> markSaving(String id) {
    return evicting(id, () -> delegate.markSaving(id));
  }

  @Override
  public Future<Optional<Image>> markActive(String id, ReceivedData data, String location,
      Map<String, Object> metadata) {
    return evicting(id, () -> delegate.markActive(id, data, location, metadata));
  }

  @Override
  public Future<Boolean> markUploading(String id) {
    return evicting(id, () -> delegate.markUploading(id));
  }

  @Override
  public Future<Optional<Image>> staged(String id, long size, String stageHost) {
    return evicting(id, () -> delegate.staged(id, size, stageHost));
  }

  @Override
  public Future<Boolean> unstage(String id) {
    return evicting(id, () -> delegate.unstage(id));
  }

  @Override
  public Future<Optional<Image>> saveAll(Image image, Instant expectedUpdatedAt, String location,
      Map<String, Object> metadata) {
    return evicting(image.id(), () -> delegate.saveAll(image, expectedUpdatedAt, location, metadata));
  }

  @Override
  public Future<Boolean> restoreQueued(String id) {
    return evicting(id, () -> delegate.restoreQueued(id));
  }

  @Override
  public Future<Void> locationDeleted(ImageLocation location) {
    return evicting(location.imageId(), () -> delegate.locationDeleted(location));
  }

  @Override
  public Future<List<String>> recoverSaving(boolean ownToo, Duration silence) {
    return delegate.recoverSaving(ownToo, silence).onSuccess(ids -> ids.forEach(this::evict));
  }

  /** Evicts the image before a write (no read may be cached across it) and after it, whatever its outcome. */
  private <T> Future<T> evicting(String id, Supplier<Future<T>> write) {
    evict(id);
    return write.get().onComplete(ar -> evict(id));
  }

  /** An image changed, as announced by the database ({@code "*"}: any image may have): its entries go. */
  void changedElsewhere(String id) {
    if ("*".equals(id)) {
      invalidateAll();
    } else {
      evict(id);
    }
    for (java.util.function.Consumer<String> listener : changeListeners) {
      listener.accept(id);
    }
  }

  private final java.util.List<java.util.function.Consumer<String>> changeListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Also tells {@code listener} of every image change the database announces (an image id, or {@code "*"} when
   * any may have changed), after the rows cached here were dropped: the image cache evicts what became stale.
   */
  public void onChange(java.util.function.Consumer<String> listener) {
    changeListeners.add(listener);
  }

  /**
   * A number that changes with every change to any image or member made through this node (before and after
   * the write) and with every change the database announces: a result computed while it kept its value is still
   * current. The list cache keys its pages on it.
   */
  public long generation() {
    return invalidations.get();
  }

  /** A change that is not an image write of this repository's (a member added, updated or removed). */
  public void changed(String imageId) {
    evict(imageId);
  }

  /** Forgets everything cached. */
  public void invalidateAll() {
    invalidations.incrementAndGet();
    images.invalidateAll();
    locations.invalidateAll();
  }

  private void evict(String id) {
    invalidations.incrementAndGet();
    images.invalidate(id);
    locations.invalidate(id);
  }

  // ------------------------------------------------------------------------------------------- passed through

  @Override
  public Future<Image> insert(Image image) {
    return evicting(image.id(), () -> delegate.insert(image)); // lists change
  }

  @Override
  public Future<Optional<Image>> findIncludingDeleted(String id) {
    return delegate.findIncludingDeleted(id);
  }

  @Override
  public Future<Optional<Image>> findFresh(String id) {
    return delegate.findFresh(id);
  }

  @Override
  public Future<Boolean> isMember(String imageId, String project) {
    return delegate.isMember(imageId, project);
  }

  @Override
  public Future<Map<String, List<ImageLocation>>> locationsOf(List<String> imageIds) {
    return delegate.locationsOf(imageIds);
  }

  @Override
  public Future<List<ImageLocation>> locations(String imageId) {
    return delegate.locations(imageId);
  }

  @Override
  public Future<Usage> usage(String owner) {
    return delegate.usage(owner);
  }

  @Override
  public Future<Long> storageUsed(String owner, String excludingImageId) {
    return delegate.storageUsed(owner, excludingImageId);
  }

  @Override
  public Future<List<ImageLocation>> pendingDeletes(Instant deletedBefore, int max) {
    return delegate.pendingDeletes(deletedBefore, max);
  }

  @Override
  public Future<List<Image>> list(RequestContext ctx, ImageQuery query, Image marker) {
    return delegate.list(ctx, query, marker);
  }

  @Override
  public Future<Void> uploadsAlive() {
    return delegate.uploadsAlive();
  }
}
