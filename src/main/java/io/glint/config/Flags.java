package io.glint.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line: {@code --config-file PATH}, {@code --name=value} / {@code --name value}, {@code
 * --section.name=value}, bare {@code --flag} and negated {@code --noflag} booleans. {@code --help}/{@code -h}
 * are skipped (the caller handles them, see {@link #helpRequested}).
 */
final class Flags {

  /**
   * What the command line said.
   *
   * @param configFiles the {@code --config-file} paths, in order
   * @param options known options
   * @param sections options of sections that have no known option (store sections, checked once the stores of
   *     {@code enabled_backends} are known), by section then name
   */
  record Parsed(List<String> configFiles, Map<ConfigOption<?>, Setting> options,
      Map<String, Map<String, Setting>> sections) {}

  private Flags() {
  }

  /** Whether {@code args} asks for help ({@code --help} or {@code -h}). */
  static boolean helpRequested(List<String> args) {
    return args != null && (args.contains("--help") || args.contains("-h"));
  }

  /** Parses {@code args}; each mistake is an error of {@code problems}. */
  static Parsed parse(List<String> args, Problems problems) {
    List<String> files = new ArrayList<>();
    Map<ConfigOption<?>, Setting> flags = new LinkedHashMap<>();
    Map<String, Map<String, Setting>> sections = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        continue;
      }
      if (!arg.startsWith("--") || arg.length() == 2) {
        problems.error("Unexpected command-line argument '" + arg + "': options are given as --name=value (see --help)");
        continue;
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? null : body.substring(eq + 1);
      String key = name.replace('-', '_');
      boolean hasNext = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
      String source = "command-line flag --" + name;

      if (key.equals("config_file")) {
        if (value == null && hasNext) {
          value = args.get(++i);
        }
        if (value == null || value.isBlank()) {
          problems.error("Command-line flag " + GlintConfig.CONFIG_FILE_FLAG + " needs a file path");
        } else {
          files.add(value.strip());
        }
        continue;
      }

      ConfigOption<?> option = Options.byKey(key).orElse(null);
      if (option == null && value == null) {
        ConfigOption<?> negated = negatedBoolean(key);
        if (negated != null) {
          flags.put(negated, new Setting("false", source));
          continue;
        }
      }
      int dot = key.indexOf('.');
      if (option == null && dot > 0 && value != null && !Options.sections().contains(key.substring(0, dot))) {
        // Perhaps a store section option (--fast.filesystem_store_datadir=...), checked once stores are known.
        sections.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>())
            .put(key.substring(dot + 1), new Setting(value, source));
        continue;
      }
      if (option == null) {
        problems.error("Unknown command-line flag --" + name + OptionHints.forKey(key) + " (see --help)");
        continue;
      }
      if (value == null) {
        if (option.type().isBoolean()) {
          value = hasNext && !args.get(i + 1).startsWith("-") ? args.get(++i) : "true";
        } else if (hasNext) {
          value = args.get(++i);
        } else {
          problems.error("Command-line flag --" + name + " needs a value (" + option.type().describe() + ")");
          continue;
        }
      }
      flags.put(option, new Setting(value, source));
    }
    return new Parsed(files, flags, sections);
  }

  /** oslo-style negated boolean: {@code --nodebug}, {@code --section.nofoo}; null if not one. */
  private static ConfigOption<?> negatedBoolean(String key) {
    int dot = key.indexOf('.');
    String opt = dot < 0 ? key : key.substring(dot + 1);
    if (!opt.startsWith("no")) {
      return null;
    }
    ConfigOption<?> positive = Options.byKey(dot < 0 ? opt.substring(2) : key.substring(0, dot + 1) + opt.substring(2))
        .orElse(null);
    return positive != null && positive.type().isBoolean() ? positive : null;
  }
}
