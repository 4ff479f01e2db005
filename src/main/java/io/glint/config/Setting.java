package io.glint.config;

/**
 * One option's raw value as given, and where it came from: "default", "FILE:LINE", "environment variable
 * GLINT_…", "command-line flag --…" or "setting '…'".
 */
record Setting(String raw, String source) {

  static final String DEFAULT_SOURCE = "default";

  static Setting defaultOf(ConfigOption<?> option) {
    return new Setting(option.defaultValue(), DEFAULT_SOURCE);
  }

  boolean isDefault() {
    return source.equals(DEFAULT_SOURCE);
  }

  /** Given on the command line or through {@link GlintConfig#of}, rather than in a file or the environment. */
  boolean isExplicit() {
    return source.startsWith("command-line") || source.startsWith("setting");
  }
}
