package io.glint.store;

import io.glint.config.Backend;
import io.glint.config.StoreSettings;
import io.glint.net.UrlGuard;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Builds the stores from their settings, in one place, each by the driver of its type: single-store mode
 * ({@code [glance_store] stores}: the file store, plus the read-only HTTP store) or multi-store mode
 * ({@code enabled_backends} with a section per store).
 */
public final class Stores {
  private Stores() {}

  public static StoreRegistry create(Vertx vertx, StoreSettings settings, UrlGuard guard, Executor transferPool,
      String nodeId) {
    StoreDriver.Context context = new StoreDriver.Context(vertx, settings, guard, transferPool, nodeId);
    if (!settings.multiStore()) {
      ImageStore file = driver("file").build("file", Optional.empty(), context);
      List<ImageStore> all = new ArrayList<>(List.of(file));
      if (settings.storeTypes().contains("http")) {
        all.add(driver("http").build("http", Optional.empty(), context));
      }
      return new StoreRegistry(file, all);
    }
    List<ImageStore> all = new ArrayList<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    ImageStore defaultStore = null;
    for (Backend b : settings.enabledBackends()) {
      ImageStore store = driver(b.type()).build(b.name(), Optional.of(b), context);
      all.add(store);
      b.description().ifPresent(d -> descriptions.put(b.name(), d));
      if (b.name().equals(settings.defaultBackend())) {
        defaultStore = store;
      }
    }
    return new StoreRegistry(defaultStore, all, true, descriptions);
  }

  private static StoreDriver driver(String type) {
    return StoreDrivers.byType(type).orElseThrow(() -> new IllegalArgumentException("No store type '" + type
        + "'; known: " + StoreDrivers.all().stream().map(StoreDriver::type).toList()));
  }
}
