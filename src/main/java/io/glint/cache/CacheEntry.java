package io.glint.cache;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A complete, verified cache entry: the file {@code <image_cache_dir>/<image id>} and, beside it,
 * {@code <image id>.json} with its identity and its use (hits, last access). Mutable fields are guarded by the
 * {@link ImageCache}'s lock; {@code readers} counts downloads sending from the file right now (an entry being
 * read is never evicted to make room).
 */
final class CacheEntry {
  final String imageId;
  final Path file;
  final CachedIdentity identity;
  final double lastModified;
  final AtomicInteger readers;
  long hits;
  double lastAccessed;
  boolean dirty;

  CacheEntry(String imageId, Path file, CachedIdentity identity, double lastModified, double lastAccessed, long hits,
      AtomicInteger readers) {
    this.imageId = imageId;
    this.file = file;
    this.identity = identity;
    this.lastModified = lastModified;
    this.lastAccessed = lastAccessed;
    this.hits = hits;
    this.readers = readers;
  }

  long size() {
    return identity.size();
  }

  /** The sidecar's content. */
  JsonObject toJson() {
    return new JsonObject()
        .put("image_id", imageId)
        .put("size", identity.size())
        .put("checksum", identity.checksum())
        .put("os_hash_algo", identity.osHashAlgo())
        .put("os_hash_value", identity.osHashValue())
        .put("location", identity.location())
        .put("hits", hits)
        .put("last_accessed", lastAccessed)
        .put("last_modified", lastModified);
  }

  static CacheEntry fromJson(Path file, JsonObject json) {
    CachedIdentity identity = new CachedIdentity(json.getLong("size"), json.getString("checksum"),
        json.getString("os_hash_algo"), json.getString("os_hash_value"), json.getString("location"));
    return new CacheEntry(json.getString("image_id"), file, identity, json.getDouble("last_modified"),
        json.getDouble("last_accessed"), json.getLong("hits", 0L), new AtomicInteger());
  }

  /** What {@code GET /v2/cache} lists. */
  JsonObject describe() {
    return new JsonObject()
        .put("image_id", imageId)
        .put("hits", hits)
        .put("last_accessed", lastAccessed)
        .put("last_modified", lastModified)
        .put("size", identity.size());
  }
}
