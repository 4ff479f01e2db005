package io.glint.store.http;

import io.glint.store.ImageStore;
import io.glint.store.StoreDriver;
import java.util.Map;

/**
 * The read-only HTTP store type: {@code http(s)://} locations fetched through the outbound URL guard, with
 * {@code http_store_splice} and {@code http_store_idle_timeout} from {@code [glance_store]}.
 */
public final class HttpStoreDriver implements StoreDriver {

  @Override
  public String type() {
    return "http";
  }

  @Override
  public ImageStore build(String id, Map<String, String> settings, boolean multiStore, Context context) {
    return new HttpStore(id, context.vertx(), context.guard(), context.config().httpStoreSplice(),
        context.config().httpStoreIdleTimeout());
  }
}
