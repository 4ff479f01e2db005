package io.glint.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The image cache's counters, plain and lock-free, for the metrics endpoint and the logs: downloads served from
 * the cache (hits) or not (misses: a fill was started or joined, or the image went around the cache), bytes sent
 * from cache files and bytes read from the backends, fills in flight, completed and failed, and evictions.
 */
public final class CacheMetrics {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder joined = new LongAdder();
  private final LongAdder bypassed = new LongAdder();
  private final LongAdder bytesFromCache = new LongAdder();
  private final LongAdder bytesFromBackend = new LongAdder();
  private final AtomicLong fillsInFlight = new AtomicLong();
  private final LongAdder fillsCompleted = new LongAdder();
  private final LongAdder fillsFailed = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final AtomicLong cachedBytes = new AtomicLong();
  private final AtomicLong entries = new AtomicLong();
  private final LongAdder fileTails = new LongAdder();

  /**
   * A moment's values.
   *
   * @param hits downloads served from a complete cache entry
   * @param misses downloads that found no complete entry (they started a fill, joined one, or went around)
   * @param joinedFills of the misses, those that streamed from a fill another request had started
   * @param bypassed of the misses, those served straight from the store (the image cannot fit in the cache)
   * @param bytesFromCache bytes sent to clients from cache files (complete or being filled)
   * @param bytesFromBackend bytes read from the stores, by fills and by downloads that went around the cache
   * @param fillsInFlight fills running now
   * @param fillsCompleted fills verified and installed
   * @param fillsFailed fills that failed (store error, stall, size or checksum mismatch)
   * @param evictions entries removed (least recently used, image changed or deleted, API)
   * @param cachedBytes bytes held by complete entries
   * @param entries complete entries
   */
  public record Snapshot(long hits, long misses, long joinedFills, long bypassed, long bytesFromCache,
      long bytesFromBackend, long fillsInFlight, long fillsCompleted, long fillsFailed, long evictions,
      long cachedBytes, long entries) {

    @Override
    public String toString() {
      return "hits=" + hits + " misses=" + misses + " (joined " + joinedFills + ", bypassed " + bypassed
          + ") fromCache=" + mib(bytesFromCache) + " fromBackend=" + mib(bytesFromBackend) + " fills: inFlight="
          + fillsInFlight + " completed=" + fillsCompleted + " failed=" + fillsFailed + " evictions=" + evictions
          + " held=" + entries + " entries/" + mib(cachedBytes);
    }

    private static String mib(long bytes) {
      return String.format(java.util.Locale.ROOT, "%.1fMiB", bytes / 1048576.0);
    }
  }

  public Snapshot snapshot() {
    return new Snapshot(hits.sum(), misses.sum(), joined.sum(), bypassed.sum(), bytesFromCache.sum(),
        bytesFromBackend.sum(), fillsInFlight.get(), fillsCompleted.sum(), fillsFailed.sum(), evictions.sum(),
        cachedBytes.get(), entries.get());
  }

  /** Downloads of a fill in progress sent from the growing file with sendfile ({@link TailRelay}). */
  public long fileTails() {
    return fileTails.sum();
  }

  void fileTail() {
    fileTails.increment();
  }

  void hit() {
    hits.increment();
  }

  void miss() {
    misses.increment();
  }

  void joined() {
    joined.increment();
  }

  void bypassed() {
    bypassed.increment();
  }

  void fromCache(long bytes) {
    bytesFromCache.add(bytes);
  }

  void fromBackend(long bytes) {
    bytesFromBackend.add(bytes);
  }

  void fillStarted() {
    fillsInFlight.incrementAndGet();
  }

  void fillEnded(boolean ok) {
    fillsInFlight.decrementAndGet();
    (ok ? fillsCompleted : fillsFailed).increment();
  }

  void evicted() {
    evictions.increment();
  }

  void held(long entryCount, long bytes) {
    entries.set(entryCount);
    cachedBytes.set(bytes);
  }
}
