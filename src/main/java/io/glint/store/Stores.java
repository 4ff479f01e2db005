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
 * ({@code [glance_store] stores}, by default the file store plus the read-only HTTP store, each type's options
 * in [glance_store]) or multi-store mode ({@code enabled_backends} with a section per store).
 */
public final class Stores {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Stores.class);

  private Stores() {}

  public static StoreRegistry create(Vertx vertx, StoreSettings settings, UrlGuard guard, Executor transferPool,
      String nodeId) {
    StoreDriver.Context context = new StoreDriver.Context(vertx, settings, guard, transferPool, nodeId);
    if (!settings.multiStore()) {
      // One store of each type [glance_store] stores names that Glint has, reading its options from
      // [glance_store]; new data goes to the one of default_store.
      List<ImageStore> all = new ArrayList<>();
      ImageStore defaultStore = null;
      for (String type : settings.storeTypes()) {
        Optional<StoreDriver> driver = StoreDrivers.byType(type);
        if (driver.isEmpty()) {
          LOG.warn("Ignoring store '{}' of [glance_store] stores: Glint has no such store type (it has {})", type,
              StoreDrivers.all().stream().map(StoreDriver::type).toList());
          continue;
        }
        ImageStore store = driver.get().build(type, Optional.empty(), context);
        all.add(store);
        if (type.equals(settings.defaultStoreType())) {
          defaultStore = store;
        }
      }
      return new StoreRegistry(defaultStore, all);
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
