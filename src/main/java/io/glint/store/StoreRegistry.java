package io.glint.store;

import java.util.List;
import java.util.Optional;

/** The configured stores: where new data goes, and which store serves a given location. */
public final class StoreRegistry {
  private final ImageStore defaultStore;
  private final List<ImageStore> stores;

  public StoreRegistry(ImageStore defaultStore, List<ImageStore> stores) {
    this.defaultStore = defaultStore;
    this.stores = List.copyOf(stores);
  }

  public ImageStore defaultStore() {
    return defaultStore;
  }

  public List<ImageStore> all() {
    return stores;
  }

  public Optional<ImageStore> forLocation(String location) {
    return stores.stream().filter(s -> s.owns(location)).findFirst();
  }
}
