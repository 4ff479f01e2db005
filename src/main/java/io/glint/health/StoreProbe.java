package io.glint.health;

import io.glint.store.ImageStore;
import io.glint.store.PendingData;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.UUID;

/**
 * Whether a store is reachable and writable: a writable store gets a small probe object written and discarded
 * (never committed, so never visible as image data); a read-only store (HTTP) has nothing to reach until an image
 * names a URL, and is reported as such.
 */
public final class StoreProbe implements HealthProbe {
  private final ImageStore store;

  public StoreProbe(ImageStore store) {
    this.store = store;
  }

  @Override
  public String name() {
    return "StoreProbe(" + store.id() + ")";
  }

  @Override
  public Future<Result> check() {
    if (!store.capabilities().writable()) {
      return Future.succeededFuture(Result.ok("store " + store.id() + " (" + store.type() + ") is read-only"));
    }
    String probeId = UUID.randomUUID().toString();
    return store.create(probeId).compose(pending -> pending.write(Buffer.buffer("glint healthcheck probe"))
            .eventually(pending::discard))
        .map(v -> Result.ok("store " + store.id() + " (" + store.type() + ") is writable"))
        .otherwise(e -> Result.failed("STORE UNAVAILABLE", "store " + store.id() + " (" + store.type() + "): "
            + e.getMessage()));
  }
}
