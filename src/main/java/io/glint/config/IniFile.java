package io.glint.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An oslo.config-style INI file (the format of glance-api.conf).
 *
 * <ul>
 *   <li>{@code [section]} headers; names are case-sensitive. Assignments before the first header
 *       belong to {@value #DEFAULT_SECTION}. A section appearing twice is merged.
 *   <li>{@code key = value} or {@code key: value} (whichever separator comes first); key and value
 *       are trimmed; a value wrapped in matching single or double quotes is unquoted, as oslo does.
 *   <li>Lines starting with {@code #} or {@code ;} are comments; blank lines are ignored. There are
 *       no inline comments: {@code a = b # c} has the value {@code "b # c"}, as in oslo.
 *   <li>A line starting with whitespace continues the previous value (joined with a newline); a
 *       blank or comment line ends the value, after which an indented line is an error.
 *   <li>A duplicate key in a section: the last one wins.
 * </ul>
 *
 * Anything else is a {@link ConfigException} naming the file and line number.
 */
public final class IniFile {

  /** The default section, as in oslo.config. */
  public static final String DEFAULT_SECTION = "DEFAULT";

  /** One assignment: the value of {@code key} in {@code section}, defined at {@code file:line}. */
  public record Entry(String section, String key, String value, String file, int line) {
    /** {@code file:line}, for messages. */
    public String location() {
      return file + ":" + line;
    }
  }

  private final String source;
  private final Map<String, Map<String, Entry>> sections;

  private IniFile(String source, Map<String, Map<String, Entry>> sections) {
    this.source = source;
    Map<String, Map<String, Entry>> copy = new LinkedHashMap<>();
    sections.forEach((name, entries) -> copy.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(entries))));
    this.sections = Collections.unmodifiableMap(copy);
  }

  /** Reads and parses a UTF-8 file; an unreadable or malformed file is a {@link ConfigException}. */
  public static IniFile load(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("Cannot read configuration file " + path + ": " + e, e);
    }
    return parse(text, path.toString());
  }

  /** Parses {@code text}; {@code source} names it in messages (usually the file path). */
  public static IniFile parse(String text, String source) {
    return new Parser(source).parse(text);
  }

  /** The file name given when parsing. */
  public String source() {
    return source;
  }

  /** Section names in order of first appearance (including sections with no assignments). */
  public Set<String> sections() {
    return sections.keySet();
  }

  /** The assignments of a section by key, in file order; empty if there is no such section. */
  public Map<String, Entry> section(String name) {
    return sections.getOrDefault(name, Map.of());
  }

  /** The assignment of {@code key} in {@code section}, if any. */
  public Optional<Entry> entry(String section, String key) {
    return Optional.ofNullable(section(section).get(key));
  }

  /** The value of {@code key} in {@code section}, or null. */
  public String get(String section, String key) {
    Entry e = section(section).get(key);
    return e == null ? null : e.value();
  }

  /** Every assignment, section by section, in file order. */
  public List<Entry> entries() {
    List<Entry> all = new ArrayList<>();
    sections.values().forEach(m -> all.addAll(m.values()));
    return all;
  }

  @Override
  public String toString() {
    return "IniFile{" + source + ", sections=" + sections.keySet() + "}";
  }

  private static final class Parser {
    private final String source;
    private final Map<String, Map<String, Entry>> sections = new LinkedHashMap<>();
    private String section = DEFAULT_SECTION;
    private String key;
    private int keyLine;
    private final List<String> value = new ArrayList<>();

    Parser(String source) {
      this.source = source;
    }

    IniFile parse(String text) {
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      String[] lines = text.split("\r\n|\r|\n", -1);
      for (int i = 0; i < lines.length; i++) {
        int lineNo = i + 1;
        String line = lines[i].stripTrailing();
        if (line.isEmpty()) {
          flush();
          continue;
        }
        char first = line.charAt(0);
        if (first == ' ' || first == '\t') {
          if (key == null) {
            throw error(lineNo, "unexpected continuation line (indented line not following an assignment)");
          }
          value.add(line.strip());
          continue;
        }
        flush();
        if (first == '#' || first == ';') {
          continue;
        }
        if (first == '[') {
          if (line.charAt(line.length() - 1) != ']') {
            throw error(lineNo, "section header is missing the closing ']'");
          }
          String name = line.substring(1, line.length() - 1).strip();
          if (name.isEmpty()) {
            throw error(lineNo, "empty section name");
          }
          section = name;
          sections.computeIfAbsent(name, n -> new LinkedHashMap<>());
          continue;
        }
        int colon = line.indexOf(':');
        int equal = line.indexOf('=');
        int sep;
        if (colon < 0 && equal < 0) {
          throw error(lineNo, "expected 'key = value', '[section]' or a comment, got '" + abbreviate(line) + "'");
        } else if (colon < 0 || (equal >= 0 && equal < colon)) {
          sep = equal;
        } else {
          sep = colon;
        }
        String k = line.substring(0, sep).strip();
        if (k.isEmpty()) {
          throw error(lineNo, "missing option name before '" + line.charAt(sep) + "'");
        }
        String v = line.substring(sep + 1).strip();
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
          v = v.substring(1, v.length() - 1);
        }
        key = k;
        keyLine = lineNo;
        value.add(v);
      }
      flush();
      return new IniFile(source, sections);
    }

    private void flush() {
      if (key == null) {
        return;
      }
      String v = String.join("\n", value).strip();
      Map<String, Entry> entries = sections.computeIfAbsent(section, n -> new LinkedHashMap<>());
      entries.remove(key); // last wins, and takes the position of the last occurrence
      entries.put(key, new Entry(section, key, v, source, keyLine));
      key = null;
      value.clear();
    }

    private ConfigException error(int line, String what) {
      return new ConfigException("Cannot parse configuration file " + source + ":" + line + ": " + what);
    }

    private static String abbreviate(String s) {
      return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
  }
}
