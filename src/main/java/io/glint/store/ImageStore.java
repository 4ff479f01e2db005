package io.glint.store;

import io.vertx.core.Future;

/**
 * A backend that keeps image bytes (glance_store's driver): the file store ({@code store/file}), the read-only
 * HTTP store ({@code store/http}), the S3 store ({@code store/s3}); each type is built by its {@link StoreDriver}. Methods never block the calling
 * event loop; results complete on the caller's context.
 */
public interface ImageStore {

  /** The store's id ({@code file}, or a name from {@code enabled_backends}). */
  String id();

  /** The store's type ({@code file}, {@code http}: its {@link StoreDriver}'s). */
  String type();

  /** What {@code GET /v2/info/stores/detail} shows as the store's {@code properties}. */
  default java.util.Map<String, Object> detailProperties() {
    return java.util.Map.of();
  }

  /** What this store can do. */
  StoreCapabilities capabilities();

  /**
   * Whether its data are local files, opened as {@link ImageData.FileRegion}s (the file store): such a store is
   * not put behind the node's image cache, which would only copy a file into another.
   */
  default boolean servesLocalFiles() {
    return false;
  }

  /** Whether a location URI belongs to this store (by scheme, and for the file store by directory). */
  boolean owns(String location);

  /** Starts writing the data of a new image. Nothing is visible until {@link PendingData#commit()}. */
  Future<PendingData> create(String imageId);

  /**
   * As {@link #create(String)}, told how many bytes will come when that is known for sure ({@code Content-Length}:
   * the body can only be that long or fail), else -1. A store may write differently knowing it (S3: one PUT).
   */
  default Future<PendingData> create(String imageId, long expectedSize) {
    return create(imageId);
  }

  /** Opens the bytes at {@code location}, the whole of them or one range. */
  Future<ImageData> open(String location, ByteRange range);

  /** Deletes the bytes at {@code location}; deleting data that is already gone succeeds. */
  Future<Void> delete(String location);

  /** Gets the store ready at start-up (directories, leftovers of a previous run). */
  default Future<Void> prepare() {
    return Future.succeededFuture();
  }

  /** Releases what the store holds (clients, connections) when the server stops. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Removes what an upload of {@code imageId} that a crash or a stop cut short left in this store. */
  default Future<Void> discardInterrupted(String imageId) {
    return Future.succeededFuture();
  }

  /** Whether users may add locations of this store to images (by URL, as the HTTP store's). */
  default boolean acceptsUserLocations() {
    return false;
  }

  /** The size of the data at a location a user gives; only for stores that accept user locations. */
  default Future<Long> sizeOf(String location) {
    return Future.failedFuture(new StoreException(StoreException.Reason.INVALID_LOCATION,
        "Store " + id() + " does not take locations from users"));
  }
}
