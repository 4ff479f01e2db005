package io.glint.store.s3;

import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.glint.store.ImageStore;
import io.glint.store.PendingData;
import io.glint.store.StoreCapabilities;
import io.glint.store.StoreException;
import io.glint.store.StoreException.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * glance_store's S3 driver: each image is one object of one bucket, key {@code <prefix><image id>.<upload id>}
 * (a new key per upload, so that no two uploads, of two images or the same one again, ever write one object),
 * location {@code s3://host[:port]/bucket/key} ({@code s3+https://} for https), never with credentials.
 *
 * <ul>
 *   <li>Uploads of known size below {@code s3_store_large_object_size} are one PUT streamed from the client's
 *       socket ({@link StreamedPut}); larger ones are multipart uploads of {@code s3_store_large_object_chunk_size}
 *       parts, each streamed from the socket in turn ({@link StreamedParts}). Uploads of unknown size (chunked) are
 *       multipart uploads whose parts are gathered in memory, at most {@code s3_store_thread_pools} of them per
 *       upload and {@code s3_store_part_memory} bytes for the whole store ({@link MultipartPending}). A failed or
 *       abandoned upload leaves nothing: the multipart upload is aborted, a completed object deleted.
 *   <li>Downloads and byte ranges are GETs signed with the SDK's SigV4 signer and sent on a connection of their
 *       own ({@link SignedGet}), so that from a plain-http endpoint the body can go socket to socket in the kernel
 *       (the HTTP store's {@link io.glint.store.http.SpliceRelay}); else it is piped with backpressure.
 *   <li>Every other request goes through the AWS SDK's {@link S3AsyncClient} over Glint's Vert.x HTTP client
 *       ({@link VertxSdkHttpClient}), with its results back on the caller's context.
 * </ul>
 *
 * The SDK client is built off the event loop in {@link #prepare()}; nothing here blocks an event loop.
 */
public final class S3Store implements ImageStore {
  private static final Logger LOG = LoggerFactory.getLogger(S3Store.class);
  private final String id;
  private final Vertx vertx;
  private final S3Settings settings;
  private final Executor blocking;
  private final S3Errors errors;
  private final VertxSdkHttpClient http;
  private final SignedGet downloads;
  private final PartMemory memory;
  private volatile AwsCredentialsProvider credentials;
  private volatile S3AsyncClient s3;
  private volatile boolean bucketReady;
  private volatile boolean closed;
  /** Background attempts at an abort or delete S3 could not take (about an hour). */
  private static final int RETRIES = 64;
  /**
   * An S3 upload's in-flight window ({@link io.glint.store.PendingData#inFlightWindow}): 2 MiB, not the file
   * store's 8. An upload's batches wait in its request bodies until the SDK takes them, and more in flight brought
   * nothing to S3's throughput.
   */
  static final long IN_FLIGHT_WINDOW = 2L << 20;

  /** The bytes of a chunk written by an upload, as a buffer over its array (no copy: it is lent). */
  static java.nio.ByteBuffer view(io.vertx.core.buffer.Buffer chunk) {
    return ((io.vertx.core.internal.buffer.BufferInternal) chunk).getByteBuf().nioBuffer();
  }

  S3Store(String id, Vertx vertx, S3Settings settings, Executor blocking) {
    this.id = id;
    this.vertx = vertx;
    this.settings = settings;
    this.blocking = blocking;
    this.errors = new S3Errors(settings);
    this.http = new VertxSdkHttpClient(vertx, settings.clientOptions(), settings.idleTimeoutMillis(), 256);
    this.downloads = new SignedGet(vertx, settings, errors, settings.idleTimeoutMillis());
    this.memory = new PartMemory(partMemory(id, settings));
    LOG.info("S3 store {}: {}", id, settings);
  }

  /**
   * {@code s3_store_part_memory}, at most three quarters of the JVM's direct memory ({@code
   * -XX:MaxDirectMemorySize}, by default the heap's size; the rest is for the file store's and the JDK's buffers,
   * Netty keeping its own account), and at least one part.
   */
  private static long partMemory(String id, S3Settings settings) {
    long direct = io.netty.util.internal.PlatformDependent.maxDirectMemory();
    long allowed = Math.max(settings.partSize(), direct / 4 * 3);
    if (settings.partMemory() > allowed) {
      LOG.warn("S3 store {}: s3_store_part_memory ({} bytes) is more than 3/4 of the JVM's direct memory ({} bytes): "
          + "{} bytes used; raise -XX:MaxDirectMemorySize for more", id, settings.partMemory(), direct, allowed);
      return allowed;
    }
    return settings.partMemory();
  }

  /** Builds the SDK client (class loading, profile files: seconds on a busy machine) off the event loop. */
  @Override
  public Future<Void> prepare() {
    return vertx.<Void>executeBlocking(() -> {
      if (settings.splice()) {
        io.glint.store.http.SpliceRelay.preparePipes();
      }
      credentials = settings.staticCredentials()
          ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
          : new OffLoopCredentials(DefaultCredentialsProvider.builder().build(), blocking);
      s3 = S3AsyncClient.builder()
          .httpClient(http)
          .endpointOverride(settings.endpoint())
          .region(Region.of(settings.region()))
          .credentialsProvider(credentials)
          .forcePathStyle(settings.pathStyle())
          // glance_store's default, when_required: S3-compatible servers do not all take the SDK's newer
          // checksums (s3_store_enable_data_integrity_protection and its two options choose otherwise).
          .requestChecksumCalculation(settings.requestChecksums() ? RequestChecksumCalculation.WHEN_SUPPORTED
              : RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(settings.responseChecksums() ? ResponseChecksumValidation.WHEN_SUPPORTED
              : ResponseChecksumValidation.WHEN_REQUIRED)
          // Results are brought back to the caller's context at this store's boundary (call): no SDK pool.
          .asyncConfiguration(a -> a.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
              (Executor) Runnable::run))
          .build();
      return null;
    }).onSuccess(v -> checkBucket());
  }

  /** Logs at start-up whether the bucket can be reached; a store that cannot is no reason not to start. */
  private void checkBucket() {
    call("checking the bucket", vertx.getOrCreateContext(), c -> c.headBucket(b -> b.bucket(settings.bucket())))
        .onSuccess(v -> {
          bucketReady = true;
          LOG.info("S3 store {}: bucket {} at {} is reachable", id, settings.bucket(), settings.endpoint());
        })
        .onFailure(e -> LOG.warn("S3 store {}: {}", id, e.getMessage()));
  }

  @Override
  public Future<Void> close() {
    closed = true;
    S3AsyncClient client = s3;
    return vertx.<Void>executeBlocking(() -> {
      if (client != null) {
        client.close();
      }
      return null;
    }).eventually(() -> {
      http.close();
      return downloads.close();
    });
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String type() {
    return "s3";
  }

  /** What glance's {@code /v2/info/stores/detail} shows for an S3 store (sizes in bytes). */
  @Override
  public Map<String, Object> detailProperties() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("s3_store_large_object_size", settings.largeObjectSize());
    p.put("s3_store_large_object_chunk_size", settings.partSize());
    p.put("s3_store_thread_pools", settings.partsInFlight());
    return p;
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(true, true);
  }

  @Override
  public boolean owns(String location) {
    S3Location l = S3Location.parse(location);
    return l != null && l.in(settings);
  }

  @Override
  public Future<PendingData> create(String imageId) {
    return create(imageId, -1);
  }

  @Override
  public Future<PendingData> create(String imageId, long expectedSize) {
    Context context = vertx.getOrCreateContext();
    String key;
    try {
      key = keyPrefix(imageId) + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    } catch (StoreException e) {
      return Future.failedFuture(e);
    }
    return ensureBucket(context).map(v -> {
      if (expectedSize >= 0 && expectedSize < settings.largeObjectSize()) {
        return new StreamedPut(this, context, key, expectedSize);
      }
      return expectedSize > 0 ? new StreamedParts(this, context, key, expectedSize)
          : new MultipartPending(this, context, key, expectedSize);
    });
  }

  /** What every key of an image's uploads starts with. */
  private String keyPrefix(String imageId) {
    if (!imageId.matches("[A-Za-z0-9-]+")) {
      throw new StoreException(Reason.INVALID_LOCATION, "Invalid image id for the S3 store: " + imageId);
    }
    return settings.keyPrefix() + imageId + ".";
  }

  /**
   * The bucket, made sure of once: HEAD, and when it does not exist, created if {@code
   * s3_store_create_bucket_on_put}, else an error saying so (glance_store's words).
   */
  private Future<Void> ensureBucket(Context context) {
    if (bucketReady) {
      return Future.succeededFuture();
    }
    return this.<Object>call("checking the bucket", context, c -> c.headBucket(b -> b.bucket(settings.bucket()))
            .thenApply(r -> r))
        .recover(e -> {
          if (!(e instanceof StoreException s) || !isMissingBucket(s)) {
            return Future.failedFuture(e);
          }
          if (!settings.createBucket()) {
            return Future.failedFuture(new StoreException(Reason.UNAVAILABLE, "The bucket " + settings.bucket()
                + " does not exist in the " + errors.store() + ". Please set the s3_store_create_bucket_on_put "
                + "option to add bucket to S3 automatically."));
          }
          LOG.info("S3 store {}: creating bucket {}", id, settings.bucket());
          return call("creating the bucket", context, c -> c.createBucket(b -> {
            b.bucket(settings.bucket());
            if (!settings.region().equals("us-east-1")) {
              b.createBucketConfiguration(cfg -> cfg.locationConstraint(
                  BucketLocationConstraint.fromValue(settings.region())));
            }
          }).thenApply(r -> (Object) r)).recover(c -> {
            Throwable t = c.getCause() == null ? c : c.getCause();
            // Another node (or upload) made it first.
            return t.toString().contains("BucketAlreadyOwnedByYou") ? Future.succeededFuture() : Future.failedFuture(c);
          });
        })
        .map(r -> {
          bucketReady = true;
          return null;
        });
  }

  private static boolean isMissingBucket(StoreException e) {
    // HEAD has no body: a 404 of HEAD bucket is the bucket's.
    return e.reason() == Reason.NOT_FOUND || (e.getMessage() != null && e.getMessage().contains("does not exist"));
  }

  @Override
  public Future<ImageData> open(String location, ByteRange range) {
    S3Location l = S3Location.parse(location);
    if (l == null || !l.in(settings)) {
      return Future.failedFuture(new StoreException(Reason.INVALID_LOCATION, "Not a location of S3 store " + id));
    }
    Context context = vertx.getOrCreateContext();
    return credentials(context).compose(identity -> downloads.open(l.key(), range, identity));
  }

  /** The credentials requests are signed with, resolved (off the event loop if that means I/O). */
  Future<AwsCredentialsIdentity> credentials(Context context) {
    AwsCredentialsProvider provider = credentials;
    if (provider == null) {
      return Future.failedFuture(notReady());
    }
    return Future.fromCompletionStage(provider.resolveIdentity().thenApply(i -> (AwsCredentialsIdentity) i), context)
        .recover(e -> Future.failedFuture(errors.translate("resolving the credentials", e)));
  }

  @Override
  public Future<Void> delete(String location) {
    S3Location l = S3Location.parse(location);
    if (l == null || !l.in(settings)) {
      return Future.failedFuture(new StoreException(Reason.INVALID_LOCATION, "Not a location of S3 store " + id));
    }
    return deleteKey(vertx.getOrCreateContext(), l.key());
  }

  /** Deletes an object; one that is already gone (or whose bucket is) is deleted. */
  Future<Void> deleteKey(Context context, String key) {
    return call("deleting object " + key, context, c -> c.deleteObject(b -> b.bucket(settings.bucket()).key(key)))
        .<Void>mapEmpty()
        .recover(e -> e instanceof StoreException s && (s.reason() == Reason.NOT_FOUND || isMissingBucket(s))
            ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /**
   * An upload of {@code imageId} cut by a crash may have left a multipart upload (parts S3 keeps, and bills, until
   * it is aborted) or a completed object not yet recorded: both go. A store that cannot be reached is logged,
   * not fatal (start-up goes on; the bucket's lifecycle rules are the remedy of last resort).
   */
  @Override
  public Future<Void> discardInterrupted(String imageId) {
    if (s3 == null) {
      return Future.succeededFuture();
    }
    Context context = vertx.getOrCreateContext();
    if (!imageId.matches("[A-Za-z0-9-]+")) {
      return Future.succeededFuture();
    }
    String prefix = keyPrefix(imageId);
    Future<Void> uploads = call("listing multipart uploads", context,
        c -> c.listMultipartUploads(b -> b.bucket(settings.bucket()).prefix(prefix)))
        .compose(list -> Future.join(list.uploads().stream().map(u -> abort(context, u)).toList()).<Void>mapEmpty());
    Future<Void> objects = call("listing objects", context,
        c -> c.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(prefix)))
        .compose(list -> Future.join(list.contents().stream().map(S3Object::key).map(k -> deleteKey(context, k))
            .toList()).<Void>mapEmpty());
    return Future.join(uploads, objects).<Void>mapEmpty().recover(e -> {
      LOG.warn("S3 store {}: could not remove what the interrupted upload of image {} left: {}", id, imageId,
          e.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> abort(Context context, MultipartUpload upload) {
    LOG.info("S3 store {}: aborting multipart upload {} of {}", id, upload.uploadId(), upload.key());
    return abortUpload(context, upload.key(), upload.uploadId());
  }

  /**
   * Aborts a multipart upload (its parts are deleted); one that is already gone is aborted. When S3 cannot be
   * reached, it is tried again in the background ({@link #retryLater}), so that an outage in the middle of an
   * upload leaves no parts behind once S3 is back.
   */
  Future<Void> abortUpload(Context context, String key, String uploadId) {
    Future<Void> aborted = abortOnce(context, key, uploadId);
    return aborted.onFailure(e -> retryLater("abort the multipart upload " + uploadId + " of " + key,
        () -> abortOnce(vertx.getOrCreateContext(), key, uploadId)));
  }

  /**
   * Aborts whatever multipart upload of {@code key} S3 has: for an upload whose start was sent but not answered
   * (S3 may have begun it), found by listing; retried in the background while S3 cannot be reached.
   */
  Future<Void> abortUploadsOf(Context context, String key) {
    return abortAllOnce(context, key).onFailure(e -> retryLater("abort the multipart uploads of " + key,
        () -> abortAllOnce(vertx.getOrCreateContext(), key)));
  }

  private Future<Void> abortAllOnce(Context context, String key) {
    return call("listing the multipart uploads of " + key, context,
        c -> c.listMultipartUploads(b -> b.bucket(settings.bucket()).prefix(key)))
        .compose(list -> Future.all(list.uploads().stream().filter(u -> u.key().equals(key))
            .map(u -> abortOnce(context, key, u.uploadId())).toList()))
        .mapEmpty();
  }

  private Future<Void> abortOnce(Context context, String key, String uploadId) {
    return call("aborting the multipart upload of " + key, context, c -> c.abortMultipartUpload(
        b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId)))
        .<Void>mapEmpty()
        .recover(e -> e instanceof StoreException s && s.reason() == Reason.NOT_FOUND
            ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /**
   * Deletes an object left by an upload that was given up (the metadata commit failed); retried in the
   * background while S3 cannot be reached.
   */
  Future<Void> discardKey(Context context, String key) {
    return deleteKey(context, key).onFailure(e -> retryLater("delete object " + key,
        () -> deleteKey(vertx.getOrCreateContext(), key)));
  }

  /** Retries {@code action} after 1, 2, 4 ... 64 s, then every 64 s for about an hour, until it succeeds. */
  private void retryLater(String what, java.util.function.Supplier<Future<Void>> action) {
    retry(what, action, 0);
  }

  private void retry(String what, java.util.function.Supplier<Future<Void>> action, int attempt) {
    if (closed || attempt >= RETRIES) {
      if (!closed) {
        LOG.warn("S3 store {}: gave up trying to {}", id, what);
      }
      return;
    }
    long delay = 1000L << Math.min(6, attempt);
    vertx.setTimer(delay, t -> action.get()
        .onSuccess(v -> LOG.info("S3 store {}: did {} (attempt {})", id, what, attempt + 2))
        .onFailure(e -> retry(what, action, attempt + 1)));
  }

  /**
   * Runs one SDK operation and brings its outcome back on {@code context}, failures as {@link StoreException}s
   * naming {@code action}.
   */
  /** Begins a multipart upload of {@code key}; its upload id. */
  Future<String> beginMultipart(Context context, String key) {
    Future<String> id = call("starting the multipart upload of " + key, context, c -> c.createMultipartUpload(
        b -> b.bucket(settings.bucket()).key(key).contentType("application/octet-stream")))
        .map(r -> r.uploadId());
    return id.onSuccess(u -> LOG.debug("Multipart upload {} of {} begun", u, key));
  }

  <T> Future<T> call(String action, Context context, Function<S3AsyncClient, CompletableFuture<T>> operation) {
    S3AsyncClient client = s3;
    if (client == null) {
      return Future.failedFuture(notReady());
    }
    CompletableFuture<T> started;
    try {
      started = operation.apply(client);
    } catch (Throwable t) {
      return Future.failedFuture(errors.translate(action, t));
    }
    return Future.fromCompletionStage(started, context)
        .recover(e -> Future.failedFuture(errors.translate(action, e)));
  }

  private StoreException notReady() {
    return new StoreException(Reason.UNAVAILABLE, "The " + errors.store() + " is not started.");
  }

  S3Settings settings() {
    return settings;
  }

  PartMemory memory() {
    return memory;
  }

  S3Errors errors() {
    return errors;
  }

  /** The location URI of {@code key}. */
  String locationOf(String key) {
    return S3Location.of(settings, key).uri();
  }

  /** For tests: bytes of part memory reserved now. */
  long partMemoryReserved() {
    return memory.reserved();
  }
}
