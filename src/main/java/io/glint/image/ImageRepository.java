package io.glint.image;

import io.glint.auth.RequestContext;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Persistence of image records. The PostgreSQL implementation lives in {@code io.glint.metadata}. */
public interface ImageRepository {

  /** Inserts a new image; fails with a conflict when the id is taken (also by a deleted image). */
  Future<Image> insert(Image image);

  /** A live (not deleted) image, possibly from the cache. */
  Future<Optional<Image>> find(String id);

  /** A live image read from the database, bypassing any cache (for read-modify-write). */
  Future<Optional<Image>> findFresh(String id);

  /** Whether {@code project} is a (non-deleted) member of the image, whatever its status. */
  Future<Boolean> isMember(String imageId, String project);

  /**
   * Saves an image whose previous version had {@code expectedUpdatedAt} (optimistic concurrency). Returns
   * empty when the row changed or disappeared meanwhile.
   */
  Future<Optional<Image>> update(Image image, java.time.Instant expectedUpdatedAt);

  /** Soft-deletes a live image still in {@code expectedStatus}; false when it changed meanwhile. */
  Future<Boolean> markDeleted(String id, ImageStatus expectedStatus);

  /** One page of images visible to the caller; the marker (if any) is already checked and loaded. */
  Future<List<Image>> list(RequestContext ctx, ImageQuery query, Image marker);
}
