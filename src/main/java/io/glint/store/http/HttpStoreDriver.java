package io.glint.store.http;

import io.glint.config.Backend;
import io.glint.config.ConfigOption;
import io.glint.store.ImageStore;
import io.glint.store.StoreDriver;
import java.util.List;
import java.util.Optional;

/**
 * The read-only HTTP store type: {@code http(s)://} locations fetched through the outbound URL guard, with
 * {@code http_store_splice} and {@code http_store_idle_timeout} from {@code [glance_store]}; its sections have
 * no options of their own.
 */
public final class HttpStoreDriver implements StoreDriver {

  @Override
  public String type() {
    return "http";
  }

  @Override
  public List<String> schemes() {
    return List.of("http", "https");
  }

  @Override
  public List<ConfigOption<?>> options() {
    return List.of();
  }

  @Override
  public ImageStore build(String id, Optional<Backend> section, Context context) {
    return new HttpStore(id, context.vertx(), context.guard(), context.settings().httpStoreSplice(),
        context.settings().httpStoreIdleTimeout());
  }
}
