package io.glint.store;

import io.glint.config.GlintConfig;
import io.glint.net.UrlGuard;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Builds the stores from the configuration, in one place: single-store mode ({@code [glance_store] stores},
 * one file store and the read-only HTTP store) or multi-store mode ({@code enabled_backends} with a section per
 * store).
 */
public final class Stores {
  private Stores() {}

  public static StoreRegistry create(Vertx vertx, GlintConfig config, UrlGuard guard, Executor transferPool,
      String nodeId) {
    List<GlintConfig.Backend> backends = config.enabledBackends();
    if (backends.isEmpty()) {
      FileStore file = new FileStore("file", vertx, config.filesystemStoreDatadir(), transferPool,
          config.filesystemStoreFsync(), nodeId);
      List<ImageStore> all = new ArrayList<>(List.of(file));
      if (config.stores().contains("http") || config.stores().contains("https")) {
        all.add(new HttpStore("http", vertx, guard, config.httpStoreSplice(), config.httpStoreIdleTimeout()));
      }
      return new StoreRegistry(file, all);
    }
    List<ImageStore> all = new ArrayList<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    ImageStore defaultStore = null;
    for (GlintConfig.Backend b : backends) {
      ImageStore store;
      if (b.type().equals("file")) {
        String dir = b.settings().get("filesystem_store_datadir");
        String fsync = b.settings().get("filesystem_store_fsync");
        store = new FileStore(b.name(), vertx,
            dir != null ? Path.of(dir) : config.dataDir().resolve("images").resolve(b.name()), transferPool,
            fsync == null ? config.filesystemStoreFsync() : Boolean.parseBoolean(fsync.strip()), nodeId);
      } else {
        store = new HttpStore(b.name(), vertx, guard, config.httpStoreSplice(), config.httpStoreIdleTimeout());
      }
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

  /** The file stores of a registry (they need preparing and recovery at start-up). */
  public static List<FileStore> fileStores(StoreRegistry registry) {
    return registry.all().stream().filter(FileStore.class::isInstance).map(FileStore.class::cast).toList();
  }

  /** The HTTP store users may add locations to, if any. */
  public static HttpStore httpStore(StoreRegistry registry) {
    return registry.all().stream().filter(HttpStore.class::isInstance).map(HttpStore.class::cast).findFirst()
        .orElse(null);
  }
}
