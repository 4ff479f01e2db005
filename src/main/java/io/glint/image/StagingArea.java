package io.glint.image;

import io.glint.store.PendingData;
import io.glint.store.file.FileStore;
import io.glint.transfer.FileSource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/**
 * Where staged image data waits for its import ({@code node_staging_uri}, Glance's staging store): one file per
 * image, {@code <dir>/<image id>}, written as the file store writes (temporary file, fsync, rename) so that a
 * crash never leaves a partial file under the final name. Not one of the configured stores: it is never listed
 * and no image location ever points into it.
 */
public final class StagingArea {
  private final Vertx vertx;
  private final FileStore files;

  public StagingArea(Vertx vertx, FileStore files) {
    this.vertx = vertx;
    this.files = files;
  }

  /** Creates the directory and removes this node's leftovers of interrupted stagings. */
  public Future<Void> prepare() {
    return files.prepare();
  }

  public Path directory() {
    return files.directory();
  }

  /** Starts writing the staged data of an image; nothing is under its name until the data is committed. */
  public Future<PendingData> create(String imageId) {
    return files.create(imageId);
  }

  /** The staged file of an image (it may not exist). */
  public Path path(String imageId) {
    return files.fileOf(imageId);
  }

  /** Whether an image has staged data here (blocking: a stat; call off the event loop or accept a stat). */
  public boolean has(String imageId) {
    return java.nio.file.Files.exists(path(imageId));
  }

  /** The staged data of an image as a paused stream. */
  public Future<FileSource.Opened> open(String imageId) {
    return FileSource.open(vertx, path(imageId), 0, -1);
  }

  /** Removes an image's staged data (and a placed file of an interrupted staging); gone already is fine. */
  public Future<Void> delete(String imageId) {
    return files.discardInterrupted(imageId);
  }
}
