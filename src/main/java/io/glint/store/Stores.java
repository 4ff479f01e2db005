package io.glint.store;

import io.glint.config.GlintConfig;
import io.glint.net.UrlGuard;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Builds the stores from the configuration, in one place, each by the driver of its type: single-store mode
 * ({@code [glance_store] stores}: the file store, plus the read-only HTTP store) or multi-store mode
 * ({@code enabled_backends} with a section per store).
 */
public final class Stores {
  private Stores() {}

  public static StoreRegistry create(Vertx vertx, GlintConfig config, UrlGuard guard, Executor transferPool,
      String nodeId) {
    StoreDriver.Context context = new StoreDriver.Context(vertx, config, guard, transferPool, nodeId);
    List<GlintConfig.Backend> backends = config.enabledBackends();
    if (backends.isEmpty()) {
      ImageStore file = driver("file").build("file", Map.of(), false, context);
      List<ImageStore> all = new ArrayList<>(List.of(file));
      if (config.stores().contains("http") || config.stores().contains("https")) {
        all.add(driver("http").build("http", Map.of(), false, context));
      }
      return new StoreRegistry(file, all);
    }
    List<ImageStore> all = new ArrayList<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    ImageStore defaultStore = null;
    for (GlintConfig.Backend b : backends) {
      ImageStore store = driver(b.type()).build(b.name(), b.settings(), true, context);
      all.add(store);
      if (b.settings().containsKey("store_description")) {
        descriptions.put(b.name(), b.settings().get("store_description"));
      }
      if (b.name().equals(config.defaultBackend())) {
        defaultStore = store;
      }
    }
    if (defaultStore == null) {
      throw new IllegalArgumentException("default_backend '" + config.defaultBackend()
          + "' is not one of enabled_backends");
    }
    return new StoreRegistry(defaultStore, all, true, descriptions);
  }

  private static StoreDriver driver(String type) {
    return StoreDrivers.byType(type).orElseThrow(() -> new IllegalArgumentException("No store type '" + type
        + "'; known: " + StoreDrivers.all().stream().map(StoreDriver::type).toList()));
  }
}
