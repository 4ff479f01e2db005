package io.glint.config;

import java.util.List;

/**
 * A store type as the configuration sees it (glance_store's driver): the name written in {@code
 * enabled_backends} ({@code fast:file}) and the options a {@code [<backend>]} section of that type accepts. Each
 * store driver implements this and is listed in {@code META-INF/services/io.glint.config.BackendType}; {@link
 * BackendTypes} finds them, so that the configuration knows no store type by name.
 */
public interface BackendType {

  /** The section an option of {@link #options()} is declared in: a placeholder for each store's own name. */
  String SECTION = "<backend>";

  /** The type name, as written in {@code enabled_backends}: {@code file}, {@code http}. */
  String type();

  /**
   * The names {@code [glance_store] stores} and {@code default_store} accept for this type (glance_store's
   * schemes), the type name first.
   */
  default List<String> schemes() {
    return List.of(type());
  }

  /**
   * The options of a {@code [<backend>]} section of this type, each made by {@link #option}; {@code
   * store_description} ({@link Backend#DESCRIPTION}) is common to every type and not repeated here.
   */
  List<ConfigOption<?>> options();

  /** Declares an option of a store section (see {@link #options()}); the default must be valid. */
  static <T> ConfigOption<T> option(String name, OptionType<T> type, String defaultValue, String help) {
    return ConfigOption.define(SECTION, name, type, defaultValue, help);
  }
}
