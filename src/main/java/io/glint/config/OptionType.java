package io.glint.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How an option's string value is parsed and validated. {@link #parse} throws
 * {@link IllegalArgumentException} with a short reason ("must be an integer between 0 and 65535")
 * that the configuration loader turns into a {@link ConfigException} naming the option and the source.
 *
 * @param <T> the parsed type
 */
public interface OptionType<T> {

  /**
   * Parses a raw value (already trimmed by the INI parser; may be null only for options whose
   * default is null).
   *
   * @throws IllegalArgumentException the value is not allowed; the message says why
   */
  T parse(String raw);

  /** What is allowed, for messages and {@code --help}, e.g. "integer 0..65535". */
  String describe();

  /** Placeholder for the value in {@code --help}, e.g. "INT". */
  String metavar();

  /** Boolean options may be given as bare flags ({@code --debug}, {@code --nodebug}). */
  default boolean isBoolean() {
    return false;
  }

  /** The raw value as it may be shown in logs (hides passwords); identity by default. */
  default String mask(String raw) {
    return raw;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * A string. When {@code nullable}, an empty value means "unset" (null); otherwise an empty value
   * is rejected.
   */
  static OptionType<String> string(boolean nullable) {
    return new OptionType<>() {
      @Override
      public String parse(String raw) {
        String v = raw == null ? null : raw.strip();
        if (v == null || v.isEmpty()) {
          if (nullable) {
            return null;
          }
          throw new IllegalArgumentException("must not be empty");
        }
        return v;
      }

      @Override
      public String describe() {
        return nullable ? "string (empty = unset)" : "non-empty string";
      }

      @Override
      public String metavar() {
        return "STRING";
      }
    };
  }

  /** A file-system path; when {@code nullable}, empty means unset (null). */
  static OptionType<Path> path(boolean nullable) {
    OptionType<String> str = string(nullable);
    return new OptionType<>() {
      @Override
      public Path parse(String raw) {
        String v = str.parse(raw);
        if (v == null) {
          return null;
        }
        try {
          return Path.of(v);
        } catch (InvalidPathException e) {
          throw new IllegalArgumentException("is not a valid path: " + e.getReason());
        }
      }

      @Override
      public String describe() {
        return nullable ? "path (empty = unset)" : "path";
      }

      @Override
      public String metavar() {
        return "PATH";
      }
    };
  }

  /**
   * {@code type}, or unset (null) when the value is empty: for an option whose default is another option's
   * value, such as a store section's {@code filesystem_store_fsync} (unset: {@code [glance_store]}'s).
   */
  static <T> OptionType<T> orUnset(OptionType<T> type) {
    return new OptionType<>() {
      @Override
      public T parse(String raw) {
        return raw == null || raw.isBlank() ? null : type.parse(raw);
      }

      @Override
      public String describe() {
        return type.describe() + " (empty = unset)";
      }

      @Override
      public String metavar() {
        return type.metavar();
      }

      @Override
      public boolean isBoolean() {
        return type.isBoolean();
      }

      @Override
      public String mask(String raw) {
        return type.mask(raw);
      }
    };
  }

  /** An integer in {@code [min, max]}. */
  static OptionType<Integer> integer(int min, int max) {
    OptionType<Long> range = longInteger(min, max);
    return new OptionType<>() {
      @Override
      public Integer parse(String raw) {
        return range.parse(raw).intValue();
      }

      @Override
      public String describe() {
        return range.describe();
      }

      @Override
      public String metavar() {
        return "INT";
      }
    };
  }

  /** A decimal number in {@code [min, max]} (seconds, typically). */
  static OptionType<Double> decimal(double min, double max) {
    return new OptionType<>() {
      @Override
      public Double parse(String raw) {
        double v;
        try {
          v = Double.parseDouble(raw == null ? "" : raw.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("must be " + describe());
        }
        if (!(v >= min && v <= max)) {
          throw new IllegalArgumentException("must be " + describe());
        }
        return v;
      }

      @Override
      public String describe() {
        return "a number between " + min + " and " + max;
      }

      @Override
      public String metavar() {
        return "NUMBER";
      }
    };
  }

  /** A long integer (typically a byte count) in {@code [min, max]}. */
  static OptionType<Long> longInteger(long min, long max) {
    String range = max == Long.MAX_VALUE || max == Integer.MAX_VALUE
        ? "an integer >= " + min : "an integer between " + min + " and " + max;
    return new OptionType<>() {
      @Override
      public Long parse(String raw) {
        long v;
        try {
          v = Long.parseLong(raw == null ? "" : raw.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("must be " + range);
        }
        if (v < min || v > max) {
          throw new IllegalArgumentException("must be " + range);
        }
        return v;
      }

      @Override
      public String describe() {
        return range;
      }

      @Override
      public String metavar() {
        return "INT";
      }
    };
  }

  /** A boolean, spelled as oslo accepts: true/false, yes/no, on/off, 1/0, case-insensitive. */
  static OptionType<Boolean> bool() {
    return new OptionType<>() {
      @Override
      public Boolean parse(String raw) {
        switch (raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT)) {
          case "true": case "yes": case "on": case "1":
            return Boolean.TRUE;
          case "false": case "no": case "off": case "0":
            return Boolean.FALSE;
          default:
            throw new IllegalArgumentException("must be a boolean: true/false, yes/no, on/off or 1/0");
        }
      }

      @Override
      public String describe() {
        return "boolean (true/false, yes/no, on/off, 1/0)";
      }

      @Override
      public String metavar() {
        return "BOOL";
      }

      @Override
      public boolean isBoolean() {
        return true;
      }
    };
  }

  /** A comma-separated list of strings; items trimmed, empty items dropped. */
  static OptionType<List<String>> list() {
    return list(List.of());
  }

  /**
   * Glance's {@code enabled_backends}: {@code name:type} pairs, each name once and not reserved, each type
   * one of {@code types} (asked when a value is parsed, so that the store types can be registered later than
   * the option is defined).
   */
  static OptionType<List<String>> backends(Supplier<List<String>> types) {
    OptionType<List<String>> list = list();
    return new OptionType<>() {
      @Override
      public List<String> parse(String raw) {
        List<String> items = list.parse(raw);
        java.util.Set<String> names = new java.util.HashSet<>();
        List<String> out = new java.util.ArrayList<>();
        for (String item : items) {
          int colon = item.indexOf(':');
          String name = colon < 0 ? "" : item.substring(0, colon).strip();
          String type = colon < 0 ? "" : item.substring(colon + 1).strip();
          if (name.isEmpty() || !types.get().contains(type)) {
            throw new IllegalArgumentException("must be name:type pairs with type " + String.join(" or ", types.get())
                + ", not '" + item + "'");
          }
          if (name.startsWith("os_glance_") || !names.add(name)) {
            throw new IllegalArgumentException("store name '" + name + "' is reserved or repeated");
          }
          out.add(name + ":" + type);
        }
        return List.copyOf(out);
      }

      @Override
      public String describe() {
        return "comma-separated name:type pairs (types: " + String.join(", ", types.get()) + ")";
      }

      @Override
      public String metavar() {
        return "NAME:TYPE,...";
      }
    };
  }

  /**
   * A comma-separated list of strings; items trimmed, empty items dropped; when {@code choices} is
   * not empty every item must be one of them.
   */
  static OptionType<List<String>> list(List<String> choices) {
    return new OptionType<>() {
      @Override
      public List<String> parse(String raw) {
        List<String> items = new ArrayList<>();
        if (raw != null) {
          for (String item : raw.split(",")) {
            String v = item.strip();
            if (v.isEmpty()) {
              continue;
            }
            if (!choices.isEmpty() && !choices.contains(v)) {
              throw new IllegalArgumentException("has '" + v + "', but each item must be one of: " + String.join(", ", choices));
            }
            items.add(v);
          }
        }
        return List.copyOf(items);
      }

      @Override
      public String describe() {
        return choices.isEmpty() ? "comma-separated list" : "comma-separated list of: " + String.join(", ", choices);
      }

      @Override
      public String metavar() {
        return "LIST";
      }
    };
  }

  /**
   * One of {@code choices}. When {@code ignoreCase}, any case is accepted and the choice as
   * spelled in {@code choices} is returned.
   */
  static OptionType<String> choice(boolean ignoreCase, String... choices) {
    List<String> allowed = List.of(choices);
    String shown = allowed.stream().map(c -> c.isEmpty() ? "'' (empty)" : c).collect(Collectors.joining(", "));
    return new OptionType<>() {
      @Override
      public String parse(String raw) {
        String v = raw == null ? "" : raw.strip();
        for (String c : allowed) {
          if (ignoreCase ? c.equalsIgnoreCase(v) : c.equals(v)) {
            return c;
          }
        }
        throw new IllegalArgumentException("must be one of: " + shown);
      }

      @Override
      public String describe() {
        return "one of: " + shown;
      }

      @Override
      public String metavar() {
        return "CHOICE";
      }
    };
  }

  /**
   * A size in bytes with an optional unit B, KB, MB, GB or TB (1024-based, as Glance's
   * {@code user_storage_quota}; case-insensitive); {@code 10GB} is 10737418240. Result in bytes.
   */
  static OptionType<Long> size() {
    Pattern pattern = Pattern.compile("(\\d+)\\s*([KMGT]?B)?", Pattern.CASE_INSENSITIVE);
    String allowed = "a size: a non-negative integer with optional unit B, KB, MB, GB or TB (1024-based), e.g. 10GB";
    return new OptionType<>() {
      @Override
      public Long parse(String raw) {
        Matcher m = pattern.matcher(raw == null ? "" : raw.strip());
        if (!m.matches()) {
          throw new IllegalArgumentException("must be " + allowed);
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
          case "KB" -> 10;
          case "MB" -> 20;
          case "GB" -> 30;
          case "TB" -> 40;
          default -> 0;
        };
        try {
          long n = Long.parseLong(m.group(1));
          return Math.multiplyExact(n, 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
          throw new IllegalArgumentException("is too large (at most " + Long.MAX_VALUE + " bytes)");
        }
      }

      @Override
      public String describe() {
        return allowed;
      }

      @Override
      public String metavar() {
        return "SIZE";
      }
    };
  }

  /**
   * A PostgreSQL connection URL, normalised by {@link DatabaseUrl#normalise}; empty means unset.
   * Passwords are masked in logs.
   */
  static OptionType<String> databaseUrl() {
    return new OptionType<>() {
      @Override
      public String parse(String raw) {
        return DatabaseUrl.normalise(raw);
      }

      @Override
      public String describe() {
        return "PostgreSQL URL postgresql://user:password@host:port/dbname (SQLAlchemy forms "
            + "postgresql+psycopg2:// and postgres:// accepted; empty = unset)";
      }

      @Override
      public String metavar() {
        return "URL";
      }

      @Override
      public String mask(String raw) {
        return DatabaseUrl.mask(raw);
      }
    };
  }

  /**
   * oslo.messaging's transport URL ({@link TransportUrl}), validated and kept as given; empty means unset.
   * Passwords are masked in logs.
   */
  static OptionType<String> transportUrl() {
    return new OptionType<>() {
      @Override
      public String parse(String raw) {
        if (raw == null || raw.isBlank()) {
          return null;
        }
        TransportUrl.parse(raw);
        return raw.strip();
      }

      @Override
      public String describe() {
        return "rabbit://user:password@host:port[,user:password@host2:port...]/vhost (empty = unset)";
      }

      @Override
      public String metavar() {
        return "URL";
      }

      @Override
      public String mask(String raw) {
        return TransportUrl.mask(raw);
      }
    };
  }
}
