package io.glint.config;

import java.util.List;
import java.util.Locale;

/** The {@code --help} text: how configuration is read, then every option with flag, environment name, default and help. */
final class Usage {

  private Usage() {
  }

  static String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: glint [--config-file PATH] [--help] [--OPTION=VALUE | --SECTION.OPTION=VALUE ...]\n\n")
        .append("Configuration uses the layout and option names of glance-api.conf. Sources, lowest precedence first:\n")
        .append("  1. built-in defaults (shown below)\n")
        .append("  2. the config file: --config-file PATH, else $").append(GlintConfig.CONFIG_FILE_ENV)
        .append(", else ").append(GlintConfig.DEFAULT_CONFIG_FILE).append(" if it exists\n")
        .append("  3. environment: GLINT_<OPTION> for [DEFAULT] options, GLINT_<SECTION>_<OPTION> otherwise\n")
        .append("     (upper case, every character that is not a letter or digit becomes '_')\n")
        .append("  4. flags: --OPTION=VALUE or --OPTION VALUE for [DEFAULT], --SECTION.OPTION=VALUE otherwise;\n")
        .append("     booleans may be given bare (--debug) or negated (--nodebug)\n");
    String section = null;
    for (ConfigOption<?> o : Options.all()) {
      if (!o.section().equals(section)) {
        section = o.section();
        sb.append("\n[").append(section).append("]\n");
      }
      option(sb, o, o.flag(), o.envName());
    }
    sb.append("\n[").append(BackendType.SECTION).append("]  one section per store of enabled_backends, named after it")
        .append(" (store sections take --SECTION.OPTION=VALUE flags only);\n  every store:\n");
    backendOptions(sb, List.of(Backend.DESCRIPTION));
    for (BackendType type : BackendTypes.all()) {
      sb.append("  stores of type '").append(type.type()).append("'")
          .append(type.options().isEmpty() ? ": no options of their own\n" : ":\n");
      backendOptions(sb, type.options());
    }
    return sb.toString();
  }

  private static void backendOptions(StringBuilder sb, List<ConfigOption<?>> options) {
    for (ConfigOption<?> o : options) {
      option(sb, o, o.flag(),
          "GLINT_<BACKEND>_" + o.name().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
    }
  }

  private static void option(StringBuilder sb, ConfigOption<?> o, String flag, String envName) {
    String dflt = o.display(o.defaultValue());
    sb.append("  ").append(flag).append('=').append(o.type().metavar())
        .append("    env ").append(envName)
        .append(", default: ").append(dflt == null ? "(unset)" : "'" + dflt + "'")
        .append('\n')
        .append("      ").append(o.help()).append(" Allowed: ").append(o.type().describe()).append(".\n");
  }
}
