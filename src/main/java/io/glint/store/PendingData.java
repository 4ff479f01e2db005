package io.glint.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * The data of a new image while it is written. Chunks are written in order with {@link #write(Buffer)} (several
 * may be in flight); {@link #commit()} makes them durable and places them where {@link #location()} points;
 * {@link #discard()} removes whatever was written or placed.
 */
public interface PendingData {

  /** Queues one chunk; the future completes when the chunk is written (not necessarily durable). */
  Future<Void> write(Buffer chunk);

  /** Flushes to stable storage and places the data at its final location. */
  Future<Void> commit();

  /** Removes the partial or placed data; safe to call more than once and after a failed write. */
  Future<Void> discard();

  /**
   * Fails when the store gives the upload up on its own, between writes (e.g. its connection to the storage
   * failed while the client was sending nothing): the upload then fails at once instead of at its next write. By
   * default never completes: stores whose failures show in {@link #write} need nothing more.
   */
  default Future<Void> broken() {
    return io.vertx.core.Promise.<Void>promise().future();
  }

  /**
   * Most bytes of this upload in flight between the client and the store (being written and hashed) before the
   * client is paused; it is resumed below half. Default 8 MiB: fewer pauses of the client, taken from the
   * uploads' shared pool of batch arrays. A store that copies what it is given keeps a smaller window.
   */
  default long inFlightWindow() {
    return 8L << 20;
  }

  /** The location URI the data has (after commit), e.g. {@code file:///srv/glint/images/<id>}. */
  String location();
}
