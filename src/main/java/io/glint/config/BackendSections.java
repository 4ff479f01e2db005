package io.glint.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sections of the stores of {@code enabled_backends} ({@code [fast] filesystem_store_datadir = ...}), from
 * the config file &lt; the environment ({@code GLINT_FAST_FILESYSTEM_STORE_DATADIR}) &lt; flags ({@code
 * --fast.filesystem_store_datadir=...}), checked against the options each store's type declares. Sections no
 * option is known in are set aside while sources are read ({@code fileSections}, {@code explicitSections}) and
 * decided here, once {@code enabled_backends} is known.
 */
final class BackendSections {

  private BackendSections() {
  }

  /**
   * Every option of every store of {@code enabledBackends}, bound to the store's section ({@link
   * ConfigOption#inSection}), with its effective setting (the default when not given). A section that is no
   * store is ignored with a warning when only a file has it, and an error when a flag or setting names it; an
   * option the store's type does not declare is ignored with a warning.
   */
  static Map<ConfigOption<?>, Setting> resolve(Setting enabledBackends, Map<String, Map<String, Setting>> fileSections,
      Map<String, String> env, Map<String, Map<String, Setting>> explicitSections, Problems problems) {
    Map<String, String> stores = declared(enabledBackends);
    Set<String> sections = new LinkedHashSet<>(fileSections.keySet());
    sections.addAll(explicitSections.keySet());
    for (String section : sections) {
      if (!stores.containsKey(section)) {
        Map<String, Setting> values = new LinkedHashMap<>(fileSections.getOrDefault(section, Map.of()));
        values.putAll(explicitSections.getOrDefault(section, Map.of()));
        notAStore(section, values, fileSections.containsKey(section), problems);
      }
    }
    Map<ConfigOption<?>, Setting> bound = new LinkedHashMap<>();
    stores.forEach((name, type) -> BackendTypes.byType(type).ifPresent(t -> {
      List<ConfigOption<?>> options = Backend.optionsOf(t);
      Map<String, Setting> values = new LinkedHashMap<>(fileSections.getOrDefault(name, Map.of()));
      for (ConfigOption<?> template : options) {
        String envName = template.inSection(name).envName();
        if (env.get(envName) != null) {
          values.put(template.name(), new Setting(env.get(envName), "environment variable " + envName));
        }
      }
      values.putAll(explicitSections.getOrDefault(name, Map.of()));
      for (ConfigOption<?> template : options) {
        Setting s = values.remove(template.name());
        bound.put(template.inSection(name), s != null ? s : Setting.defaultOf(template));
      }
      values.forEach((k, v) -> problems.warn("Ignoring option '" + k + "' of store [" + name + "] (from "
          + v.source() + "): stores of type " + type + " know "
          + new TreeSet<>(options.stream().map(ConfigOption::name).toList())));
    }));
    return bound;
  }

  /** The environment variables of the options of the stores of {@code enabledBackends}. */
  static Set<String> envNames(Setting enabledBackends) {
    Set<String> names = new LinkedHashSet<>();
    declared(enabledBackends).forEach((name, type) -> BackendTypes.byType(type)
        .ifPresent(t -> Backend.optionsOf(t).forEach(o -> names.add(o.inSection(name).envName()))));
    return names;
  }

  private static void notAStore(String section, Map<String, Setting> values, boolean inFile, Problems problems) {
    if (inFile && values.values().stream().noneMatch(Setting::isExplicit)) {
      String where = values.values().iterator().next().source().replaceAll(":\\d+$", "");
      problems.warn("Ignoring unknown section [" + section + "] in " + where + " with options " + values.keySet()
          + OptionHints.forSection(section));
    } else {
      values.forEach((k, v) -> problems.error("Unknown option " + section + "." + k + " (from " + v.source()
          + "): [" + section + "] is not a store named in enabled_backends"));
    }
  }

  /**
   * Store name → type of an {@code enabled_backends} setting, read leniently (a malformed value is reported
   * when the option is parsed): a section named there is a store's, not an unknown one.
   */
  private static Map<String, String> declared(Setting enabledBackends) {
    Map<String, String> stores = new LinkedHashMap<>();
    if (enabledBackends == null || enabledBackends.raw() == null) {
      return stores;
    }
    for (String item : enabledBackends.raw().split(",")) {
      int colon = item.indexOf(':');
      String name = (colon < 0 ? item : item.substring(0, colon)).strip();
      if (!name.isEmpty()) {
        stores.putIfAbsent(name, colon < 0 ? "" : item.substring(colon + 1).strip());
      }
    }
    return stores;
  }
}
