package io.glint.store;

import io.glint.config.BackendType;
import io.glint.config.BackendTypes;
import java.util.List;
import java.util.Optional;

/**
 * The store types Glint has: those registered in {@code META-INF/services/io.glint.config.BackendType} (file,
 * http, s3; a new type is one package and one line there), each a {@link StoreDriver}.
 */
public final class StoreDrivers {
  private static final List<StoreDriver> ALL = BackendTypes.all().stream().map(StoreDrivers::driver).toList();

  private StoreDrivers() {}

  public static List<StoreDriver> all() {
    return ALL;
  }

  public static Optional<StoreDriver> byType(String type) {
    return ALL.stream().filter(d -> d.type().equals(type)).findFirst();
  }

  private static StoreDriver driver(BackendType type) {
    if (type instanceof StoreDriver driver) {
      return driver;
    }
    throw new IllegalStateException("Store type '" + type.type() + "' (" + type.getClass().getName()
        + ") is registered but is no StoreDriver");
  }
}
