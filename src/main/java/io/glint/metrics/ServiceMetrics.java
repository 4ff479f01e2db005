package io.glint.metrics;

import io.glint.transfer.DigestStats;
import io.glint.transfer.Transfers;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The image service's own meters, read from the live counters at each scrape (nothing on the hot path):
 * <ul>
 *   <li>{@code glint_image_upload_bytes_total{store}}, {@code glint_image_download_bytes_total{store}}: image data
 *       received by finished uploads and sent by downloads;
 *   <li>{@code glint_transfers_in_flight{direction}}: uploads (and stagings) and downloads running;
 *   <li>{@code glint_upload_digest_bytes_total{algorithm}}, {@code glint_upload_digest_seconds_total{algorithm}}:
 *       the digest lanes' work, their ratio the hashing throughput;
 *   <li>{@code glint_db_pool_connections}, {@code glint_db_pool_max_connections}: the PostgreSQL pool (Vert.x's
 *       {@code vertx_pool_*} and {@code vertx_sql_*} add its queue, usage and query latency when Vert.x was built
 *       with {@link GlintMetrics#vertx}).
 * </ul>
 */
public final class ServiceMetrics {
  private ServiceMetrics() {}

  public static void register(GlintMetrics metrics, Transfers transfers, List<String> stores, String hashAlgorithm,
      IntSupplier poolSize, int poolMax) {
    if (!metrics.enabled()) {
      return;
    }
    for (String store : stores) {
      LongAdder up = transfers.uploadedBytes().computeIfAbsent(store, k -> new LongAdder());
      LongAdder down = transfers.downloadedBytes().computeIfAbsent(store, k -> new LongAdder());
      metrics.functionCounter("glint_image_upload_bytes", "Image data received by finished uploads", up,
          LongAdder::doubleValue, "store", store);
      metrics.functionCounter("glint_image_download_bytes", "Image data sent by downloads", down,
          LongAdder::doubleValue, "store", store);
    }
    metrics.gauge("glint_transfers_in_flight", "Image data transfers running",
        () -> transfers.inFlight(Transfers.Kind.UPLOAD), "direction", "upload");
    metrics.gauge("glint_transfers_in_flight", "Image data transfers running",
        () -> transfers.inFlight(Transfers.Kind.DOWNLOAD), "direction", "download");
    for (String algorithm : List.of("md5", hashAlgorithm)) {
      DigestStats.Totals t = DigestStats.of(algorithm);
      metrics.functionCounter("glint_upload_digest_bytes", "Bytes digested by uploads", t.bytes(),
          LongAdder::doubleValue, "algorithm", algorithm);
      metrics.functionCounter("glint_upload_digest_seconds", "Time spent digesting uploads", t.nanos(),
          n -> n.doubleValue() / 1e9, "algorithm", algorithm);
    }
    metrics.gauge("glint_db_pool_connections", "Connections the PostgreSQL pool holds", poolSize::getAsInt);
    metrics.gauge("glint_db_pool_max_connections", "Most connections the PostgreSQL pool may hold", () -> poolMax);
  }

  /**
   * The notifier's buffer: {@code glint_notifications_pending}, {@code glint_notifications_dropped_total} and
   * {@code glint_notifications_broker_connected} (1 or 0), when notifications go to a broker.
   */
  public static void registerNotifications(GlintMetrics metrics, io.glint.notify.Notifier notifier) {
    if (!metrics.enabled() || !notifier.usesBroker()) {
      return;
    }
    metrics.gauge("glint_notifications_pending", "Notifications waiting for the broker", notifier::pending);
    metrics.functionCounter("glint_notifications_dropped", "Notifications dropped because the buffer was full",
        notifier, n -> n.dropped());
    metrics.gauge("glint_notifications_broker_connected", "Whether the notification broker is connected",
        () -> notifier.brokerConnected() ? 1 : 0);
  }

  /**
   * The image cache's counters ({@code glint_image_cache_*}), read from its snapshot at each scrape, when
   * {@code image_cache_dir} is set.
   */
  public static void registerCache(GlintMetrics metrics, io.glint.cache.CacheMetrics cache) {
    if (!metrics.enabled()) {
      return;
    }
    metrics.functionCounter("glint_image_cache_hits", "Downloads served from a complete cache entry", cache,
        c -> c.snapshot().hits());
    metrics.functionCounter("glint_image_cache_misses", "Downloads of images not in the cache", cache,
        c -> c.snapshot().misses());
    metrics.functionCounter("glint_image_cache_joined_fills", "Misses that streamed from a fill already running",
        cache, c -> c.snapshot().joinedFills());
    metrics.functionCounter("glint_image_cache_bypassed", "Misses served straight from the store", cache,
        c -> c.snapshot().bypassed());
    metrics.functionCounter("glint_image_cache_bytes_from_cache", "Bytes sent to clients from cache files", cache,
        c -> c.snapshot().bytesFromCache());
    metrics.functionCounter("glint_image_cache_bytes_from_backend", "Bytes read from the stores by fills and bypasses",
        cache, c -> c.snapshot().bytesFromBackend());
    metrics.functionCounter("glint_image_cache_fills_completed", "Fills verified and installed", cache,
        c -> c.snapshot().fillsCompleted());
    metrics.functionCounter("glint_image_cache_fills_failed", "Fills that failed", cache,
        c -> c.snapshot().fillsFailed());
    metrics.functionCounter("glint_image_cache_evictions", "Cache entries removed", cache,
        c -> c.snapshot().evictions());
    metrics.gauge("glint_image_cache_fills_in_flight", "Cache fills running", () -> cache.snapshot().fillsInFlight());
    metrics.gauge("glint_image_cache_bytes", "Bytes held by complete cache entries", () -> cache.snapshot().cachedBytes());
    metrics.gauge("glint_image_cache_entries", "Complete cache entries", () -> cache.snapshot().entries());
  }
}
