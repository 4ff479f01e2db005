package io.glint.image;

import io.glint.error.GlintException;
import io.glint.error.GlintException.Kind;
import io.glint.store.ByteRange;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses download ranges as Glance does ({@code get_range_from_request} with webob's parsers): one
 * {@code Range: bytes=a-b | a- | -n}, or the legacy request {@code Content-Range: bytes a-b/len}. Several ranges
 * are a 400; an unparsable range or a start beyond the image is a 416.
 */
public final class Ranges {
  private static final Pattern RANGE = Pattern.compile("^bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*$");
  private static final Pattern CONTENT_RANGE = Pattern.compile("^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$");

  private Ranges() {}

  public static ByteRange parse(String range, String contentRange, long size) {
    if (range != null) {
      if (range.contains(",")) {
        throw GlintException.badRequest("Requests with multiple ranges are not supported in Glance. You may make "
            + "multiple single-range requests instead.");
      }
      Matcher m = RANGE.matcher(range.strip());
      if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
        throw unsatisfiable("Invalid Range header.");
      }
      if (m.group(1).isEmpty()) {
        long suffix = parse(m.group(2));
        if (suffix == 0) {
          throw unsatisfiable("Invalid Range header.");
        }
        long offset = suffix < size ? size - suffix : 0;
        return new ByteRange(offset, size - offset);
      }
      long start = parse(m.group(1));
      if (start >= size) {
        throw unsatisfiable("Invalid start position in Range header. Start position MUST be in the inclusive range "
            + "[0, " + (size - 1) + "].");
      }
      if (m.group(2).isEmpty()) {
        return new ByteRange(start, size - start);
      }
      long end = parse(m.group(2));
      if (end < start) {
        throw unsatisfiable("Invalid Range header.");
      }
      return new ByteRange(start, Math.min(end + 1, size) - start);
    }
    if (contentRange != null) {
      Matcher m = CONTENT_RANGE.matcher(contentRange.strip());
      if (!m.matches()) {
        throw unsatisfiable("Invalid Content-Range header.");
      }
      long start = parse(m.group(1));
      long stop = parse(m.group(2)) + 1;
      if (stop <= start) {
        throw unsatisfiable("Invalid Content-Range header.");
      }
      if (stop > size) {
        throw unsatisfiable("Invalid stop position in Content-Range header. The stop position MUST be in the "
            + "inclusive range [0, " + (size - 1) + "].");
      }
      if (start >= size) {
        throw unsatisfiable("Invalid start position in Content-Range header. Start position MUST be in the "
            + "inclusive range [0, " + (size - 1) + "].");
      }
      return new ByteRange(start, stop - start);
    }
    return ByteRange.ALL;
  }

  private static long parse(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw unsatisfiable("Invalid Range header.");
    }
  }

  private static GlintException unsatisfiable(String message) {
    return new GlintException(Kind.RANGE_NOT_SATISFIABLE, message);
  }
}
