package io.glint.store.file;

import io.glint.config.Backend;
import io.glint.config.BackendType;
import io.glint.config.ConfigOption;
import io.glint.config.OptionType;
import io.glint.store.ImageStore;
import io.glint.store.StoreDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The file store type: a directory ({@code filesystem_store_datadir}) and whether data is fsynced before an
 * image becomes active ({@code filesystem_store_fsync}); single store: from {@code [glance_store]}, default
 * {@code <data_dir>/images}; multi-store: from the store's section, default {@code <data_dir>/images/<store id>}
 * and {@code [glance_store]}'s fsync.
 */
public final class FileStoreDriver implements StoreDriver {

  static final ConfigOption<Path> DATADIR = BackendType.option("filesystem_store_datadir", OptionType.path(true),
      null, "Directory of this file store; unset = <data_dir>/images/<store name>.");
  static final ConfigOption<Boolean> FSYNC = BackendType.option("filesystem_store_fsync",
      OptionType.orUnset(OptionType.bool()), null,
      "Glint: fsync image data before the image becomes active; unset = [glance_store] filesystem_store_fsync.");

  @Override
  public String type() {
    return "file";
  }

  @Override
  public List<String> schemes() {
    return List.of("file", "filesystem");
  }

  @Override
  public List<ConfigOption<?>> options() {
    return List.of(DATADIR, FSYNC);
  }

  @Override
  public ImageStore build(String id, Optional<Backend> section, Context context) {
    Path dir = context.settings().filesystemStoreDatadir();
    boolean fsync = context.settings().filesystemStoreFsync();
    if (section.isPresent()) {
      Path configured = section.get().get(DATADIR);
      dir = configured != null ? configured : context.settings().dataDir().resolve("images").resolve(id);
      Boolean sync = section.get().get(FSYNC);
      fsync = sync != null ? sync : fsync;
    }
    return new FileStore(id, context.vertx(), dir, context.transferPool(), fsync, context.nodeId());
  }
}
