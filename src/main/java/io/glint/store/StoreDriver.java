package io.glint.store;

import io.glint.config.Backend;
import io.glint.config.BackendType;
import io.glint.config.StoreSettings;
import io.glint.net.UrlGuard;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One type of store (glance_store's driver, found there by entry point): its type name, as written in {@code
 * enabled_backends} ({@code fast:file}), the options of its stores' sections (see {@link BackendType}), and how
 * a store of that type is built. Each type lives in a package of its own ({@code store/file}, {@code
 * store/http}) and is registered by one line in {@code META-INF/services/io.glint.config.BackendType}; {@link
 * StoreDrivers} lists them.
 */
public interface StoreDriver extends BackendType {

  /**
   * Builds store {@code id} of this type. In multi-store mode {@code section} is the store's entry of {@code
   * enabled_backends}, with the values of the options its section may set ({@code [fast]
   * filesystem_store_datadir = ...}); in single-store mode it is empty and the driver reads {@code
   * [glance_store]} ({@link Context#settings()}), where each of its {@link #options()} is registered too: {@link
   * io.glint.config.StoreSettings#glanceStore(String) settings().glanceStore(type())} has their values there.
   */
  ImageStore build(String id, Optional<Backend> section, Context context);

  /** What every driver may use. */
  record Context(Vertx vertx, StoreSettings settings, UrlGuard guard, Executor transferPool, String nodeId) {}
}
