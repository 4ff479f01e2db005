package io.glint.store.s3;

import io.glint.store.PendingData;
import io.glint.store.StoreException;
import io.glint.store.StoreException.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An upload of unknown size (chunked; a known size from {@code s3_store_large_object_size} up is {@link
 * StreamedParts}): the bytes are gathered into
 * parts of {@code s3_store_large_object_chunk_size} in {@link PartMemory}, and each full part is sent as one
 * part of a multipart upload while the next fills. At most {@code s3_store_thread_pools} parts of this upload
 * are held at once (being filled or sent): beyond that, and when the store's part memory is all taken, the
 * upload's writes wait, which pauses its client. Memory is thus bounded by part size × parts in flight, whatever
 * the image size.
 *
 * <p>The multipart upload is begun only when the first part is full: an image smaller than one part (also an
 * empty one) is one PUT of that part at commit. Part sizes: the chunk size, or more when a known size would need
 * more than 10,000 parts (S3's limit); for an unknown size, doubled every 1,000 parts (10 MiB parts reach 10 TiB
 * in 10,000). A failed or abandoned upload is aborted, which deletes its parts; an object completed before the
 * upload was given up is deleted.
 */
final class MultipartPending implements PendingData {
  private static final Logger LOG = LoggerFactory.getLogger(MultipartPending.class);
  private static final int MAX_PARTS = 10_000;
  private static final long MAX_PART_SIZE = 5L << 30;
  /** How long an abandoned upload waits for its parts in flight before it is aborted anyway. */
  static final long PART_SETTLE_SECONDS = 10;

  private final S3Store store;
  private final Context context;
  private final String key;
  private final long expectedSize;
  private final S3Settings settings;
  private final List<CompletedPart> completed = new ArrayList<>();
  private final List<Future<Void>> sending = new ArrayList<>();
  private Future<Void> tail = Future.succeededFuture();
  private PartMemory.Part current;
  private Future<PartMemory.Part> reserving;
  private Promise<Void> slotFree;
  private Future<String> uploadId;
  private int nextPart = 1;
  private int held;
  private long sealedBytes;
  private Throwable failure;
  private boolean committed;

  MultipartPending(S3Store store, Context context, String key, long expectedSize) {
    this.store = store;
    this.context = context;
    this.key = key;
    this.expectedSize = expectedSize;
    this.settings = store.settings();
  }

