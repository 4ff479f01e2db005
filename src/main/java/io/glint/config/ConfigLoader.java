package io.glint.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the sources of the configuration in precedence order, defaults &lt; config file &lt; environment &lt;
 * flags, then parses and validates every value into a {@link GlintConfig}: see {@link GlintConfig#load(List,
 * Map, Path)} and {@link GlintConfig#of(Map)}. Every problem is collected, and all are reported together.
 */
final class ConfigLoader {

  private final Problems problems = new Problems();
  private final Map<ConfigOption<?>, Setting> settings = new LinkedHashMap<>();
  /** Sections of the files read that have no known option: perhaps stores' (see {@link BackendSections}). */
  private final Map<String, Map<String, Setting>> fileSections = new LinkedHashMap<>();
  private final List<Path> filesRead = new ArrayList<>();

  private ConfigLoader() {
    Options.all().forEach(o -> settings.put(o, Setting.defaultOf(o)));
  }

  static GlintConfig load(List<String> args, Map<String, String> env, Path workingDir) {
    ConfigLoader loader = new ConfigLoader();
    Flags.Parsed flags = Flags.parse(args, loader.problems);
    loader.readFiles(flags.configFiles(), env, workingDir);
    loader.applyEnvironment(env);
    loader.settings.putAll(flags.options());
    loader.warnUnknownEnvironment(env);
    return loader.finish(flags.sections(), env);
  }

  static GlintConfig of(Map<String, String> given) {
    ConfigLoader loader = new ConfigLoader();
    Map<String, Map<String, Setting>> sections = new LinkedHashMap<>();
    given.forEach((key, value) -> {
      Optional<ConfigOption<?>> o = Options.byKey(key);
      int dot = key.indexOf('.');
      if (o.isEmpty() && dot > 0 && value != null && !Options.sections().contains(key.substring(0, dot))) {
        sections.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>())
            .put(key.substring(dot + 1), new Setting(value, "setting '" + key + "'"));
      } else if (o.isEmpty()) {
        loader.problems.error("Unknown option '" + key + "'" + OptionHints.forKey(key));
      } else {
        loader.settings.put(o.get(), value == null ? Setting.defaultOf(o.get()) : new Setting(value, "setting '" + key + "'"));
      }
    });
    return loader.finish(sections, Map.of());
  }

  // --------------------------------------------------------------------------------------------- files

  /**
   * The files named by {@code --config-file} (later wins), else by {@code $GLINT_CONFIG_FILE}, else {@code
   * conf/glint.conf} if it exists; a named file that does not exist is an error.
   */
  private void readFiles(List<String> named, Map<String, String> env, Path workingDir) {
    List<Path> files = new ArrayList<>();
    String namedBy;
    String fromEnv = env.get(GlintConfig.CONFIG_FILE_ENV);
    if (!named.isEmpty()) {
      named.forEach(f -> files.add(workingDir.resolve(f)));
      namedBy = GlintConfig.CONFIG_FILE_FLAG;
    } else if (fromEnv != null && !fromEnv.isBlank()) {
      files.add(workingDir.resolve(fromEnv.strip()));
      namedBy = "environment variable " + GlintConfig.CONFIG_FILE_ENV;
    } else {
      Path dflt = workingDir.resolve(GlintConfig.DEFAULT_CONFIG_FILE);
      if (Files.isRegularFile(dflt)) {
        files.add(dflt);
      }
      namedBy = null;
    }
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        problems.error("Configuration file " + file + " (named by " + namedBy + ") "
            + (Files.exists(file) ? "is not a regular file" : "does not exist"));
        continue;
      }
      try {
        Problems.LOG.debug("Reading configuration file {}", file);
        applyFile(IniFile.load(file));
        filesRead.add(file);
      } catch (ConfigException e) {
        problems.errors(e.problems());
      }
    }
  }

  private void applyFile(IniFile ini) {
    for (String section : ini.sections()) {
      Map<String, IniFile.Entry> entries = ini.section(section);
      if (Options.sections().contains(section)) {
        applySection(section, entries);
      } else if (entries.isEmpty()) {
        Problems.LOG.debug("{}: ignoring empty section [{}]", ini.source(), section);
      } else if (Options.DEFERRED_SECTIONS.contains(section)) {
        Problems.LOG.debug("{}: section [{}] is not used by Glint yet; ignoring its options {}", ini.source(), section,
            entries.keySet());
      } else {
        // Perhaps a store section named in enabled_backends: decided once every source is read.
        Map<String, Setting> values = fileSections.computeIfAbsent(section, k -> new LinkedHashMap<>());
        entries.values().forEach(e -> values.put(e.key(), new Setting(e.value(), e.location())));
      }
    }
  }

  private void applySection(String section, Map<String, IniFile.Entry> entries) {
    for (IniFile.Entry e : entries.values()) {
      Optional<ConfigOption<?>> o = Options.find(section, e.key());
      if (o.isPresent()) {
        settings.put(o.get(), new Setting(e.value(), e.location()));
      } else {
        String key = IniFile.DEFAULT_SECTION.equals(section) ? e.key() : section + "." + e.key();
        problems.warn("Ignoring unknown option '" + e.key() + "' in section [" + section + "] of " + e.location()
            + OptionHints.forKey(key));
      }
    }
  }

  // ------------------------------------------------------------------------------------- environment

  private void applyEnvironment(Map<String, String> env) {
    for (ConfigOption<?> o : Options.all()) {
      String v = env.get(o.envName());
      if (v != null) {
        settings.put(o, new Setting(v, "environment variable " + o.envName()));
      }
    }
  }

  /** Warns of {@code GLINT_*} variables that name no option (of the registry, or of a configured store). */
  private void warnUnknownEnvironment(Map<String, String> env) {
    Set<String> storeOptions = BackendSections.envNames(settings.get(Options.ENABLED_BACKENDS));
    for (String name : new TreeSet<>(env.keySet())) {
      if (name.startsWith("GLINT_") && !name.equals(GlintConfig.CONFIG_FILE_ENV) && !name.equals("GLINT_JAVA_OPTS")
          && Options.byEnvName(name).isEmpty() && !storeOptions.contains(name)) {
        problems.warn("Ignoring environment variable " + name + ": no such option" + OptionHints.forEnvName(name));
      }
    }
  }

  // ------------------------------------------------------------------------------------------ finish

  /** Adds the store sections, parses every value, and builds the configuration, or reports every problem. */
  private GlintConfig finish(Map<String, Map<String, Setting>> explicitSections, Map<String, String> env) {
    settings.putAll(BackendSections.resolve(settings.get(Options.ENABLED_BACKENDS), fileSections, env,
        explicitSections, problems));
    Map<ConfigOption<?>, Object> values = new HashMap<>();
    settings.forEach((o, s) -> {
      try {
        values.put(o, o.parse(s.raw()));
      } catch (IllegalArgumentException ex) {
        problems.error("Invalid value " + quote(o.display(s.raw())) + " for option " + o.key() + " in ["
            + o.section() + "] (from " + s.source() + "): " + ex.getMessage());
      }
    });
    problems.throwIfAny();
    return new GlintConfig(settings, values, filesRead, problems.warnings());
  }

  private static String quote(String s) {
    return s == null ? "(unset)" : "'" + s + "'";
  }
}
