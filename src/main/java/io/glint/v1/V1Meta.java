package io.glint.v1;

import io.glint.error.GlintException;
import io.glint.image.IsoTime;
import io.vertx.core.MultiMap;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The image metadata of a v1 request, read from its {@code x-image-meta-*} headers as Glance's
 * {@code get_image_meta_from_headers} and {@code validate_image_meta} did: core fields by name (an unknown
 * {@code x-image-meta-<x>} is a 400 "Bad header"), custom properties from {@code x-image-meta-property-<key>}
 * (dashes in the key become underscores), integers non-negative, booleans read leniently.
 *
 * @param fields the core fields sent (name → value as sent; an empty value is null), integers and booleans checked
 * @param properties the custom properties sent
 */
record V1Meta(Map<String, String> fields, Map<String, String> properties) {

  /** Glance's {@code IMAGE_META_HEADERS}. */
  static final Set<String> CORE = Set.of("id", "name", "size", "checksum", "disk_format", "container_format",
      "is_public", "protected", "min_ram", "min_disk", "owner", "status", "location", "copy_from", "uri", "store",
      "created_at", "updated_at", "deleted_at", "deleted", "virtual_size");
  private static final String PREFIX = "x-image-meta-";
  private static final String PROPERTY_PREFIX = "x-image-meta-property-";

  static V1Meta of(MultiMap headers) {
    Map<String, String> fields = new LinkedHashMap<>();
    Map<String, String> properties = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : headers) {
      String key = h.getKey().toLowerCase(Locale.ROOT);
      String value = h.getValue() == null || h.getValue().isEmpty() ? null : h.getValue();
      if (key.startsWith(PROPERTY_PREFIX)) {
        properties.put(key.substring(PROPERTY_PREFIX.length()).replace('-', '_'), value);
      } else if (key.startsWith(PREFIX)) {
        String field = key.substring(PREFIX.length()).replace('-', '_');
        if (!CORE.contains(field)) {
          throw GlintException.badRequest("Bad header: " + key);
        }
        fields.put(field, value);
      }
    }
    for (String key : new String[] {"size", "min_disk", "min_ram", "virtual_size"}) {
      if (fields.containsKey(key)) {
        checkInteger(key, fields.get(key), key.equals("virtual_size"));
      }
    }
    validate(fields);
    return new V1Meta(fields, properties);
  }

  private static void checkInteger(String key, String value, boolean nullable) {
    if (value == null || (nullable && value.equals("None"))) {
      if (!nullable && value == null) {
        throw invalid(key, value, "Cannot convert image " + key + " 'None' to an integer.");
      }
      return;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw invalid(key, value, "Cannot convert image " + key + " '" + value + "' to an integer.");
    }
    if (parsed < 0) {
      throw invalid(key, value, "Cannot be a negative value.");
    }
    if (!key.equals("size") && !key.equals("virtual_size") && parsed > Integer.MAX_VALUE) {
      throw invalid(key, value, "Value is too large.");
    }
  }

  private static GlintException invalid(String key, String value, String extra) {
    return GlintException.badRequest("Invalid value '" + value + "' for parameter '" + key + "': " + extra);
  }

  /** Glance's {@code validate_image_meta}: name and checksum length, times after 1900. */
  private static void validate(Map<String, String> fields) {
    String name = fields.get("name");
    if (name != null && name.length() > 255) {
      throw GlintException.badRequest("Image name too long: " + name.length());
    }
    String checksum = fields.get("checksum");
    if (checksum != null && checksum.length() > 32) {
      throw GlintException.badRequest("Invalid checksum '" + checksum + "': can't exceed 32 characters");
    }
    for (String time : new String[] {"created_at", "updated_at", "deleted_at"}) {
      String value = fields.get(time);
      if (value != null) {
        var instant = IsoTime.parse(value);
        if (instant == null || instant.atOffset(ZoneOffset.UTC).getYear() < 1900) {
          throw GlintException.badRequest("Invalid time format for " + time + ".");
        }
      }
    }
  }

  boolean has(String field) {
    return fields.containsKey(field);
  }

  String get(String field) {
    return fields.get(field);
  }

  Long longValue(String field) {
    String v = fields.get(field);
    return v == null || v.equals("None") ? null : Long.parseLong(v.strip());
  }

  /** {@code strutils.bool_from_string}: true for 1, t, true, on, y, yes (any case); anything else is false. */
  Boolean bool(String field) {
    if (!fields.containsKey(field)) {
      return null;
    }
    return truthy(fields.get(field));
  }

  static boolean truthy(String value) {
    if (value == null) {
      return false;
    }
    return Set.of("1", "t", "true", "on", "y", "yes").contains(value.strip().toLowerCase(Locale.ROOT));
  }
}
