package io.glint.store.file;

import io.glint.store.ImageStore;
import io.glint.store.StoreDriver;
import java.nio.file.Path;
import java.util.Map;

/**
 * The file store type: {@code filesystem_store_datadir} (single store: {@code [glance_store]}, default
 * {@code <data_dir>/images}; multi-store: the store's section, default {@code <data_dir>/images/<store id>}) and
 * {@code filesystem_store_fsync}.
 */
public final class FileStoreDriver implements StoreDriver {

  @Override
  public String type() {
    return "file";
  }

  @Override
  public ImageStore build(String id, Map<String, String> settings, boolean multiStore, Context context) {
    Path dir;
    boolean fsync = context.config().filesystemStoreFsync();
    if (multiStore) {
      String configured = settings.get("filesystem_store_datadir");
      dir = configured != null ? Path.of(configured) : context.config().dataDir().resolve("images").resolve(id);
      String sync = settings.get("filesystem_store_fsync");
      if (sync != null) {
        fsync = Boolean.parseBoolean(sync.strip());
      }
    } else {
      dir = context.config().filesystemStoreDatadir();
    }
    return new FileStore(id, context.vertx(), dir, context.transferPool(), fsync, context.nodeId());
  }
}
