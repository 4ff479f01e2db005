package io.glint.store.s3;

import io.glint.store.PendingData;
import io.glint.store.StoreException;
import io.glint.store.StoreException.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An upload of known size from {@code s3_store_large_object_size} up: a multipart upload whose parts are streamed
 * one after the other from the client's socket, each an UploadPart of known length whose body is the client's bytes
 * as they arrive ({@link PushedBody}), as {@link StreamedPut} does for the whole object. Since the size is known,
 * so is every part's length before its first byte: nothing is gathered in part memory, and the client is read only
 * as fast as the S3 connection takes its bytes. Memory per upload is what is in flight on the sockets, whatever the
 * image and part sizes. A part is sent while the previous one's answer is awaited; a failed part fails the upload.
 * A failed or abandoned upload is aborted ({@link MultipartPending#abandon}); an object completed before the upload
 * was given up is deleted.
 */
final class StreamedParts implements PendingData {
  private static final Logger LOG = LoggerFactory.getLogger(StreamedParts.class);

  private final S3Store store;
  private final Context context;
  private final String key;
  private final long size;
  private final S3Settings settings;
  private final List<CompletedPart> completed = new ArrayList<>();
  private final List<Future<Void>> sending = new ArrayList<>();
  private Future<String> uploadId;
  private PushedBody part;
  private Future<Void> partSent;
  private long partLeft;
  private int nextPart = 1;
  private long written;
  private Throwable failure;
  private boolean committed;
  private final io.vertx.core.Promise<Void> broken = io.vertx.core.Promise.promise();

  StreamedParts(S3Store store, Context context, String key, long size) {
    this.store = store;
    this.context = context;
    this.key = key;
    this.size = size;
    this.settings = store.settings();
    LOG.debug("Upload of {} bytes to {}: multipart, parts streamed", size, key);
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (written + chunk.length() > size) {
      StoreException e = new StoreException(Reason.UNAVAILABLE, "The upload brought more than the "
          + size + " bytes announced.");
      fail(e);
      return Future.failedFuture(e);
    }
    written += chunk.length();
    // Lent, not copied: each part's body copies its slice as the SDK takes it, and the chunk's array goes back
    // to the upload's pool once this write completes, then.
    ByteBuffer bytes = S3Store.view(chunk);
    Future<Void> taken = null;
    List<Future<Void>> more = null;
    while (bytes.hasRemaining()) {
      if (part == null) {
        open();
      }
      int n = (int) Math.min(bytes.remaining(), partLeft);
      Future<Void> pushed = PushedBody.failingAs(part.push(bytes.slice(bytes.position(), n)), partSent,
          store.errors(), "uploading part " + (nextPart - 1) + " of " + key);
      bytes.position(bytes.position() + n);
      partLeft -= n;
      if (partLeft == 0) {
        part.end();
        part = null;
      }
      if (taken == null) {
        taken = pushed;
      } else {
        (more == null ? more = new ArrayList<>(List.of(taken)) : more).add(pushed);
      }
    }
    if (taken == null) {
      return Future.succeededFuture();
    }
    return more == null ? taken : Future.all(more).mapEmpty();
  }

  /** Begins the next part: its request goes out (once the multipart upload is begun) and takes pushed bytes. */
  private void open() {
    int number = nextPart++;
    long offset = (long) (number - 1) * partSize();
    long length = Math.min(partSize(), size - offset);
    PushedBody body = PushedBody.copying(context, length);
    part = body;
    partLeft = length;
    Future<Void> sent = started().compose(id -> store.call("uploading part " + number + " of " + key, context,
            c -> c.uploadPart(b -> b.bucket(settings.bucket()).key(key).uploadId(id).partNumber(number)
                .contentLength(length), body)))
        .map(response -> {
          completed.add(CompletedPart.builder().partNumber(number).eTag(response.eTag()).build());
          return null;
        });
    sending.add(sent);
    partSent = sent;
    sent.onFailure(this::fail);
    sent.onFailure(body::fail);
  }

  /** The size of every part but the last: the chunk size, or more when the image would need more than 10,000. */
  private long partSize() {
    return MultipartPending.partSize(settings, size, 1);
  }

  /** The multipart upload, begun with the first part. */
  private Future<String> started() {
    if (uploadId == null) {
      uploadId = store.beginMultipart(context, key);
    }
    return uploadId;
  }

  private void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
      broken.tryFail(cause);
    }
    if (part != null) {
      part.fail(failure);
    }
  }

  /** 2 MiB (see {@link S3Store#IN_FLIGHT_WINDOW}). */
  @Override
  public long inFlightWindow() {
    return S3Store.IN_FLIGHT_WINDOW;
  }

  @Override
  public Future<Void> commit() {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (written != size) {
      StoreException e = new StoreException(Reason.UNAVAILABLE, "The upload brought " + written + " of the " + size
          + " bytes announced.");
      fail(e);
      return Future.failedFuture(e);
    }
    return Future.all(new ArrayList<>(sending)).compose(all -> uploadId).compose(this::complete)
        .onSuccess(v -> committed = true);
  }

  private Future<Void> complete(String id) {
    return MultipartPending.complete(store, context, settings, key, id, completed);
  }

  @Override
  public Future<Void> discard() {
    fail(new java.util.concurrent.CancellationException("The upload was given up"));
    return MultipartPending.abandon(store, context, key, uploadId, sending, committed);
  }

  /** A part failed (S3 unreachable, a connection cut): the upload fails even if the client sends nothing. */
  @Override
  public Future<Void> broken() {
    return broken.future();
  }

  @Override
  public String location() {
    return store.locationOf(key);
  }
}
