package io.glint.cache;

import io.glint.store.ImageData;
import io.glint.store.SerialLane;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One image being read from its store into the cache, once per node however many downloads want it: the bytes
 * are written to {@code incomplete/<id>.<nonce>} off the event loop (the store's stream is paused while too much
 * is queued), and readers ({@link TailStream}) follow the growing file at their own pace, woken as bytes land.
 * At the end the size and the digests the image has ({@code checksum}, {@code os_hash_value}) are checked, the
 * file is synced and renamed to its complete name; until then the last byte is held back from every reader, so
 * that no download of a corrupt fill ever looks complete. A failure (store error, stall, mismatch) removes the
 * file and fails every reader. Leaving readers never stop a fill.
 */
final class CacheFill {
  enum State { RUNNING, DONE, FAILED }

  /** Pause the store's stream when this much is waiting to be written; resume below a quarter of it. */
  static final long HIGH_WATER = 8L * 1024 * 1024;

  final String imageId;
  final CachedIdentity identity;
  final Path temp;
  /** Downloads reading this fill now; handed to the entry it becomes. */
  final AtomicInteger readers = new AtomicInteger();
  final long startedNanos = System.nanoTime();

  private final Path target;
  private final Path sidecar;
  private final SerialLane lane;
  private final CacheMetrics metrics;
  private final Promise<CacheEntry> done = Promise.promise();
  private final AtomicLong queued = new AtomicLong();
  private final List<Waiter> waiters = new ArrayList<>();
  private final MessageDigest md5;
  private final MessageDigest osHash;

  private volatile State state = State.RUNNING;
  private volatile Throwable failure;
  private volatile long written;
  private volatile long lastProgressNanos = System.nanoTime();
  private FileChannel channel;
  private ImageData.Stream source;
  private Context context;
  private boolean paused;
  private int peakReaders;

  private record Waiter(long target, Context context, Runnable wake) {}

  CacheFill(String imageId, CachedIdentity identity, Path temp, Path target, Path sidecar, Executor io,
      CacheMetrics metrics) {
    this.imageId = imageId;
    this.identity = identity;
    this.temp = temp;
    this.target = target;
    this.sidecar = sidecar;
    this.lane = new SerialLane(io);
    this.metrics = metrics;
    this.md5 = identity.checksum() == null ? null : digest("MD5");
    String jca = identity.osHashJcaName();
    this.osHash = jca == null ? null : digest(jca);
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (java.security.NoSuchAlgorithmException e) {
      return null;
    }
  }

  /** Completes with the verified entry, or fails; on the lane's thread. */
  Future<CacheEntry> done() {
    return done.future();
  }

  State state() {
    return state;
  }

  Throwable failure() {
    return failure;
  }

  long written() {
    return written;
  }

  long lastProgressNanos() {
    return lastProgressNanos;
  }

  int peakReaders() {
    return peakReaders;
  }

  /**
   * How many bytes from the start readers may send: what was written, less the image's last byte until the fill
   * is verified.
   */
  long available() {
    if (state == State.DONE) {
      return identity.size();
    }
    return Math.min(written, Math.max(0, identity.size() - 1));
  }

  /** Starts the fill on the caller's context: creates the file, then streams the store's data into it. */
  void start(java.util.function.Supplier<Future<ImageData>> backend) {
    context = io.vertx.core.Vertx.currentContext();
    lane.submit(() -> {
      Files.createDirectories(temp.getParent());
      channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return null;
    }).compose(v -> {
      Promise<ImageData> opened = Promise.promise();
      context.runOnContext(x -> backend.get().onComplete(opened));
      return opened.future();
    }).onComplete(ar -> context.runOnContext(x -> {
      if (ar.failed()) {
        fail(ar.cause());
      } else if (!(ar.result() instanceof ImageData.Stream stream)) {
        fail(new IOException("the store returned a local file; it is not cached"));
      } else {
        pump(stream);
      }
    }));
  }

  private void pump(ImageData.Stream stream) {
    if (state != State.RUNNING) {
      stream.abandon();
      return;
    }
    source = stream;
    if (stream.relay() != null) {
      stream.relay().useStream();
    }
    ReadStream<Buffer> in = stream.stream();
    in.exceptionHandler(this::fail);
    in.endHandler(v -> finish());
    in.handler(this::received);
    in.resume();
  }

