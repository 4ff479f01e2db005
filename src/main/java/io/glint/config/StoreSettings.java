package io.glint.config;

import static io.glint.config.Options.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where image data is kept: single-store mode ({@code [glance_store]}) or multi-store mode ({@code [DEFAULT]
 * enabled_backends} with a section per store).
 *
 * @param stores enabled stores of single-store mode ([glance_store] stores)
 * @param defaultStore where new data goes in single-store mode ([glance_store] default_store)
 * @param filesystemStoreDatadir file-store directory of single-store mode: [glance_store]
 *     filesystem_store_datadir, else {@code <data_dir>/images}
 * @param filesystemStoreFsync whether the file store fsyncs data before the image becomes active (Glint's
 *     [glance_store] filesystem_store_fsync; a store section may say otherwise)
 * @param httpStoreIdleTimeout seconds an HTTP-store origin may stay silent before a download fails
 *     ([glance_store] http_store_idle_timeout)
 * @param httpStoreSplice whether HTTP-store downloads may be spliced socket to socket (Glint's [glance_store]
 *     http_store_splice)
 * @param enabledBackends the stores of enabled_backends with their sections, in order; empty in single-store mode
 * @param defaultBackend where new data goes in multi-store mode: [glance_store] default_backend, else the first
 *     of enabled_backends; null in single-store mode
 * @param dataDir Glint's [DEFAULT] data_dir, under which stores keep their data unless told otherwise
 * @param glanceStoreOptions for each store type, the values in [glance_store] of the options its sections take:
 *     single-store mode's settings of that type's store (see {@link #glanceStore(String)})
 */
public record StoreSettings(List<String> stores, String defaultStore, Path filesystemStoreDatadir,
    boolean filesystemStoreFsync, int httpStoreIdleTimeout, boolean httpStoreSplice, List<Backend> enabledBackends,
    String defaultBackend, Path dataDir, Map<String, Backend> glanceStoreOptions) {

  public StoreSettings {
    glanceStoreOptions = Map.copyOf(glanceStoreOptions);
  }

  /** Whether several named stores are configured (Glance's multi-store). */
  public boolean multiStore() {
    return !enabledBackends.isEmpty();
  }

  /** The store types of [glance_store] stores, aliases resolved ({@code filesystem} → {@code file}). */
  public List<String> storeTypes() {
    return stores.stream().map(BackendTypes::typeOfStore).distinct().toList();
  }

  /** The store type of [glance_store] default_store, alias resolved. */
  public String defaultStoreType() {
    return BackendTypes.typeOfStore(defaultStore);
  }

  /**
   * Single-store mode's settings of the store of {@code type}: the values in [glance_store] of the options a
   * section of that type takes (glance_store's drivers read their options there), as a store named after its
   * type.
   *
   * @throws IllegalArgumentException no such store type
   */
  public Backend glanceStore(String type) {
    Backend b = glanceStoreOptions.get(type);
    if (b == null) {
      throw new IllegalArgumentException("No store type '" + type + "'");
    }
    return b;
  }

  /** @throws ConfigException default_store is not one of stores, or default_backend not one of enabled_backends */
  static StoreSettings from(GlintConfig c) {
    List<String> problems = new ArrayList<>();
    List<String> stores = c.get(STORES);
    String defaultStore = c.get(DEFAULT_STORE);
    String defaultType = BackendTypes.typeOfStore(defaultStore);
    if (stores.stream().noneMatch(s -> BackendTypes.typeOfStore(s).equals(defaultType))) {
      problems.add("Option " + DEFAULT_STORE.key() + " is '" + defaultStore + "' (from " + source(c, DEFAULT_STORE)
          + "), which is not one of " + STORES.key() + " " + stores + " (from " + source(c, STORES) + ")");
    }
    if (c.get(ENABLED_BACKENDS).isEmpty() && BackendTypes.byType(defaultType).isEmpty()) {
      problems.add("Option " + DEFAULT_STORE.key() + " is '" + defaultStore + "' (from " + source(c, DEFAULT_STORE)
          + "), which is no store type of Glint's: " + BackendTypes.all().stream().flatMap(t -> t.schemes().stream())
          .toList());
    }
    List<Backend> backends = backends(c);
    String defaultBackend = c.get(DEFAULT_BACKEND);
    if (defaultBackend != null && !backends.isEmpty()
        && backends.stream().noneMatch(b -> b.name().equals(defaultBackend))) {
      problems.add("Option " + DEFAULT_BACKEND.key() + " is '" + defaultBackend + "' (from "
          + source(c, DEFAULT_BACKEND) + "), which is not one of the stores of " + ENABLED_BACKENDS.key() + " "
          + backends.stream().map(Backend::name).toList() + " (from " + source(c, ENABLED_BACKENDS) + ")");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    Path datadir = c.get(FILESYSTEM_STORE_DATADIR);
    return new StoreSettings(stores, defaultStore, datadir != null ? datadir : c.dataDir().resolve("images"),
        c.get(FILESYSTEM_STORE_FSYNC), c.get(HTTP_STORE_IDLE_TIMEOUT), c.get(HTTP_STORE_SPLICE), backends,
        backends.isEmpty() ? null : defaultBackend != null ? defaultBackend : backends.get(0).name(), c.dataDir(),
        glanceStoreOptions(c));
  }

  /** Each store type's options as set in [glance_store] (registered there by {@link Options}). */
  private static Map<String, Backend> glanceStoreOptions(GlintConfig c) {
    Map<String, Backend> byType = new HashMap<>();
    for (BackendType type : BackendTypes.all()) {
      Map<String, Object> values = new HashMap<>();
      values.put(Backend.DESCRIPTION.name(), null);
      for (ConfigOption<?> o : type.options()) {
        values.put(o.name(), c.get(Options.find(GLANCE_STORE, o.name()).orElseThrow()));
      }
      byType.put(type.type(), new Backend(type.type(), type.type(), values));
    }
    return byType;
  }

  /** The stores of enabled_backends, each with the values of the options its type declares. */
  private static List<Backend> backends(GlintConfig c) {
    List<Backend> out = new ArrayList<>();
    for (String item : c.get(ENABLED_BACKENDS)) {
      int colon = item.indexOf(':');
      String name = item.substring(0, colon);
      String type = item.substring(colon + 1);
      Map<String, Object> values = new HashMap<>();
      BackendTypes.byType(type).map(Backend::optionsOf).orElseThrow()
          .forEach(o -> values.put(o.name(), c.get(o.inSection(name))));
      out.add(new Backend(name, type, values));
    }
    return List.copyOf(out);
  }

  private static String source(GlintConfig c, ConfigOption<?> option) {
    return c.source(option.section(), option.name());
  }
}
