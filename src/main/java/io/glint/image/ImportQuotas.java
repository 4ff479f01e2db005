package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.config.ImportSettings;
import io.glint.error.GlintException;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Glint's per-project limits, named, counted and enforced as Glance's unified limits are
 * ({@code glance/quota/keystone.py}, oslo.limit): {@code image_size_total} and {@code image_stage_total} in MiB,
 * {@code image_count_total}, {@code image_count_uploading}; a request that would take a project over one gets
 * 413 with oslo.limit's message. Off (everything allowed, {@code GET /v2/info/usage} empty) unless
 * {@code use_keystone_limits} is set; the limits come from {@code [project_limits]} (-1 = unlimited).
 */
public final class ImportQuotas {
  private static final long MIB = 1L << 20;
  public static final String SIZE_TOTAL = "image_size_total";
  public static final String STAGE_TOTAL = "image_stage_total";
  public static final String COUNT_TOTAL = "image_count_total";
  public static final String COUNT_UPLOADING = "image_count_uploading";

  private final ImportSettings.Limits limits;
  private ImageRepository repository;

  public ImportQuotas(ImportSettings.Limits limits) {
    this.limits = limits;
  }

  public static ImportQuotas off() {
    return new ImportQuotas(null);
  }

  public ImportQuotas withRepository(ImageRepository images) {
    this.repository = images;
    return this;
  }

  public boolean enabled() {
    return limits != null && repository != null;
  }

  /** {@code GET /v2/info/usage}: each limit with its usage; empty when limits are off. */
  public Future<Map<String, Map<String, Long>>> usage(RequestContext ctx) {
    if (!enabled()) {
      return Future.succeededFuture(Map.of());
    }
    return repository.usage(ctx.owner()).map(u -> {
      Map<String, Map<String, Long>> out = new LinkedHashMap<>();
      out.put(SIZE_TOTAL, entry(limits.imageSizeTotal(), u.storedBytes() / MIB));
      out.put(STAGE_TOTAL, entry(limits.imageStageTotal(), u.stagedBytes() / MIB));
      out.put(COUNT_TOTAL, entry(limits.imageCountTotal(), u.images()));
      out.put(COUNT_UPLOADING, entry(limits.imageCountUploading(), u.uploading()));
      return out;
    });
  }

  private static Map<String, Long> entry(long limit, long usage) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("limit", limit);
    m.put("usage", usage);
    return m;
  }

  /** Before an image is created: {@code image_count_total} with one more. */
  public Future<Void> beforeCreate(RequestContext ctx) {
    return enforce(ctx.owner(), u -> new long[][] {{limits.imageCountTotal(), u.images(), 1}}, COUNT_TOTAL);
  }

  /** Before an upload: {@code image_size_total} with the declared length, and one more image uploading. */
  public Future<Void> beforeUpload(String owner, Long contentLength) {
    long delta = contentLength == null ? 0 : contentLength / MIB;
    return enforce(owner, u -> new long[][] {
      {limits.imageSizeTotal(), u.storedBytes() / MIB, delta},
      {limits.imageCountUploading(), u.uploading(), 1}}, SIZE_TOTAL, COUNT_UPLOADING);
  }

  /** Before a staging: {@code image_stage_total} with the declared length, and one more image uploading. */
  public Future<Void> beforeStage(RequestContext ctx, Image image, Long contentLength) {
    long delta = contentLength == null ? 0 : contentLength / MIB;
    return enforce(image.owner(), u -> new long[][] {
      {limits.imageStageTotal(), u.stagedBytes() / MIB, delta},
      {limits.imageCountUploading(), u.uploading(), 1}}, STAGE_TOTAL, COUNT_UPLOADING);
  }

  /**
   * Before an import: {@code image_size_total}; for glance-direct with the staged size, for the methods that stage
   * (web-download, copy-image) also {@code image_stage_total} and one more image uploading (a staged image already
   * counts).
   */
  public Future<Void> beforeImport(RequestContext ctx, Image image, ImportRequest request) {
    long size = image.size() == null ? 0 : image.size() / MIB;
    if (request.method().equals(ImportRequest.GLANCE_DIRECT)) {
      return enforce(image.owner(), u -> new long[][] {{limits.imageSizeTotal(), u.storedBytes() / MIB, size}},
          SIZE_TOTAL);
    }
    return enforce(image.owner(), u -> new long[][] {
      {limits.imageSizeTotal(), u.storedBytes() / MIB, 0},
      {limits.imageStageTotal(), u.stagedBytes() / MIB, size},
      {limits.imageCountUploading(), u.uploading(), 1}}, SIZE_TOTAL, STAGE_TOTAL, COUNT_UPLOADING);
  }

  /**
   * Refuses (413) when any {@code {limit, usage, delta}} goes over: usage + delta &gt; limit, with limit -1
   * unlimited. Without an owner (the unauthenticated pipeline) nothing is counted.
   */
  private Future<Void> enforce(String owner, java.util.function.Function<ImageRepository.Usage, long[][]> checks,
      String... names) {
    if (!enabled() || owner == null) {
      return Future.succeededFuture();
    }
    return repository.usage(owner).compose(u -> {
      long[][] values = checks.apply(u);
      StringBuilder over = new StringBuilder();
      for (int i = 0; i < values.length; i++) {
        long limit = values[i][0];
        long usage = values[i][1];
        long delta = values[i][2];
        if (limit >= 0 && usage + delta > limit) {
          if (over.length() > 0) {
            over.append(", ");
          }
          over.append("Resource ").append(names[i]).append(" is over limit of ").append(limit)
              .append(" due to current usage ").append(usage).append(" and delta ").append(delta);
        }
      }
      if (over.length() > 0) {
        return Future.failedFuture(GlintException.tooLarge("Project " + owner + " is over a limit for ["
            + over + "]"));
      }
      return Future.succeededFuture();
    });
  }
}
