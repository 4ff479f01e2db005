package io.glint.cache;

import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's image cache ({@code image_cache_dir}): complete entries {@code <dir>/<image id>} (with a
 * {@code .json} sidecar holding identity, hits and last access), fills in progress {@code
 * <dir>/incomplete/<id>.<nonce>}, and the prefetch queue {@code <dir>/queue/<id>}. The index is in memory,
 * rebuilt from the directory at start-up (partial files deleted). One fill per image however many downloads
 * ask ({@link CacheFill}); {@code image_cache_max_size} is a hard limit, kept by reserving an image's size
 * when its fill starts and evicting the least recently used entries that nobody is reading; an image that
 * cannot fit goes around the cache. Shared by all event loops: its state is guarded by one lock, file work runs
 * on the transfer pool.
 */
public final class ImageCache {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
  private static final Pattern IMAGE_ID = Pattern.compile("^[0-9a-fA-F-]{36}$");

  /** The current identity of an image as the database has it; empty when it is gone or no longer active. */
  public interface Identities {
    Future<Optional<CachedIdentity>> current(String imageId);
  }

  /**
   * Bytes to send for a download through the cache.
   *
   * @param data a file region (a complete entry: sent with sendfile) or a stream of a fill in progress
   * @param sent to call once the sending ended, with whether it succeeded
   */
  public record Served(ImageData data, Consumer<Boolean> sent) {}

