package io.glint.transfer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The image-data transfers (uploads, stagings, downloads) a server has in flight. Graceful shutdown waits for
 * it to fall to zero ({@link #idle()}); the metrics read it. An upload counts until its outcome is settled, its
 * cleanup included: a cut upload is in flight until its image is back to queued and its data removed.
 */
public final class Transfers {
  /** What is moving. */
  public enum Kind { UPLOAD, DOWNLOAD }

  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicInteger downloads = new AtomicInteger();
  private final List<Promise<Void>> waiting = new ArrayList<>();
  private final Map<String, LongAdder> uploadedBytes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> downloadedBytes = new ConcurrentHashMap<>();

  /** Counts {@code transfer} in flight until it completes, and returns it. */
  public <T> Future<T> track(Kind kind, Future<T> transfer) {
    AtomicInteger count = kind == Kind.UPLOAD ? uploads : downloads;
    count.incrementAndGet();
    return transfer.andThen(ar -> {
      count.decrementAndGet();
      wakeIfIdle();
    });
  }

  /** Counts {@code bytes} of image data received into {@code store} by a finished upload. */
  public void uploaded(String store, long bytes) {
    uploadedBytes.computeIfAbsent(store, k -> new LongAdder()).add(bytes);
  }

  /** Counts {@code bytes} of image data sent from {@code store} by a download (finished or cut). */
  public void downloaded(String store, long bytes) {
    downloadedBytes.computeIfAbsent(store, k -> new LongAdder()).add(bytes);
  }

  /** Bytes received by store, as counted so far (live view). */
  public Map<String, LongAdder> uploadedBytes() {
    return uploadedBytes;
  }

  /** Bytes sent by store, as counted so far (live view). */
  public Map<String, LongAdder> downloadedBytes() {
    return downloadedBytes;
  }

  public int inFlight(Kind kind) {
    return (kind == Kind.UPLOAD ? uploads : downloads).get();
  }

  public int inFlight() {
    return uploads.get() + downloads.get();
  }

  /** Completes when no transfer is in flight (at once if none is). */
  public Future<Void> idle() {
    Promise<Void> p = Promise.promise();
    synchronized (waiting) {
      waiting.add(p);
    }
    wakeIfIdle();
    return p.future();
  }

  private void wakeIfIdle() {
    if (inFlight() != 0) {
      return;
    }
    List<Promise<Void>> ready;
    synchronized (waiting) {
      ready = new ArrayList<>(waiting);
      waiting.clear();
    }
    ready.forEach(Promise::tryComplete);
  }
}