  private void received(Buffer chunk) {
    if (state != State.RUNNING) {
      return;
    }
    int n = chunk.length();
    metrics.fromBackend(n);
    if (queued.addAndGet(n) > HIGH_WATER && !paused) {
      paused = true;
      source.stream().pause();
    }
    ByteBuffer bytes = ((BufferInternal) chunk).getByteBuf().nioBuffer();
    lane.submit(() -> {
      if (state != State.RUNNING) {
        return null;
      }
      ByteBuffer forDigest = bytes.duplicate();
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      if (md5 != null) {
        md5.update(forDigest.duplicate());
      }
      if (osHash != null) {
        osHash.update(forDigest);
      }
      written += n;
      lastProgressNanos = System.nanoTime();
      wake(false);
      return null;
    }).onComplete(ar -> {
      if (ar.failed()) {
        context.runOnContext(v -> fail(ar.cause()));
        return;
      }
      if (queued.addAndGet(-n) < HIGH_WATER / 4) {
        context.runOnContext(v -> {
          if (paused && state == State.RUNNING && queued.get() < HIGH_WATER / 4) {
            paused = false;
            source.stream().resume();
          }
        });
      }
    });
  }

  /** The store's stream ended: once every byte is written, verify, sync, rename. */
  private void finish() {
    lane.submit(() -> {
      if (state != State.RUNNING) {
        return null;
      }
      if (written != identity.size()) {
        throw new IOException("the store sent " + written + " bytes, the image has " + identity.size());
      }
      check("checksum", md5, identity.checksum());
      check("os_hash_value", osHash, identity.osHashValue());
      channel.force(false);
      channel.close();
      double now = System.currentTimeMillis() / 1000.0;
      CacheEntry entry = new CacheEntry(imageId, target, identity, now, now, 0, readers);
      Path sideTemp = temp.resolveSibling(temp.getFileName() + ".json");
      Files.writeString(sideTemp, entry.toJson().encode());
      Files.move(sideTemp, sidecar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return entry;
    }).onComplete(ar -> {
      if (ar.failed()) {
        context.runOnContext(v -> fail(ar.cause()));
      } else if (ar.result() != null) {
        if (!transition(State.DONE)) {
          lane.submit(() -> {
            Files.deleteIfExists(target); // failed (evicted) just as it completed: not an entry after all
            Files.deleteIfExists(sidecar);
            return null;
          });
          return;
        }
        done.tryComplete(ar.result());
        wake(true);
        if (source.relay() != null) {
          context.runOnContext(v -> source.abandon()); // a relay's connection is never reused
        }
      }
    });
  }

  private static void check(String what, MessageDigest digest, String expected) throws IOException {
    if (digest == null || expected == null) {
      return;
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equalsIgnoreCase(expected)) {
      throw new IOException("the data's " + what + " is " + actual + ", the image's is " + expected);
    }
  }

  /** Fails the fill (once): its readers are failed, the store's stream given up, the partial file removed. */
  void fail(Throwable cause) {
    failure = cause;
    if (!transition(State.FAILED)) {
      return;
    }
    done.tryFail(cause);
    wake(true);
    ImageData.Stream s = source;
    if (s != null && context != null) {
      context.runOnContext(v -> s.abandon());
    }
    lane.submit(() -> {
      if (channel != null) {
        channel.close();
      }
      Files.deleteIfExists(temp);
      return null;
    });
  }

  /** Moves a running fill to {@code next}; false if it had already ended. */
  private synchronized boolean transition(State next) {
    if (state != State.RUNNING) {
      return false;
    }
    state = next;
    return true;
  }

  // ------------------------------------------------------------------------------------------------ readers

  /** A reader joins; false when the fill has already failed. */
  synchronized boolean join() {
    if (state == State.FAILED) {
      return false;
    }
    peakReaders = Math.max(peakReaders, readers.incrementAndGet());
    return true;
  }

  /**
   * Opens the fill's file for reading: the temporary file, or its complete name if the fill has just been
   * renamed. Blocking: call off the event loop.
   */
  FileChannel openForReading() throws IOException {
    try {
      return FileChannel.open(temp, StandardOpenOption.READ);
    } catch (java.nio.file.NoSuchFileException e) {
      if (state == State.FAILED) {
        throw new IOException("the cache fill of image " + imageId + " failed", failure);
      }
      return FileChannel.open(target, StandardOpenOption.READ);
    }
  }

  /** Runs {@code wake} on {@code ctx} once {@code target} bytes are available or the fill has ended. */
  void awaitAvailable(long target, Context ctx, Runnable wake) {
    synchronized (waiters) {
      if (state == State.RUNNING && available() < target) {
        waiters.add(new Waiter(target, ctx, wake));
        return;
      }
    }
    ctx.runOnContext(v -> wake.run());
  }

  private void wake(boolean all) {
    List<Waiter> ready = new ArrayList<>();
    synchronized (waiters) {
      long available = available();
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (all || w.target() <= available) {
          ready.add(w);
          it.remove();
        }
      }
    }
    for (Waiter w : ready) {
      w.context().runOnContext(v -> w.wake().run());
    }
  }
}
