package io.glint.cache;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process prefetcher (Glance's cache worker and {@code glance-cache-prefetcher}): fills the cache with
 * the images queued by {@code PUT /v2/cache/{id}}, one at a time, every {@code cache_prefetcher_interval} and at
 * once when an image is queued. What fails stays queued for the next run; a run never overlaps another.
 */
public final class Prefetcher {
  private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);

  private final ImageCache cache;
  private final Function<String, Future<Void>> fetch;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();

  /** {@code fetch} fills the cache with one image (the image data service's {@code prefetch}). */
  public Prefetcher(ImageCache cache, Function<String, Future<Void>> fetch) {
    this.cache = cache;
    this.fetch = fetch;
  }

  /** Runs over the queue now, or right after the run in progress. */
  public void run() {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    int queued = cache.queuedImages().size();
    if (queued > 0) {
      LOG.info("Prefetching {} queued image(s)", queued);
    }
    cache.prefetchQueued(fetch).onComplete(ar -> {
      running.set(false);
      if (again.getAndSet(false)) {
        run();
      }
    });
  }
}
