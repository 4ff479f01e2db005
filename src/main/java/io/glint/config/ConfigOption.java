package io.glint.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One known option: section, name, type, default (as the string a config file would contain),
 * help text. Instances are defined in {@link Options}, and a store section's by its type (see {@link
 * BackendType}); identity is (section, name).
 *
 * <p>Names, as seen by the operator:
 *
 * <ul>
 *   <li>file: {@code name = value} in {@code [section]};
 *   <li>environment: {@link #envName()}, {@code GLINT_NAME} for {@code [DEFAULT]}, {@code
 *       GLINT_SECTION_NAME} otherwise, upper case, non-alphanumerics as {@code _};
 *   <li>command line: {@link #flag()}, {@code --name} for {@code [DEFAULT]}, {@code
 *       --section.name} otherwise.
 * </ul>
 *
 * @param <T> the type of the parsed value
 */
public final class ConfigOption<T> {

  private final String section;
  private final String name;
  private final OptionType<T> type;
  private final String defaultValue;
  private final String help;
  private final boolean secret;

  private ConfigOption(String section, String name, OptionType<T> type, String defaultValue, String help, boolean secret) {
    this.section = Objects.requireNonNull(section, "section");
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.defaultValue = defaultValue;
    this.help = Objects.requireNonNull(help, "help");
    this.secret = secret;
    try {
      type.parse(defaultValue);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("Default of " + this + " is invalid: " + e.getMessage(), e);
    }
  }

  /**
   * Defines an option. The default is the raw string (null for "unset") and must itself be valid.
   */
  public static <T> ConfigOption<T> define(String section, String name, OptionType<T> type, String defaultValue, String help) {
    return new ConfigOption<>(section, name, type, defaultValue, help, false);
  }

  /**
   * This option, with its value never shown in logs, {@code effective()}, {@code --help} or error messages
   * (e.g. a password).
   */
  public ConfigOption<T> asSecret() {
    return new ConfigOption<>(section, name, type, defaultValue, help, true);
  }

  /** This option in another section: a store option ({@link BackendType#option}) in the section of one store. */
  ConfigOption<T> inSection(String otherSection) {
    return new ConfigOption<>(otherSection, name, type, defaultValue, help, secret);
  }

  /** The INI section, e.g. {@code DEFAULT} or {@code database}. */
  public String section() {
    return section;
  }

  /** The option name within its section, e.g. {@code bind_port}. */
  public String name() {
    return name;
  }

  public OptionType<T> type() {
    return type;
  }

  /** The default as a raw string; null if the option is unset by default. */
  public String defaultValue() {
    return defaultValue;
  }

  public String help() {
    return help;
  }

  /** {@code name} for {@code [DEFAULT]} options, {@code section.name} otherwise. */
  public String key() {
    return isDefaultSection() ? name : section + "." + name;
  }

  /** The command-line flag: {@code --} + {@link #key()}. */
  public String flag() {
    return "--" + key();
  }

  /** {@code GLINT_NAME} / {@code GLINT_SECTION_NAME}: upper case, non-alphanumerics as {@code _}. */
  public String envName() {
    return envName(isDefaultSection() ? name : section + "_" + name);
  }

  /** {@code [section] name}, for messages. */
  public String displayName() {
    return "[" + section + "] " + name;
  }

  /** Parses a raw value; see {@link OptionType#parse}. */
  public T parse(String raw) {
    return type.parse(raw);
  }

  /** The raw value as it may be logged: {@code ***} for secrets, passwords masked in URLs. */
  public String display(String raw) {
    if (raw == null) {
      return null;
    }
    return secret ? "***" : type.mask(raw);
  }

  private boolean isDefaultSection() {
    return IniFile.DEFAULT_SECTION.equals(section);
  }

  static String envName(String s) {
    StringBuilder sb = new StringBuilder("GLINT_");
    for (char c : s.toUpperCase(Locale.ROOT).toCharArray()) {
      sb.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigOption<?> other && section.equals(other.section) && name.equals(other.name);
  }

  @Override
  public int hashCode() {
    return Objects.hash(section, name);
  }

  @Override
  public String toString() {
    return displayName();
  }
}
