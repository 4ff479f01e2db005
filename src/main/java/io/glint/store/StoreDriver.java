package io.glint.store;

import io.glint.config.GlintConfig;
import io.glint.net.UrlGuard;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One type of store (glance_store's driver, found there by entry point): its type name, as written in
 * {@code enabled_backends} ({@code fast:file}), and how a store of that type is built from its settings. Each
 * type lives in a package of its own ({@code store/file}, {@code store/http}); {@link StoreDrivers} lists them.
 */
public interface StoreDriver {

  /** The type name ({@code file}, {@code http}). */
  String type();

  /**
   * Builds store {@code id} of this type. {@code settings} are the options of its section in multi-store mode
   * ({@code [fast] filesystem_store_datadir = ...}); in single-store mode, empty: the driver reads
   * {@code [glance_store]} itself.
   */
  ImageStore build(String id, Map<String, String> settings, boolean multiStore, Context context);

  /** What every driver may use. */
  record Context(Vertx vertx, GlintConfig config, UrlGuard guard, Executor transferPool, String nodeId) {}
}
