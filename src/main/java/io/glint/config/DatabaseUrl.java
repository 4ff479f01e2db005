package io.glint.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Glance's {@code [database] connection} is an SQLAlchemy URL. Glint accepts the PostgreSQL forms
 * ({@code postgresql://}, {@code postgresql+psycopg2://}, {@code postgres://}…) and rewrites them to
 * a plain {@code postgresql://user:pass@host:port/db} URI; any other database is rejected.
 */
public final class DatabaseUrl {

  private static final Pattern QUERY_PASSWORD = Pattern.compile("([?&]password=)[^&]*", Pattern.CASE_INSENSITIVE);

  private DatabaseUrl() {
  }

  /**
   * The URL with the scheme normalised to {@code postgresql://}; null for null/blank.
   *
   * @throws IllegalArgumentException not a URL, or not PostgreSQL
   */
  public static String normalise(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    String v = url.strip();
    int sep = v.indexOf("://");
    if (sep <= 0) {
      throw new IllegalArgumentException("must be a URL like postgresql://user:password@host:5432/glance");
    }
    String scheme = v.substring(0, sep).toLowerCase(Locale.ROOT);
    int plus = scheme.indexOf('+');
    String dialect = plus < 0 ? scheme : scheme.substring(0, plus);
    if (!dialect.equals("postgresql") && !dialect.equals("postgres")) {
      throw new IllegalArgumentException("uses '" + scheme + "://', but Glint supports PostgreSQL only "
          + "(postgresql://user:password@host:5432/glance)");
    }
    String rest = v.substring(sep + 3);
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("must be a URL like postgresql://user:password@host:5432/glance");
    }
    return "postgresql://" + rest;
  }

  /**
   * The URL with any password replaced by {@code ***}: {@code postgresql://user:***@host/db}, and
   * a {@code password=} query parameter likewise. Null stays null.
   */
  public static String mask(String url) {
    if (url == null) {
      return null;
    }
    String v = url;
    int sep = v.indexOf("://");
    if (sep >= 0) {
      int start = sep + 3;
      int at = v.lastIndexOf('@');
      if (at > start) {
        int colon = v.indexOf(':', start);
        if (colon >= 0 && colon < at) {
          v = v.substring(0, colon + 1) + "***" + v.substring(at);
        }
      }
    }
    return QUERY_PASSWORD.matcher(v).replaceAll("$1***");
  }
}
