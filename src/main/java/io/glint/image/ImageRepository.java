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

  /** An image whether deleted or not (admins may page from a deleted marker). */
  Future<Optional<Image>> findIncludingDeleted(String id);

  /** A live image read from the database, bypassing any cache (for read-modify-write). */
  Future<Optional<Image>> findFresh(String id);

  /** Whether {@code project} is a (non-deleted) member of the image, whatever its status. */
  Future<Boolean> isMember(String imageId, String project);

  /**
   * Saves an image whose previous version had {@code expectedUpdatedAt} (optimistic concurrency). Returns
   * empty when the row changed or disappeared meanwhile.
   */
  Future<Optional<Image>> update(Image image, java.time.Instant expectedUpdatedAt);

  /**
   * Soft-deletes a live image still in {@code expectedStatus}, moving it to {@code target} (deleted or
   * pending_delete) and its locations to pending_delete; false when the image changed meanwhile.
   */
  Future<Boolean> markDeleted(String id, ImageStatus expectedStatus, ImageStatus target);

  /**
   * Saves an image (all fields but id, owner-independent timestamps) together with its new list of locations,
   * if nobody changed it since {@code expectedUpdatedAt}: locations with an id are kept (re-ordered), those
   * without are added, the others become pending_delete and are returned for their data to be removed. The
   * result also has the image's live locations as saved, in order.
   */
  Future<Optional<LocationUpdate>> updateWithLocations(Image image, java.time.Instant expectedUpdatedAt,
      List<ImageLocation> newLocations);

  /** The result of {@link #updateWithLocations}. */
  record LocationUpdate(Image image, List<ImageLocation> locations, List<ImageLocation> removed) {}

  /** The live locations of several images, by image id. */
  Future<java.util.Map<String, List<ImageLocation>>> locationsOf(List<String> imageIds);

  /** The live locations of an image, possibly from this node's cache: for serving downloads only. */
  Future<List<ImageLocation>> locationsForRead(String imageId);

  /** The live locations of an image, in order. */
  Future<List<ImageLocation>> locations(String imageId);

  /** queued → saving; false when the image is not (or no longer) queued. */
  Future<Boolean> markSaving(String id);

  /**
   * saving → active with size, digests and the new location, atomically. Empty when the image left saving
   * meanwhile (deleted during the upload).
   */
  Future<Optional<Image>> markActive(String id, ReceivedData data, String location, java.util.Map<String, Object> metadata);

  /** queued → uploading: a staging begins, received by this node; false when the image is not queued. */
  Future<Boolean> markUploading(String id);

  /**
   * The staging this node received is complete: the image keeps uploading, with the staged size and, when
   * given, {@code os_glance_stage_host}. Empty when the image left uploading meanwhile (deleted).
   */
  Future<Optional<Image>> staged(String id, long size, String stageHost);

  /** uploading → queued (a failed staging, or staged data given up), clearing the size and the stage host. */
  Future<Boolean> unstage(String id);

  /**
   * Saves every field an import may change (status, formats, size, digests, virtual size, properties) if
   * nobody changed the image since {@code expectedUpdatedAt}, and appends a location when {@code location} is
   * not null; empty when the image changed meanwhile.
   */
  Future<Optional<Image>> saveAll(Image image, java.time.Instant expectedUpdatedAt, String location,
      java.util.Map<String, Object> metadata);

  /** saving → queued, clearing size and digests (a failed upload). */
  Future<Boolean> restoreQueued(String id);

  /**
   * Puts back to queued the images left in saving by uploads nobody receives any more: with {@code ownToo}
   * this node's own, and always those whose node has not reported for {@code silence}; returns their ids.
   */
  Future<List<String>> recoverSaving(boolean ownToo, java.time.Duration silence);

  /** Tells the other nodes that this node still receives the uploads it marked as its own. */
  Future<Void> uploadsAlive();

  /**
   * What a project uses, as Glance's unified limits count it: bytes stored (size × locations), bytes staged
   * (images uploading or importing, or being copied), images, and images being uploaded, staged, imported or
   * copied.
   */
  record Usage(long storedBytes, long stagedBytes, long images, long uploading) {}

  /** A project's {@link Usage}. */
  Future<Usage> usage(String owner);

  /** Bytes stored by a project's images other than {@code excludingImageId}. */
  Future<Long> storageUsed(String owner, String excludingImageId);

  /** Locations of images deleted at or before {@code deletedBefore} whose data still has to be removed. */
  Future<List<ImageLocation>> pendingDeletes(java.time.Instant deletedBefore, int max);

  /** Records that a location's data is gone, and finishes the image's pending_delete when it was the last. */
  Future<Void> locationDeleted(ImageLocation location);

  /** One page of images visible to the caller; the marker (if any) is already checked and loaded. */
  Future<List<Image>> list(RequestContext ctx, ImageQuery query, Image marker);
}
