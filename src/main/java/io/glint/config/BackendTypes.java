package io.glint.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The store types Glint has: every {@link BackendType} registered through {@link ServiceLoader} ({@code
 * META-INF/services/io.glint.config.BackendType}), in the order listed there.
 */
public final class BackendTypes {

  private static final List<BackendType> ALL = load();

  private BackendTypes() {
  }

  /** Every store type. */
  public static List<BackendType> all() {
    return ALL;
  }

  /** The type names, e.g. [file, http]. */
  public static List<String> names() {
    return ALL.stream().map(BackendType::type).toList();
  }

  /** The store type named {@code type}, if there is one. */
  public static Optional<BackendType> byType(String type) {
    return ALL.stream().filter(t -> t.type().equals(type)).findFirst();
  }

  /** The type a {@code [glance_store] stores} entry names ({@code filesystem} → {@code file}); else the entry. */
  static String typeOfStore(String store) {
    String s = store.toLowerCase(java.util.Locale.ROOT);
    return ALL.stream().filter(t -> t.schemes().contains(s)).map(BackendType::type).findFirst().orElse(s);
  }

  private static List<BackendType> load() {
    List<BackendType> types = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (BackendType type : ServiceLoader.load(BackendType.class, BackendTypes.class.getClassLoader())) {
      if (!names.add(type.type())) {
        throw new IllegalStateException("Two store types are named '" + type.type() + "'");
      }
      Set<String> options = new HashSet<>(List.of(Backend.DESCRIPTION.name()));
      for (ConfigOption<?> o : type.options()) {
        if (!o.section().equals(BackendType.SECTION) || !options.add(o.name())) {
          throw new IllegalStateException("Store type '" + type.type() + "' declares " + o
              + " twice or outside " + BackendType.SECTION);
        }
      }
      types.add(type);
    }
    return List.copyOf(types);
  }
}
