package io.glint.store;

import io.glint.store.file.FileStoreDriver;
import io.glint.store.http.HttpStoreDriver;
import java.util.List;
import java.util.Optional;

/** The store types Glint has: the one list to extend with a new one (S3 next). */
public final class StoreDrivers {
  private static final List<StoreDriver> ALL = List.of(new FileStoreDriver(), new HttpStoreDriver());

  private StoreDrivers() {}

  public static List<StoreDriver> all() {
    return ALL;
  }

  public static Optional<StoreDriver> byType(String type) {
    return ALL.stream().filter(d -> d.type().equals(type)).findFirst();
  }
}
