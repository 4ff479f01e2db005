package io.glint.store;

import io.vertx.core.Future;

/**
 * A backend that keeps image bytes (glance_store's driver). Implementations: {@link FileStore}; later S3 and a
 * read-only HTTP store. Methods never block the calling event loop; results complete on the caller's context.
 */
public interface ImageStore {

  /** The store's id ({@code file}, or a name from {@code enabled_backends}). */
  String id();

  /** What this store can do. */
  StoreCapabilities capabilities();

  /** Whether a location URI belongs to this store (by scheme, and for the file store by directory). */
  boolean owns(String location);

  /** Starts writing the data of a new image. Nothing is visible until {@link PendingData#commit()}. */
  Future<PendingData> create(String imageId);

  /** Opens the bytes at {@code location}, the whole of them or one range. */
  Future<ImageData> open(String location, ByteRange range);

  /** Deletes the bytes at {@code location}; deleting data that is already gone succeeds. */
  Future<Void> delete(String location);
}
