package io.glint.image;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** ISO 8601 parsing (as oslo's {@code parse_isotime}) and Glance's {@code YYYY-MM-DDThh:mm:ssZ} rendering. */
public final class IsoTime {
  private static final DateTimeFormatter RENDER = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");

  private IsoTime() {}

  /** Renders an instant the way Glance's image views do: UTC, whole seconds, {@code Z}. */
  public static String render(Instant instant) {
    return instant == null ? null : RENDER.format(instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
  }

  /**
   * Parses an ISO 8601 date-time; a value with no offset is UTC. Returns null when it is not one, or when its
   * year is outside 1..9999 (Python's datetime range, so Glance refuses it too, and well inside PostgreSQL's).
   */
  public static Instant parse(String text) {
    Instant instant = parseAnyYear(text);
    if (instant == null) {
      return null;
    }
    int year = instant.atOffset(ZoneOffset.UTC).getYear();
    return year >= 1 && year <= 10_000 ? instant : null;
  }

  private static Instant parseAnyYear(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String t = text.strip();
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the other forms
    }
    try {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      // try the other forms
    }
    try {
      return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException ignored) {
      return null;
    }
  }
}