  @Override
  public Future<Void> write(Buffer chunk) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    // A view of the chunk's bytes, copied into part memory before the write completes.
    ByteBuffer bytes = ((BufferInternal) chunk).getByteBuf().nioBuffer();
    tail = tail.compose(v -> fill(bytes));
    return tail;
  }

  /** Copies {@code bytes} into parts, sealing (and sending) each part that fills. */
  private Future<Void> fill(ByteBuffer bytes) {
    while (bytes.hasRemaining()) {
      if (failure != null) {
        return Future.failedFuture(failure);
      }
      if (current == null) {
        return nextPart().compose(part -> {
          if (failure != null) { // given up while waiting for the memory
            part.release();
            return Future.failedFuture(failure);
          }
          current = part;
          return fill(bytes);
        });
      }
      current.fill(bytes);
      if (current.full()) {
        seal();
      }
    }
    return Future.succeededFuture();
  }

  /** Memory for the next part, once this upload may hold one more and the store has room. */
  private Future<PartMemory.Part> nextPart() {
    if (held >= settings.partsInFlight()) {
      slotFree = Promise.promise();
      return slotFree.future().compose(v -> nextPart());
    }
    long size = partSize(nextPart);
    if (expectedSize >= 0) {
      size = Math.max(1, Math.min(size, expectedSize - sealedBytes)); // the last part needs only what is left
    }
    if (nextPart > MAX_PARTS) {
      return Future.failedFuture(new StoreException(Reason.STORAGE_FULL,
          "The image is larger than an S3 multipart upload of " + MAX_PARTS + " parts can hold."));
    }
    held++;
    reserving = store.memory().reserve(size, context);
    return reserving.andThen(ar -> reserving = null).recover(e -> {
      held--;
      return Future.failedFuture(e);
    });
  }

  /** The size of part {@code number} (1-based). */
  long partSize(int number) {
    return partSize(settings, expectedSize, number);
  }

  /**
   * The size of part {@code number} (1-based) of an upload of {@code expectedSize} bytes (-1: unknown): the chunk
   * size, or more when a known size would need more than 10,000 parts; for an unknown size, doubled every 1,000.
   */
  static long partSize(S3Settings settings, long expectedSize, int number) {
    long chunk = settings.partSize();
    if (expectedSize >= 0) {
      return Math.min(MAX_PART_SIZE, Math.max(chunk, (expectedSize + MAX_PARTS - 1) / MAX_PARTS));
    }
    int doublings = Math.min(20, (number - 1) / 1000);
    return Math.min(MAX_PART_SIZE, chunk << doublings);
  }

  /** The current part is complete: it is sent as the next part number. */
  private void seal() {
    PartMemory.Part part = current;
    current = null;
    int number = nextPart++;
    sealedBytes += part.filled();
    Future<Void> sent = started().compose(id -> store.call("uploading part " + number + " of " + key, context,
            c -> c.uploadPart(b -> b.bucket(settings.bucket()).key(key).uploadId(id).partNumber(number)
                .contentLength(part.filled()), AsyncRequestBody.fromRemainingByteBuffersUnsafe(part.contents()))))
        .map(response -> {
          completed.add(CompletedPart.builder().partNumber(number).eTag(response.eTag()).build());
          return null;
        });
    sending.add(sent);
    sent.onComplete(ar -> {
      part.release();
      held--;
      if (ar.failed() && failure == null) {
        failure = ar.cause();
      }
      Promise<Void> waiting = slotFree;
      if (waiting != null) {
        slotFree = null;
        if (failure != null) {
          waiting.tryFail(failure);
        } else {
          waiting.tryComplete();
        }
      }
    });
  }

  /** The multipart upload, begun with the first part. */
  private Future<String> started() {
    if (uploadId == null) {
      uploadId = store.beginMultipart(context, key);
    }
    return uploadId;
  }

  /** 2 MiB: each batch written is copied for the SDK, and the copies live until they are on the socket. */
  @Override
  public long inFlightWindow() {
    return S3Store.IN_FLIGHT_WINDOW;
  }

  @Override
  public Future<Void> commit() {
    return tail.compose(v -> {
      if (failure != null) {
        return Future.failedFuture(failure);
      }
      if (uploadId == null) {
        return putWhole();
      }
      if (current != null && current.filled() > 0) {
        seal();
      } else if (current != null) {
        current.release();
        current = null;
        held--;
      }
      return Future.all(new ArrayList<>(sending)).compose(all -> uploadId).compose(this::complete);
    }).onSuccess(v -> committed = true);
  }

  /** Fewer bytes than one part (none, too): one PUT of them. */
  private Future<Void> putWhole() {
    PartMemory.Part part = current;
    current = null;
    long length = part == null ? 0 : part.filled();
    ByteBuffer[] contents = part == null ? new ByteBuffer[0] : part.contents();
    return store.call("uploading object " + key, context, c -> c.putObject(
            b -> b.bucket(settings.bucket()).key(key).contentLength(length).contentType("application/octet-stream"),
            AsyncRequestBody.fromRemainingByteBuffersUnsafe(contents)))
        .<Void>mapEmpty()
        .andThen(ar -> {
          if (part != null) {
            part.release();
            held--;
          }
        });
  }

  private Future<Void> complete(String id) {
    return complete(store, context, settings, key, id, completed);
  }

  /** Completes a multipart upload with its parts in order (both multipart uploaders end this way). */
  static Future<Void> complete(S3Store store, Context context, S3Settings settings, String key, String id,
      List<CompletedPart> completed) {
    List<CompletedPart> parts = new ArrayList<>(completed);
    parts.sort(Comparator.comparing(CompletedPart::partNumber));
    return store.call("completing the multipart upload of " + key, context, c -> c.completeMultipartUpload(
            b -> b.bucket(settings.bucket()).key(key).uploadId(id).multipartUpload(m -> m.parts(parts))))
        .<Void>mapEmpty()
        .onSuccess(v -> LOG.debug("Multipart upload {} of {} completed: {} parts", id, key, parts.size()));
  }

  @Override
  public Future<Void> discard() {
    if (failure == null) {
      failure = new java.util.concurrent.CancellationException("The upload was given up");
    }
    if (reserving != null) {
      store.memory().cancel(reserving);
      reserving.onSuccess(PartMemory.Part::release);
    }
    if (slotFree != null) {
      slotFree.tryFail(failure);
    }
    if (current != null) {
      current.release();
      current = null;
    }
    return abandon(store, context, key, uploadId, sending, committed);
  }

  /**
   * Aborts a multipart upload that was given up ({@code uploadId} null: never begun), and deletes its object if it
   * was {@code committed}. Parts still being sent ({@code sending}) settle first: S3 may keep a part that lands
   * after the abort. A part stuck on a connection S3 no longer answers would hold the uploader's answer until the
   * idle timeout: after {@link #PART_SETTLE_SECONDS} the abort goes ahead, and is made once more, by key, when the
   * stragglers have settled.
   */
  static Future<Void> abandon(S3Store store, Context context, String key, Future<String> uploadId,
      List<Future<Void>> sending, boolean committed) {
    Future<?> settled = Future.join(new ArrayList<>(sending));
    Promise<Void> ready = Promise.promise();
    long timer = context.owner().setTimer(TimeUnit.SECONDS.toMillis(PART_SETTLE_SECONDS),
        t -> ready.tryFail("parts still in flight"));
    settled.onComplete(ar -> {
      context.owner().cancelTimer(timer);
      ready.tryComplete();
    });
    return ready.future().transform(ar -> {
      if (ar.failed() && !settled.isComplete() && uploadId != null) {
        settled.onComplete(late -> store.abortUploadsOf(context, key)
            .onFailure(e -> LOG.warn("Could not abort the multipart uploads of {} again: {}", key, e.toString())));
      }
      // An upload whose start S3 did not answer may still have been begun: it is looked for by its key.
      Future<Void> aborted = uploadId == null ? Future.succeededFuture() : uploadId.transform(
          id -> id.succeeded() ? store.abortUpload(context, key, id.result()) : store.abortUploadsOf(context, key));
      return committed ? aborted.compose(v -> store.discardKey(context, key)) : aborted;
    });
  }

  @Override
  public String location() {
    return store.locationOf(key);
  }
}
