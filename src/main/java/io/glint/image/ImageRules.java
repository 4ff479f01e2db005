package io.glint.image;

import io.glint.error.GlintException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The image schema's value rules (Glance's {@code get_base_properties} plus
 * {@code additionalProperties: {type: string}}), the reserved and read-only attribute lists, and the
 * per-image quotas. Values are plain Java JSON values: String, Boolean, Number, List, Map or null.
 */
public final class ImageRules {

  public static final Pattern UUID =
      Pattern.compile("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$");

  /** Refused on create ({@code _disallowed_properties}). */
  public static final Set<String> DISALLOWED = Set.of("direct_url", "self", "file", "schema", "stores");
  /** Read-only on create and patch ({@code _readonly_properties}). */
  public static final Set<String> READ_ONLY = Set.of("created_at", "updated_at", "status", "checksum", "size",
      "virtual_size", "direct_url", "self", "file", "schema", "id", "os_hash_algo", "os_hash_value");
  /** Reserved names ({@code _reserved_properties}); names starting with {@code os_glance} are reserved too. */
  public static final Set<String> RESERVED = Set.of("location", "deleted", "deleted_at");
  public static final String RESERVED_NAMESPACE = "os_glance";
  /** Properties with a column of their own: everything else is a custom property. */
  public static final Set<String> BASE = Set.of("id", "name", "status", "visibility", "protected", "os_hidden",
      "checksum", "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "container_format",
      "disk_format", "created_at", "updated_at", "tags", "direct_url", "min_ram", "min_disk", "self", "file",
      "stores", "schema", "locations");

  private final List<String> containerFormats;
  private final List<String> diskFormats;
  private final int propertyQuota;
  private final int tagQuota;

  public ImageRules(List<String> containerFormats, List<String> diskFormats, int propertyQuota, int tagQuota) {
    this.containerFormats = List.copyOf(containerFormats);
    this.diskFormats = List.copyOf(diskFormats);
    this.propertyQuota = propertyQuota;
    this.tagQuota = tagQuota;
  }

  public List<String> containerFormats() {
    return containerFormats;
  }

  public List<String> diskFormats() {
    return diskFormats;
  }

  public static boolean isReserved(String name) {
    return RESERVED.contains(name) || name.startsWith(RESERVED_NAMESPACE);
  }

  /** Validates one property value against the image schema; 400 with Glance's schema wording otherwise. */
  public void checkValue(String property, Object value) {
    switch (property) {
      case "id" -> {
        if (!(value instanceof String s) || !UUID.matcher(s).matches()) {
          throw invalid(repr(value) + " does not match the id pattern");
        }
      }
      case "name", "owner" -> checkNullableString(value, 255);
      case "visibility" -> {
        if (!(value instanceof String s) || Visibility.parse(s).isEmpty()) {
          throw invalid(repr(value) + " is not one of ['community', 'public', 'private', 'shared']");
        }
      }
      case "protected", "os_hidden" -> {
        if (!(value instanceof Boolean)) {
          throw invalid(repr(value) + " is not of type 'boolean'");
        }
      }
      case "container_format" -> checkFormat(value, containerFormats);
      case "disk_format" -> checkFormat(value, diskFormats);
      case "min_ram", "min_disk" -> checkInteger(property, value);
      case "tags" -> checkTags(value);
      default -> checkCustom(property, value);
    }
  }

  private static void checkNullableString(Object value, int max) {
    if (value == null) {
      return;
    }
    if (!(value instanceof String s)) {
      throw invalid(repr(value) + " is not of type 'null', 'string'");
    }
    checkText(s, max);
  }

  private static void checkFormat(Object value, List<String> allowed) {
    if (value == null) {
      return;
    }
    if (!(value instanceof String s) || !allowed.contains(s)) {
      throw invalid(repr(value) + " is not one of [None, " + String.join(", ", allowed.stream()
          .map(f -> "'" + f + "'").toList()) + "]");
    }
  }

  private static void checkInteger(String property, Object value) {
    if (!(value instanceof Number n) || !isIntegral(n)) {
      throw invalid(repr(value) + " is not of type 'integer'");
    }
    long v = n.longValue();
    if (v < 0) {
      throw GlintException.badRequest("Cannot set " + property + " to a negative value.");
    }
    if (v > Integer.MAX_VALUE) {
      throw invalid(repr(value) + " is greater than the maximum of " + Integer.MAX_VALUE);
    }
  }

  private static boolean isIntegral(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return d == Math.rint(d) && !Double.isInfinite(d);
    }
    return !(n instanceof java.math.BigDecimal);
  }

  private void checkTags(Object value) {
    if (!(value instanceof List<?> list)) {
      throw invalid(repr(value) + " is not of type 'array'");
    }
    for (Object tag : list) {
      checkTag(tag);
    }
  }

  /** One tag: a string of at most 255 characters. */
  public static void checkTag(Object tag) {
    if (!(tag instanceof String s)) {
      throw invalid(repr(tag) + " is not of type 'string'");
    }
    checkText(s, 255);
  }

  private static void checkCustom(String property, Object value) {
    if (property.codePointCount(0, property.length()) > 255) {
      throw GlintException.badRequest("Custom property should not be greater than 255 characters.");
    }
    checkText(property);
    if (!(value instanceof String s)) {
      throw invalid(repr(value) + " is not of type 'string'");
    }
    checkText(s);
  }

  /** {@link #checkText(String)}, and at most {@code max} characters. */
  private static void checkText(String s, int max) {
    checkText(s);
    if (s.codePointCount(0, s.length()) > max) {
      throw invalid(repr(s) + " is too long");
    }
  }

  /**
   * Refuses text the database cannot keep as given: NUL characters, and (as Glance's DB guard does) characters
   * outside the Basic Multilingual Plane.
   */
  public static void checkText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        throw GlintException.badRequest("Provided object does not match schema 'image': NUL characters are not "
            + "allowed");
      }
      if (Character.isSurrogate(c)) {
        throw GlintException.badRequest("Provided object does not match schema 'image': 4 byte unicode "
            + "characters are not allowed");
      }
    }
  }

  /** Glance's {@code image_property_quota} and {@code image_tag_quota}; -1 is unlimited. */
  public void checkQuotas(Map<String, String> properties, java.util.Collection<String> tags) {
    if (propertyQuota >= 0 && properties.size() > propertyQuota) {
      throw GlintException.tooLarge("The limit has been exceeded on the number of allowed image properties. "
          + "Attempted: " + properties.size() + ", Maximum: " + propertyQuota);
    }
    if (tagQuota >= 0 && tags.size() > tagQuota) {
      throw GlintException.tooLarge("The limit has been exceeded on the number of allowed image tags. "
          + "Attempted: " + tags.size() + ", Maximum: " + tagQuota);
    }
  }

  private static GlintException invalid(String detail) {
    return GlintException.badRequest("Provided object does not match schema 'image': " + detail);
  }

  private static String repr(Object value) {
    if (value == null) {
      return "None";
    }
    if (value instanceof String s) {
      return "'" + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "'";
    }
    return String.valueOf(value);
  }
}
