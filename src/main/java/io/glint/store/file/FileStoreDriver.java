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
 * image becomes active ({@code filesystem_store_fsync}), and whether it is written with O_DIRECT
 * ({@code filesystem_store_direct_io}); single store: from {@code [glance_store]}, default
 * {@code <data_dir>/images}; multi-store: from the store's section, default {@code <data_dir>/images/<store id>}
 * and {@code [glance_store]}'s fsync.
 */
public final class FileStoreDriver implements StoreDriver {

  static final ConfigOption<Path> DATADIR = BackendType.option("filesystem_store_datadir", OptionType.path(true),
      null, "Directory of this file store; unset = <data_dir>/images/<store name>.");
  static final ConfigOption<Boolean> FSYNC = BackendType.option("filesystem_store_fsync",
      OptionType.orUnset(OptionType.bool()), null,
      "Glint: fsync image data before the image becomes active; unset = [glance_store] filesystem_store_fsync.");
  static final ConfigOption<Boolean> DIRECT_IO = BackendType.option("filesystem_store_direct_io",
      OptionType.orUnset(OptionType.bool()), null,
      "Glint: write new image data with O_DIRECT, past the page cache (less CPU per GB; a new image is then not in "
      + "the page cache for its first downloads); unset = [glance_store] filesystem_store_direct_io, else false. "
      + "Filesystems without O_DIRECT (older tmpfs) are written through the page cache, with a warning.");

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
    return List.of(DATADIR, FSYNC, DIRECT_IO);
  }

  @Override
  public ImageStore build(String id, Optional<Backend> section, Context context) {
    Path dir = context.settings().filesystemStoreDatadir();
    boolean fsync = context.settings().filesystemStoreFsync();
    Boolean single = context.settings().glanceStore(type()).get(DIRECT_IO);
    boolean directIo = single != null && single;
    if (section.isPresent()) {
      Path configured = section.get().get(DATADIR);
      dir = configured != null ? configured : context.settings().dataDir().resolve("images").resolve(id);
      Boolean sync = section.get().get(FSYNC);
      fsync = sync != null ? sync : fsync;
      Boolean direct = section.get().get(DIRECT_IO);
      directIo = direct != null ? direct : directIo;
    }
    return new FileStore(id, context.vertx(), dir, context.transferPool(), fsync, directIo, context.nodeId());
  }
}
