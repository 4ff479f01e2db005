package io.glint.image;

import io.glint.config.ImportSettings;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** Builds the configured import plugins, in the order {@code image_import_plugins} names them. */
public final class ImportPluginSet {
  private ImportPluginSet() {}

  public static ImportPlugins build(Vertx vertx, ImportSettings settings, Executor blocking) {
    List<ImportPlugins.Plugin> plugins = new ArrayList<>();
    return new ImportPlugins(plugins);
  }
}
