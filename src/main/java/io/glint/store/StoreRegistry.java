package io.glint.store;

import java.util.List;
import java.util.Optional;

/**
 * The configured stores: where new data goes, which store serves a location, and, in multi-store mode
 * ({@code enabled_backends}), the stores by id.
 */
public final class StoreRegistry {
  private final ImageStore defaultStore;
  private final List<ImageStore> stores;
  private final boolean multiStore;
  private final java.util.Map<String, String> descriptions;

  public StoreRegistry(ImageStore defaultStore, List<ImageStore> stores) {
    this(defaultStore, stores, false, java.util.Map.of());
  }

  public StoreRegistry(ImageStore defaultStore, List<ImageStore> stores, boolean multiStore,
      java.util.Map<String, String> descriptions) {
    this.defaultStore = defaultStore;
    this.stores = List.copyOf(stores);
    this.multiStore = multiStore;
    this.descriptions = java.util.Map.copyOf(descriptions);
  }

  public ImageStore defaultStore() {
    return defaultStore;
  }

  public List<ImageStore> all() {
    return stores;
  }

  /** Whether Glint runs with several named stores (Glance's multi-store). */
  public boolean multiStore() {
    return multiStore;
  }

  public Optional<ImageStore> byId(String id) {
    return stores.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  public Optional<String> description(String id) {
    return Optional.ofNullable(descriptions.get(id));
  }

  public Optional<ImageStore> forLocation(String location) {
    return stores.stream().filter(s -> s.owns(location)).findFirst();
  }
}
