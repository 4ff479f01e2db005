package io.glint.transfer;

import io.glint.digest.LaneScheduler;
import io.glint.digest.MultiBufferDigests;
import io.glint.error.GlintException;
import io.glint.image.ReceivedData;
import io.glint.store.PendingData;
import io.glint.store.SerialLane;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;

/**
 * Streams one upload from a (paused) source into a store with backpressure, counting bytes against a limit and
 * computing the MD5 {@code checksum} and the {@code os_hash_value} multihash on the way. The two digests run on
 * two ordered lanes of the transfer pool, in parallel with each other and with the store write, so that one
 * stream is not bound by one core. At most the store's {@link PendingData#inFlightWindow} bytes are in flight
 * (8 MiB for files, 2 MiB for S3): above it the source is paused, below half of it the source is resumed — memory
 * per upload is bounded whatever the image size.
 *
 * <p>The HTTP layer's chunks are copied into batch arrays taken from a pool shared by all uploads and returned
 * after use. The chunks then die young and the arrays live on, so that the garbage collector never copies or
 * promotes bytes in flight: with the chunks themselves in flight, eight concurrent uploads spent close to a core
 * in full collections. The pool also bounds what all uploads together hold ({@link #MAX_BATCHES} arrays): with
 * many concurrent uploads, each waits its turn for an array rather than the heap running out.
 */
public final class UploadPump {
  /** Chunks are gathered into batches of this size before they go to the digest lanes and the store. */
  static final int BATCH = 256 * 1024;
  /** Most batch arrays all uploads hold together (24 MiB): beyond it uploads wait, their clients paused. */
  static final int MAX_BATCHES = 96;
  /** A partial batch waits this long for more bytes before it is sent on. */
  static final long IDLE_FLUSH_MS = 200;
  private static final BatchPool POOL = new BatchPool(BATCH, MAX_BATCHES, 64);

