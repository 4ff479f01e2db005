package io.glint.store.s3;

import io.glint.store.PendingData;
import io.glint.store.StoreException;
import io.glint.store.StoreException.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upload of known size below {@code s3_store_large_object_size}: one PUT whose body is the client's bytes as
 * they arrive ({@link PushedBody}), the client read only as fast as the S3 connection takes them. Nothing is
 * buffered beyond what is in flight. S3 makes the object visible only once the PUT is complete, so an
 * abandoned upload leaves nothing; an object already stored when the upload is given up (the metadata commit
 * failed) is deleted.
 */
final class StreamedPut implements PendingData {
  private static final Logger LOG = LoggerFactory.getLogger(StreamedPut.class);

  private final S3Store store;
  private final Context context;
  private final String key;
  private final long size;
  private final PushedBody body;
  private final Future<Void> put;
  private long written;

  StreamedPut(S3Store store, Context context, String key, long size) {
    this.store = store;
    this.context = context;
    this.key = key;
    this.size = size;
    this.body = PushedBody.copying(context, size);
    S3Settings s = store.settings();
    this.put = store.call("uploading object " + key, context, c -> c.putObject(
            b -> b.bucket(s.bucket()).key(key).contentLength(size).contentType("application/octet-stream"), body))
        .mapEmpty();
    // A PUT that fails (the server went away, refused the request) fails the writes waiting for it.
    put.onFailure(body::fail);
    LOG.debug("Upload of {} bytes to {}: one streamed PUT", size, key);
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    if (put.failed()) {
      return Future.failedFuture(put.cause());
    }
    if (written + chunk.length() > size) {
      StoreException e = new StoreException(Reason.UNAVAILABLE, "The upload brought more than the "
          + size + " bytes announced.");
      body.fail(e);
      return Future.failedFuture(e);
    }
    written += chunk.length();
    // Lent, not copied: the body copies the bytes as the SDK takes them, and the chunk's array goes back to the
    // upload's pool once this write completes, then.
    return PushedBody.failingAs(body.push(S3Store.view(chunk)), put, store.errors(), "uploading object " + key);
  }

  /** 2 MiB (see {@link S3Store#IN_FLIGHT_WINDOW}). */
  @Override
  public long inFlightWindow() {
    return S3Store.IN_FLIGHT_WINDOW;
  }

  @Override
  public Future<Void> commit() {
    if (written != size) {
      StoreException e = new StoreException(Reason.UNAVAILABLE, "The upload brought " + written + " of the " + size
          + " bytes announced.");
      body.fail(e);
      return put.transform(ar -> Future.failedFuture(e));
    }
    body.end();
    return put;
  }

  @Override
  public Future<Void> discard() {
    body.fail(new java.util.concurrent.CancellationException("The upload was given up"));
    // Once the PUT has settled: if S3 has the object, it goes.
    return put.transform(ar -> ar.succeeded() ? store.discardKey(context, key) : Future.succeededFuture());
  }

  /** The PUT failed (S3 unreachable, the connection cut): the upload fails even if the client sends nothing. */
  @Override
  public Future<Void> broken() {
    return put;
  }

  @Override
  public String location() {
    return store.locationOf(key);
  }
}
