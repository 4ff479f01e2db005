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
    if (instant == null) {
      return null;
    }
    long seconds = instant.getEpochSecond();
    long days = Math.floorDiv(seconds, 86_400);
    if (days < 0 || days > 2_932_896) { // before 1970 or after 9999: the formatter's way (signs, wide years)
      return RENDER.format(instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }
    // Written out by hand: this is on every image of every list, and DateTimeFormatter is ten times slower.
    LocalDate date = LocalDate.ofEpochDay(days);
    int secondOfDay = (int) (seconds - days * 86_400);
    byte[] out = new byte[20];
    digits(out, 0, date.getYear(), 4);
    out[4] = '-';
    digits(out, 5, date.getMonthValue(), 2);
    out[7] = '-';
    digits(out, 8, date.getDayOfMonth(), 2);
    out[10] = 'T';
    digits(out, 11, secondOfDay / 3600, 2);
    out[13] = ':';
    digits(out, 14, secondOfDay / 60 % 60, 2);
    out[16] = ':';
    digits(out, 17, secondOfDay % 60, 2);
    out[19] = 'Z';
    return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static void digits(byte[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
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