  private final Context context;
  private final ReadStream<Buffer> source;
  private final PendingData sink;
  /** The store's in-flight window ({@link PendingData#inFlightWindow}). */
  private final long highWater;
  private final long limit;
  private final LongFunction<GlintException> overLimit;
  private final Long expectedSize;
  private final SerialLane md5Lane;
  private final SerialLane hashLane;
  private final MessageDigest md5;
  private final MessageDigest hash;
  private final String hashAlgo;
  /** The upload's jobs in the shared SIMD lanes (null, or with null jobs: the JDK's digests). */
  private final MultiBufferDigests.Lanes lanes;
  /** Set before the first batch is hashed ({@link MultiBufferDigests.Lanes#choose}); then fixed. */
  private LaneScheduler.Job md5Job;
  private LaneScheduler.Job hashJob;
  private boolean lanesChosen;
  /** Full batches held back until the digests are chosen (see {@link #dispatch}). */
  private final java.util.ArrayDeque<byte[]> held = new java.util.ArrayDeque<>();
  /** Most full batches an upload alone holds back while it waits for company (then its client is paused). */
  static final int HOLD_ALONE = 4;
  /** How long an upload alone waits for another to start before it chooses the JDK's digests (default 10 ms). */
  private static volatile long holdAloneNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);
  /** When this upload started holding batches back ({@link System#nanoTime}). */
  private long holdStarted;
  /** The timer that looks for company while batches are held, or -1. */
  private long holdTimer = -1;
  private final Promise<ReceivedData> result = Promise.promise();
  private final io.glint.format.FormatInspector inspector;
  private volatile io.glint.format.FormatInspector.Result inspection;

  private final BatchPool pool = POOL;
  private byte[] batch;
  private int batchBytes;
  private boolean waiting;
  private final java.util.ArrayDeque<io.netty.buffer.ByteBuf> leftovers = new java.util.ArrayDeque<>();
  private long flushTimer = -1;
  private long received;
  private long inFlight;
  private int pendingChunks;
  private boolean paused;
  private boolean ended;
  private boolean done;

  /**
   * @param limit most bytes accepted; more fails with {@code overLimit.apply(received)}
   * @param expectedSize size the client declared ({@code x-openstack-image-size}), checked at the end, or null
   * @param hashAlgo Glance's name of the multihash algorithm ({@code sha512})
   * @param jcaHashName its JCA name ({@code SHA-512})
   */
  public UploadPump(Context context, ReadStream<Buffer> source, PendingData sink, long limit,
      LongFunction<GlintException> overLimit, Long expectedSize, Executor digestPool, String hashAlgo,
      String jcaHashName) {
    this(context, source, sink, limit, overLimit, expectedSize, digestPool, hashAlgo, jcaHashName, false,
        MultiBufferDigests.OFF);
  }

  /**
   * As above; with {@code inspect}, the bytes are also shown to a {@link io.glint.format.FormatInspector} on the
   * md5 lane as they go by (it keeps only the headers it needs), whose verdict is {@link #inspection()}; with
   * {@code multiBuffer} on, the digests may go through the SIMD lanes shared with other uploads instead.
   */
  public UploadPump(Context context, ReadStream<Buffer> source, PendingData sink, long limit,
      LongFunction<GlintException> overLimit, Long expectedSize, Executor digestPool, String hashAlgo,
      String jcaHashName, boolean inspect, MultiBufferDigests multiBuffer) {
    this.inspector = inspect ? new io.glint.format.FormatInspector() : null;
    this.context = context;
    this.source = source;
    this.sink = sink;
    this.highWater = sink.inFlightWindow();
    this.limit = limit;
    this.overLimit = overLimit;
    this.expectedSize = expectedSize;
    this.md5Lane = new SerialLane(digestPool);
    this.hashLane = new SerialLane(digestPool);
    this.hashAlgo = hashAlgo;
    this.lanes = multiBuffer.open(jcaHashName);
    try {
      this.md5 = MessageDigest.getInstance("MD5");
      this.hash = MessageDigest.getInstance(jcaHashName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Batch arrays taken by uploads and not given back yet (all uploads of this JVM). */
  public static int batchesInUse() {
    return POOL.inUse();
  }

  /** Starts the flow; the future completes when all bytes are written (not yet committed) and digested. */
  public Future<ReceivedData> run() {
    source.exceptionHandler(this::fail);
    sink.broken().onFailure(e -> context.runOnContext(v -> fail(e)));
    source.endHandler(v -> guarded(() -> {
      ended = true;
      if (waiting) {
        return; // the bytes kept go out when an array comes back, then it finishes
      }
      if ((batchBytes > 0 || !held.isEmpty()) && !done) {
        dispatch();
      }
      maybeFinish();
    }));
    source.handler(this::onChunk);
    source.resume();
    return result.future();
  }

  /**
   * Runs a step of the flow; anything it throws fails the upload. (Thrown from a stream handler, it would
   * otherwise go to the context's exception handler and the upload would go on without those bytes.)
   */
  private void guarded(Runnable step) {
    try {
      step.run();
    } catch (Throwable t) {
      fail(t);
    }
  }

  private void onChunk(Buffer chunk) {
    guarded(() -> receive(chunk));
  }

  private void receive(Buffer chunk) {
    if (done) {
      return;
    }
    int length = chunk.length();
    received += length;
    if (received > limit) {
      fail(overLimit.apply(received));
      return;
    }
    io.netty.buffer.ByteBuf bytes = ((BufferInternal) chunk).getByteBuf();
    if (waiting) {
      leftovers.addLast(bytes); // a chunk already on its way when the client was paused
      return;
    }
    if (copy(bytes) && batchBytes > 0) {
      armIdleFlush();
    }
  }

  /**
   * Copies bytes into batch arrays, dispatching each full one. When the pool has no array free, the rest is
   * kept and the client paused until an array comes back; then it returns false.
   */
  private boolean copy(io.netty.buffer.ByteBuf bytes) {
    while (bytes.isReadable()) {
      if (batch == null) {
        batch = pool.tryTake();
        if (batch == null) {
          leftovers.addFirst(bytes);
          waiting = true;
          updateFlow();
          pool.await(array -> context.runOnContext(v -> guarded(() -> arrayFreed(array))));
          return false;
        }
      }
      int n = Math.min(bytes.readableBytes(), BATCH - batchBytes);
      bytes.readBytes(batch, batchBytes, n);
      batchBytes += n;
      if (batchBytes == BATCH) {
        dispatch();
      }
    }
    return true;
  }

  private void arrayFreed(byte[] array) {
    if (done) {
      pool.give(array);
      return;
    }
    waiting = false;
    batch = array;
    while (!leftovers.isEmpty()) {
      if (!copy(leftovers.pollFirst())) {
        return;
      }
    }
    if (ended) {
      if (batchBytes > 0 || !held.isEmpty()) {
        dispatch();
      }
      maybeFinish();
    } else if (batchBytes > 0) {
      armIdleFlush();
    }
    updateFlow();
  }

  /**
   * A partial batch of a client that sends slowly is sent on after {@link #IDLE_FLUSH_MS} without new bytes,
   * so that idle uploads do not sit on arrays other uploads wait for.
   */
  private void armIdleFlush() {
    long seen = received;
    if (flushTimer >= 0) {
      return;
    }
    flushTimer = context.owner().setTimer(IDLE_FLUSH_MS, id -> guarded(() -> {
      flushTimer = -1;
      if (!done && !waiting && batchBytes > 0) {
        if (received == seen) {
          dispatch();
        } else {
          armIdleFlush();
        }
      }
    }));
  }

  /**
   * Sends the filled batch (if any) to the store and the two digest lanes. Before the upload's digests are chosen
   * ({@link MultiBufferDigests.Lanes#choose}), the full batches of an upload that is alone are held back, up to
   * {@link #HOLD_ALONE} of them (then its client is paused) and for at most {@link #holdAloneNanos}: uploads that a
   * client starts together open milliseconds apart (a shell loop of curls: several each), and the first would
   * otherwise choose the JDK's digests for its whole length before the others arrive. The digests are chosen as
   * soon as another upload starts, at the end of the data, or when the wait is over.
   */
  private void dispatch() {
    byte[] array = batch;
    int length = batchBytes;
    batch = null;
    batchBytes = 0;
    if (!lanesChosen) {
      if (array != null && length == BATCH && !ended && held.size() < HOLD_ALONE && lanes != null
          && lanes.alone() && (held.isEmpty() || System.nanoTime() - holdStarted < holdAloneNanos)) {
        held.addLast(array);
        if (held.size() == 1) {
          holdStarted = System.nanoTime();
          holdTimer = context.owner().setPeriodic(1, id -> guarded(this::lookForCompany));
        }
        updateFlow();
        return;
      }
      choose();
    }
    if (array != null) {
      send(array, length);
    }
  }

  /** While batches are held: chooses the digests once another upload has started or the wait is over. */
  private void lookForCompany() {
    if (done || lanesChosen) {
      cancelHoldTimer();
      return;
    }
    if (!lanes.alone() || System.nanoTime() - holdStarted >= holdAloneNanos) {
      choose();
      updateFlow();
    }
  }

  /** Chooses the upload's digests (once) and sends the batches held back meanwhile. */
  private void choose() {
    lanesChosen = true;
    cancelHoldTimer();
    if (lanes != null) {
      lanes.choose();
      md5Job = lanes.md5();
      hashJob = lanes.hash();
    }
    for (byte[] h; (h = held.pollFirst()) != null; ) {
      send(h, BATCH);
    }
  }

  private void cancelHoldTimer() {
    if (holdTimer >= 0) {
      context.owner().cancelTimer(holdTimer);
      holdTimer = -1;
    }
  }

  /**
   * How long an upload alone waits for another to start before it chooses the JDK's digests (default 10 ms); a
   * hook for tests, which need a wait their machine's scheduling cannot outrun. Returns the previous value.
   */
  public static java.time.Duration holdAlone(java.time.Duration wait) {
    long before = holdAloneNanos;
    holdAloneNanos = wait.toNanos();
    return java.time.Duration.ofNanos(before);
  }

  /** Sends a batch to the store and the two digest lanes: one task each; the array is then reused. */
  private void send(byte[] array, int length) {
    inFlight += length;
    pendingChunks++;
    Future<Void> written = sink.write(BufferInternal.buffer(io.netty.buffer.Unpooled.wrappedBuffer(array, 0, length)));
    Future<Void> md5ed = md5Job == null || inspector != null ? md5Lane.submit(() -> {
      if (md5Job == null) {
        long t0 = System.nanoTime();
        md5.update(array, 0, length);
        DigestStats.add("md5", length, System.nanoTime() - t0);
      }
      if (inspector != null) {
        inspector.feed(array, 0, length); // once complete, it only counts
      }
      return null;
    }) : Future.succeededFuture();
    if (md5Job != null) {
      md5ed = Future.join(md5ed, Future.fromCompletionStage(md5Job.update(array, 0, length))).mapEmpty();
    }
    Future<Void> hashed = hashJob != null ? Future.fromCompletionStage(hashJob.update(array, 0, length))
        : hashLane.submit(() -> {
          long t0 = System.nanoTime();
          hash.update(array, 0, length);
          DigestStats.add(hashAlgo, length, System.nanoTime() - t0);
          return null;
        });
    // join, not all: the array goes back to the pool only when no step can still be reading it.
    Future.join(written, md5ed, hashed).onComplete(ar -> context.runOnContext(v -> guarded(() -> {
      pool.give(array);
      inFlight -= length;
      pendingChunks--;
      if (ar.failed()) {
        fail(ar.cause());
        return;
      }
      updateFlow();
      maybeFinish();
    })));
    updateFlow();
  }

  /**
   * Pauses the client while more than the store's in-flight window of this upload's bytes are in flight, it waits
   * for an array, or it holds all the batches it may hold before its digests are chosen; resumes it below half the
   * window with an array at hand.
   */
  private void updateFlow() {
    if (done) {
      return;
    }
    boolean holdFull = !lanesChosen && held.size() >= HOLD_ALONE;
    if (!paused && (waiting || inFlight > highWater || holdFull)) {
      paused = true;
      source.pause();
    } else if (paused && !waiting && inFlight <= highWater / 2 && !holdFull) {
      paused = false;
      source.resume();
    }
  }

  private void maybeFinish() {
    if (done || !ended || waiting || batchBytes > 0 || !held.isEmpty() || pendingChunks > 0) {
      return;
    }
    done = true;
    if (expectedSize != null && expectedSize != received) {
      if (lanes != null) {
        lanes.close(false);
      }
      result.fail(GlintException.badRequest("The size of the uploaded data (" + received
          + " bytes) does not match x-openstack-image-size (" + expectedSize + " bytes)."));
      return;
    }
    Future<byte[]> md5Lanes = md5Job == null ? Future.succeededFuture()
        : Future.fromCompletionStage(md5Job.digest());
    Future<String> md5Hex = md5Lane.submit(() -> {
      if (inspector != null) {
        inspection = inspector.result();
      }
      return md5Job == null ? HexFormat.of().formatHex(md5.digest()) : null;
    }).compose(hex -> hex != null ? Future.succeededFuture(hex) : md5Lanes.map(HexFormat.of()::formatHex));
    Future<String> hashHex = hashJob != null
        ? Future.fromCompletionStage(hashJob.digest()).map(HexFormat.of()::formatHex)
        : hashLane.submit(() -> HexFormat.of().formatHex(hash.digest()));
    if (lanes != null) {
      lanes.close(true);
    }
    Future.all(md5Hex, hashHex).onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        result.fail(ar.cause());
      } else {
        result.complete(new ReceivedData(received, md5Hex.result(), hashAlgo, hashHex.result()));
      }
    }));
  }

  private void fail(Throwable cause) {
    if (done) {
      return;
    }
    done = true;
    if (lanes != null) {
      lanes.close(false);
    }
    source.handler(null);
    source.endHandler(null);
    leftovers.clear();
    if (batch != null) {
      pool.give(batch); // arrays in flight go back as their steps complete
      batch = null;
    }
    for (byte[] h; (h = held.pollFirst()) != null; ) {
      pool.give(h);
    }
    cancelHoldTimer();
    if (flushTimer >= 0) {
      context.owner().cancelTimer(flushTimer);
      flushTimer = -1;
    }
    result.fail(cause);
  }

  /** What the format inspector found, once {@link #run()} succeeded; null without inspection. */
  public io.glint.format.FormatInspector.Result inspection() {
    return inspection;
  }

  /** Bytes received so far. */
  public long received() {
    return received;
  }
}