  private final Vertx vertx;
  private final Path dir;
  private final Path incomplete;
  private final Path queueDir;
  private final long maxSize;
  private final long stallNanos;
  private final Executor io;
  /** Where fills write: their own threads, so that their writes never queue behind readers' reads on {@code io}. */
  private final java.util.concurrent.ExecutorService fillThreads = java.util.concurrent.Executors.newCachedThreadPool(
      new java.util.concurrent.ThreadFactory() {
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
          Thread t = new Thread(r, "glint-cache-fill-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        }
      });
  private final CacheMetrics metrics = new CacheMetrics();
  private final Object lock = new Object();
  private final LinkedHashMap<String, CacheEntry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, CacheFill> fills = new HashMap<>();
  private final LinkedHashSet<String> queued = new LinkedHashSet<>();
  private long reserved;
  /**
   * Whether downloads of a fill in progress go out with sendfile where the connection takes it ({@link TailRelay});
   * tests turn it off to exercise the heap path ({@link TailStream}) that other connections take.
   */
  private volatile boolean fileTails = true;
  private Identities identities;
  private long timer = -1;

  public ImageCache(Vertx vertx, Path dir, long maxSize, int stallTimeSeconds, Executor io) {
    this.vertx = vertx;
    this.dir = dir.toAbsolutePath();
    this.incomplete = this.dir.resolve("incomplete");
    this.queueDir = this.dir.resolve("queue");
    this.maxSize = maxSize;
    this.stallNanos = stallTimeSeconds * 1_000_000_000L;
    this.io = io;
  }

  /** For tests: false sends downloads of fills in progress through the heap, as connections sendfile cannot take. */
  void sendTailsAsFiles(boolean on) {
    fileTails = on;
  }

  public CacheMetrics metrics() {
    return metrics;
  }

  public Path directory() {
    return dir;
  }

  public long maxSize() {
    return maxSize;
  }

  /** Where the cache checks whether its entries are still their images' data. */
  public ImageCache withIdentities(Identities source) {
    this.identities = source;
    return this;
  }

  // ------------------------------------------------------------------------------------------------ start-up

  /**
   * Re-indexes the directory (blocking; at start-up): complete entries with a readable sidecar of the right size
   * are kept, partial fills and anything unreadable are deleted, the prefetch queue is reloaded.
   */
  public void open() {
    try {
      Files.createDirectories(incomplete);
      Files.createDirectories(queueDir);
      int partial = 0;
      try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(incomplete)) {
        for (Path p : leftovers) {
          Files.deleteIfExists(p);
          partial++;
        }
      }
      int dropped = 0;
      List<CacheEntry> found = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Files::isRegularFile)) {
        for (Path p : files) {
          String name = p.getFileName().toString();
          if (name.endsWith(".json")) {
            Path data = p.resolveSibling(name.substring(0, name.length() - 5));
            if (!Files.exists(data)) {
              Files.deleteIfExists(p);
              dropped++;
            }
            continue;
          }
          CacheEntry entry = readEntry(p);
          if (entry == null) {
            Files.deleteIfExists(p);
            Files.deleteIfExists(sidecarOf(name));
            dropped++;
          } else {
            found.add(entry);
          }
        }
      }
      found.sort(java.util.Comparator.comparingDouble(e -> e.lastAccessed));
      synchronized (lock) {
        for (CacheEntry e : found) {
          entries.put(e.imageId, e);
          reserved += e.size();
        }
        try (DirectoryStream<Path> q = Files.newDirectoryStream(queueDir)) {
          for (Path p : q) {
            queued.add(p.getFileName().toString());
          }
        }
        held();
      }
      LOG.info("Image cache at {}: {} entries ({} bytes of at most {}), {} queued; removed {} partial and {} "
          + "unusable file(s)", dir, found.size(), reserved, maxSize, queued.size(), partial, dropped);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the image cache at " + dir, e);
    }
  }

  private CacheEntry readEntry(Path data) {
    String name = data.getFileName().toString();
    if (!IMAGE_ID.matcher(name).matches()) {
      return null;
    }
    try {
      Path sidecar = sidecarOf(name);
      if (!Files.exists(sidecar)) {
        return null;
      }
      CacheEntry entry = CacheEntry.fromJson(data, new JsonObject(Files.readString(sidecar)));
      if (!name.equals(entry.imageId) || Files.size(data) != entry.size()) {
        return null;
      }
      return entry;
    } catch (IOException | RuntimeException e) {
      LOG.warn("Unreadable cache entry {} removed: {}", data, e.toString());
      return null;
    }
  }

  /** Starts the housekeeping timer: stalled fills, hit counts written to the sidecars, a metrics line. */
  public void startHousekeeping(long periodMillis) {
    timer = vertx.setPeriodic(periodMillis, t -> housekeeping());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    List<CacheFill> running;
    synchronized (lock) {
      running = new ArrayList<>(fills.values());
    }
    running.forEach(f -> f.fail(new IOException("the server is stopping")));
    persistHits();
    fillThreads.shutdown();
  }

  void housekeeping() {
    long now = System.nanoTime();
    List<CacheFill> stalled = new ArrayList<>();
    synchronized (lock) {
      for (CacheFill f : fills.values()) {
        if (now - f.lastProgressNanos() > stallNanos) {
          stalled.add(f);
        }
      }
    }
    for (CacheFill f : stalled) {
      LOG.warn("Cache fill of image {} stalled at {} of {} bytes for more than image_cache_stall_time; abandoned",
          f.imageId, f.written(), f.identity.size());
      f.fail(new IOException("the cache fill stalled (image_cache_stall_time)"));
    }
    persistHits();
    LOG.debug("Image cache: {}", metrics.snapshot());
  }

  private void persistHits() {
    List<CacheEntry> dirty = new ArrayList<>();
    synchronized (lock) {
      for (CacheEntry e : entries.values()) {
        if (e.dirty) {
          e.dirty = false;
          dirty.add(e);
        }
      }
    }
    if (dirty.isEmpty()) {
      return;
    }
    io.execute(() -> {
      for (CacheEntry e : dirty) {
        JsonObject json;
        synchronized (lock) {
          if (entries.get(e.imageId) != e) {
            continue;
          }
          json = e.toJson();
        }
        try {
          Path temp = incomplete.resolve(e.imageId + "." + UUID.randomUUID() + ".json");
          Files.writeString(temp, json.encode());
          Files.move(temp, sidecarOf(e.imageId), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
          LOG.debug("Could not record the hits of cache entry {}: {}", e.imageId, ex.toString());
        }
      }
    });
  }

  private Path sidecarOf(String imageId) {
    return dir.resolve(imageId + ".json");
  }

  // ------------------------------------------------------------------------------------------------ serving

  /**
   * A download of {@code range} of an image through the cache: from its complete entry, or following its fill
   * (started now if none runs; {@code backend} opens the whole image at {@code identity.location()}). Empty when
   * the image goes around the cache (it cannot fit); the caller then reads the store itself.
   */
  public Optional<Served> serve(String imageId, CachedIdentity identity, ByteRange range,
      Supplier<Future<ImageData>> backend) {
    long offset = range.isAll() ? 0 : range.offset();
    long length = range.isAll() ? identity.size() : range.length();
    CacheFill fill;
    boolean started = false;
    List<CacheEntry> evicted = new ArrayList<>();
    synchronized (lock) {
      CacheEntry entry = entries.get(imageId);
      if (entry != null && !entry.identity.equals(identity)) {
        LOG.info("Cache entry of image {} is stale (its data or location changed); evicted", imageId);
        evictLocked(entry, evicted);
        entry = null;
      }
      if (entry != null) {
        entry.hits++;
        entry.lastAccessed = System.currentTimeMillis() / 1000.0;
        entry.dirty = true;
        entry.readers.incrementAndGet();
        metrics.hit();
        CacheEntry served = entry;
        deleteFiles(evicted);
        return Optional.of(new Served(new ImageData.FileRegion(entry.file, offset, length), ok -> {
          served.readers.decrementAndGet();
          if (ok) {
            metrics.fromCache(length);
          }
        }));
      }
      metrics.miss();
      fill = fills.get(imageId);
      if (fill != null && fill.state() == CacheFill.State.FAILED) {
        fills.remove(imageId); // its end is being recorded; this download starts the retry
        fill = null;
      }
      if (fill != null && !(fill.identity.equals(identity) && fill.join())) {
        // Another version of the image is being filled (or this fill just failed): this download goes around.
        metrics.bypassed();
        metrics.fromBackend(length);
        deleteFiles(evicted);
        return Optional.empty();
      }
      if (fill != null) {
        metrics.joined();
      } else {
        if (!makeRoomLocked(identity.size(), evicted)) {
          metrics.bypassed();
          metrics.fromBackend(length);
          deleteFiles(evicted);
          LOG.debug("Image {} ({} bytes) does not fit in the cache now; served from its store", imageId,
              identity.size());
          return Optional.empty();
        }
        fill = newFillLocked(imageId, identity);
        fill.join();
        started = true;
      }
    }
    deleteFiles(evicted);
    if (started) {
      fill.start(backend);
    }
    Context context = Vertx.currentContext();
    TailStream tail = new TailStream(fill, offset, length, io, context, metrics);
    tail.pause();
    // sendfile of the growing file where the client's connection takes it; else the stream, through the heap
    TailRelay relay = fileTails ? new TailRelay(fill, offset, length, io, context, metrics, tail::abandon) : null;
    return Optional.of(new Served(new ImageData.Stream(tail, length, relay, tail::abandon), ok -> { }));
  }

  /**
   * Fills the cache with an image without a reader (the prefetcher); completes when it is cached (at once if it
   * already is), fails if the fill fails or the image cannot fit.
   */
  public Future<Void> prefetch(String imageId, CachedIdentity identity, Supplier<Future<ImageData>> backend) {
    CacheFill fill;
    boolean started = false;
    List<CacheEntry> evicted = new ArrayList<>();
    synchronized (lock) {
      CacheEntry entry = entries.get(imageId);
      if (entry != null && entry.identity.equals(identity)) {
        return Future.succeededFuture();
      }
      if (entry != null) {
        evictLocked(entry, evicted);
      }
      fill = fills.get(imageId);
      if (fill != null && fill.state() == CacheFill.State.FAILED) {
        fills.remove(imageId);
        fill = null;
      }
      if (fill != null && !fill.identity.equals(identity)) {
        deleteFiles(evicted);
        return Future.failedFuture("another version of image " + imageId + " is being cached");
      }
      if (fill == null) {
        if (!makeRoomLocked(identity.size(), evicted)) {
          deleteFiles(evicted);
          return Future.failedFuture("image " + imageId + " (" + identity.size()
              + " bytes) does not fit in the cache (image_cache_max_size " + maxSize + ")");
        }
        fill = newFillLocked(imageId, identity);
        started = true;
      }
    }
    deleteFiles(evicted);
    if (started) {
      fill.start(backend);
    }
    Promise<Void> done = Promise.promise();
    fill.done().onComplete(ar -> done.handle(ar.mapEmpty()));
    return done.future();
  }

  private CacheFill newFillLocked(String imageId, CachedIdentity identity) {
    Path temp = incomplete.resolve(imageId + "." + UUID.randomUUID().toString().substring(0, 8));
    CacheFill fill = new CacheFill(imageId, identity, temp, dir.resolve(imageId), sidecarOf(imageId), fillThreads,
        metrics);
    fills.put(imageId, fill);
    reserved += identity.size();
    metrics.fillStarted();
    LOG.info("Caching image {} ({} bytes) from {}", imageId, identity.size(), redact(identity.location()));
    fill.done().onComplete(ar -> filled(fill, ar.succeeded() ? ar.result() : null, ar.cause()));
    return fill;
  }

  private static String redact(String location) {
    int at = location.indexOf('@');
    int scheme = location.indexOf("://");
    return at > 0 && scheme > 0 && at > scheme ? location.substring(0, scheme + 3) + "***" + location.substring(at)
        : location;
  }

  private void filled(CacheFill fill, CacheEntry entry, Throwable failure) {
    double seconds = (System.nanoTime() - fill.startedNanos) / 1e9;
    List<CacheEntry> evicted = new ArrayList<>();
    boolean installed = false;
    synchronized (lock) {
      boolean current = fills.get(fill.imageId) == fill;
      if (current) {
        fills.remove(fill.imageId);
      }
      if (entry != null && current) {
        CacheEntry old = entries.put(fill.imageId, entry);
        if (old != null) {
          reserved -= old.size();
        }
        installed = true;
        makeRoomLocked(0, evicted); // keeps the limit should it ever have been passed
      } else {
        reserved -= fill.identity.size();
      }
      held();
    }
    metrics.fillEnded(installed);
    deleteFiles(evicted);
    if (installed) {
      LOG.info("Cached image {}: {} bytes in {} s ({} MB/s), {} reader(s) at most; cache: {}", fill.imageId,
          fill.identity.size(), String.format(java.util.Locale.ROOT, "%.2f", seconds),
          String.format(java.util.Locale.ROOT, "%.0f", fill.identity.size() / 1e6 / Math.max(seconds, 1e-3)),
          fill.peakReaders(), metrics.snapshot());
    } else if (entry != null) {
      // Evicted while it was being filled (the image changed): its file goes.
      deleteFiles(List.of(entry));
    } else {
      LOG.warn("Caching image {} failed after {} of {} bytes ({}); {} reader(s) reset", fill.imageId, fill.written(),
          fill.identity.size(), failure == null ? "?" : failure.getMessage(), fill.readers.get());
    }
  }

  /** Evicts unread entries, least recently used first, until {@code size} more bytes fit; false if they cannot. */
  private boolean makeRoomLocked(long size, List<CacheEntry> evicted) {
    if (size > maxSize) {
      return false;
    }
    if (reserved + size <= maxSize) {
      return true;
    }
    long freeable = 0;
    for (CacheEntry e : entries.values()) {
      if (e.readers.get() == 0) {
        freeable += e.size();
      }
    }
    if (reserved - freeable + size > maxSize) {
      return false;
    }
    for (CacheEntry e : new ArrayList<>(entries.values())) {
      if (reserved + size <= maxSize) {
        break;
      }
      if (e.readers.get() == 0) {
        LOG.info("Cache entry of image {} ({} bytes, {} hits) evicted, least recently used, to make room",
            e.imageId, e.size(), e.hits);
        evictLocked(e, evicted);
      }
    }
    return true;
  }

  private void evictLocked(CacheEntry entry, List<CacheEntry> evicted) {
    if (entries.get(entry.imageId) == entry) {
      entries.remove(entry.imageId);
      reserved -= entry.size();
      metrics.evicted();
      evicted.add(entry);
      held();
    }
  }

  private void held() {
    long bytes = 0;
    for (CacheEntry e : entries.values()) {
      bytes += e.size();
    }
    metrics.held(entries.size(), bytes);
  }

  private void deleteFiles(List<CacheEntry> evicted) {
    if (evicted.isEmpty()) {
      return;
    }
    List<CacheEntry> copy = List.copyOf(evicted);
    io.execute(() -> {
      for (CacheEntry e : copy) {
        synchronized (lock) {
          if (entries.get(e.imageId) != null || fills.get(e.imageId) != null) {
            continue; // a new entry took the name meanwhile; its file is not ours to delete
          }
        }
        try {
          Files.deleteIfExists(e.file);
          Files.deleteIfExists(sidecarOf(e.imageId));
        } catch (IOException ex) {
          LOG.warn("Could not delete cache file {}: {}", e.file, ex.toString());
        }
      }
    });
  }

  // ---------------------------------------------------------------------------------------- invalidation

  /**
   * An image changed somewhere ({@code "*"}: any may have): entries and fills that are no longer its data
   * (deleted, deactivated, data or location replaced) are evicted or failed, queued deleted images dropped.
   */
  public void imageChanged(String imageId) {
    if (identities == null) {
      return;
    }
    List<String> ids = new ArrayList<>();
    synchronized (lock) {
      if ("*".equals(imageId)) {
        ids.addAll(entries.keySet());
        ids.addAll(fills.keySet());
      } else if (entries.containsKey(imageId) || fills.containsKey(imageId)) {
        ids.add(imageId);
      }
    }
    for (String id : new LinkedHashSet<>(ids)) {
      identities.current(id).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("Could not check cache entry of image {} after a change: {}", id, ar.cause().toString());
          return;
        }
        revalidate(id, ar.result().orElse(null));
      });
    }
  }

  private void revalidate(String imageId, CachedIdentity current) {
    List<CacheEntry> evicted = new ArrayList<>();
    CacheFill stale = null;
    synchronized (lock) {
      CacheEntry entry = entries.get(imageId);
      if (entry != null && !entry.identity.equals(current)) {
        LOG.info("Cache entry of image {} evicted: the image was {}", imageId,
            current == null ? "deleted or deactivated" : "given other data");
        evictLocked(entry, evicted);
      }
      CacheFill fill = fills.get(imageId);
      if (fill != null && !fill.identity.equals(current)) {
        stale = fill;
      }
    }
    deleteFiles(evicted);
    if (stale != null) {
      LOG.info("Cache fill of image {} abandoned: the image was {}", imageId,
          current == null ? "deleted or deactivated" : "given other data");
      stale.fail(new IOException("image " + imageId + " changed during its cache fill"));
    }
  }

  // ------------------------------------------------------------------------------------------------ the API

  /** {@code GET /v2/cache}'s {@code cached_images}, by image id. */
  public JsonArray cachedImages() {
    List<JsonObject> list = new ArrayList<>();
    synchronized (lock) {
      for (CacheEntry e : entries.values()) {
        list.add(e.describe());
      }
    }
    list.sort(java.util.Comparator.comparing(j -> j.getString("image_id")));
    return new JsonArray(new ArrayList<>(list));
  }

  public List<String> queuedImages() {
    synchronized (lock) {
      return new ArrayList<>(queued);
    }
  }

  public boolean isCached(String imageId) {
    synchronized (lock) {
      return entries.containsKey(imageId);
    }
  }

  public boolean isQueued(String imageId) {
    synchronized (lock) {
      return queued.contains(imageId);
    }
  }

  /** Queues an image for the prefetcher (persisted under {@code queue/}). */
  public Future<Void> queue(String imageId) {
    synchronized (lock) {
      if (entries.containsKey(imageId) || !queued.add(imageId)) {
        return Future.succeededFuture();
      }
    }
    return blocking(() -> {
      Files.write(queueDir.resolve(imageId), new byte[0]);
      return null;
    });
  }

  /** Removes an image from the queue; whether it was queued. */
  public Future<Boolean> dequeue(String imageId) {
    boolean was;
    synchronized (lock) {
      was = queued.remove(imageId);
    }
    if (!was) {
      return Future.succeededFuture(false);
    }
    return blocking(() -> {
      Files.deleteIfExists(queueDir.resolve(imageId));
      return true;
    });
  }

  /** Removes an image's complete entry (entries being read are removed too: open files stay readable). */
  public Future<Boolean> delete(String imageId) {
    List<CacheEntry> evicted = new ArrayList<>();
    synchronized (lock) {
      CacheEntry entry = entries.get(imageId);
      if (entry == null) {
        return Future.succeededFuture(false);
      }
      evictLocked(entry, evicted);
    }
    LOG.info("Cache entry of image {} deleted through the API", imageId);
    deleteFiles(evicted);
    return Future.succeededFuture(true);
  }

  /** Removes every complete entry; how many. */
  public int deleteAll() {
    List<CacheEntry> evicted = new ArrayList<>();
    synchronized (lock) {
      for (CacheEntry e : new ArrayList<>(entries.values())) {
        evictLocked(e, evicted);
      }
    }
    LOG.info("{} cache entries deleted through the API", evicted.size());
    deleteFiles(evicted);
    return evicted.size();
  }

  /** Empties the prefetch queue; how many were queued. */
  public Future<Integer> dequeueAll() {
    List<String> ids;
    synchronized (lock) {
      ids = new ArrayList<>(queued);
      queued.clear();
    }
    return blocking(() -> {
      for (String id : ids) {
        Files.deleteIfExists(queueDir.resolve(id));
      }
      return ids.size();
    });
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    Promise<T> promise = Promise.promise();
    Context ctx = Vertx.currentContext();
    io.execute(() -> {
      try {
        T result = work.call();
        run(ctx, () -> promise.complete(result));
      } catch (Throwable t) {
        run(ctx, () -> promise.fail(t));
      }
    });
    return promise.future();
  }

  private static void run(Context ctx, Runnable r) {
    if (ctx == null) {
      r.run();
    } else {
      ctx.runOnContext(v -> r.run());
    }
  }

  /** Whether a fill of the image runs now (tests, the API's listing). */
  public boolean isFilling(String imageId) {
    synchronized (lock) {
      return fills.containsKey(imageId);
    }
  }

  /** Runs the housekeeping now (tests). */
  public void runHousekeeping() {
    housekeeping();
  }

  /** Fills the cache with each queued image, one after another; what failed stays queued. */
  public Future<Void> prefetchQueued(Function<String, Future<Void>> fetch) {
    Future<Void> chain = Future.succeededFuture();
    for (String id : queuedImages()) {
      chain = chain.compose(v -> fetch.apply(id)
          .compose(x -> dequeue(id).<Void>mapEmpty())
          .recover(e -> {
            LOG.warn("Prefetching image {} failed: {}", id, e.getMessage());
            return Future.<Void>succeededFuture();
          }));
    }
    return chain;
  }
}
