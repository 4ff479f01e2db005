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
}
