package io.glint.config;

import static io.glint.config.Options.*;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The node-local image cache (Glance's {@code image_cache_*} options).
 *
 * @param dir the cache directory ({@code image_cache_dir}); empty = no cache
 * @param maxSize the most bytes it may hold ({@code image_cache_max_size})
 * @param stallTimeSeconds how long a fill may go without a byte ({@code image_cache_stall_time})
 * @param prefetcherIntervalSeconds seconds between prefetcher runs ({@code cache_prefetcher_interval})
 */
public record ImageCacheSettings(Optional<Path> dir, long maxSize, int stallTimeSeconds,
    int prefetcherIntervalSeconds) {

  static ImageCacheSettings from(GlintConfig c) {
    return new ImageCacheSettings(Optional.ofNullable(c.get(IMAGE_CACHE_DIR)), c.get(IMAGE_CACHE_MAX_SIZE),
        c.get(IMAGE_CACHE_STALL_TIME), c.get(CACHE_PREFETCHER_INTERVAL));
  }

  public boolean enabled() {
    return dir.isPresent();
  }
}
