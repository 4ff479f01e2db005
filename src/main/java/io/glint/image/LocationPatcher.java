package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.net.UrlGuard;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The {@code /locations} operations of a JSON-patch (Glance's {@code _do_add_locations},
 * {@code _do_remove_locations}, {@code _do_replace_locations}, {@code _validate_validation_data}), applied to an
 * image and its list of locations. New URLs were checked and sized beforehand ({@code sizes}).
 *
 * <p>Safer than Glance: user-supplied {@code file://}, {@code filesystem://} and {@code swift+config://}
 * locations are always refused, and only an admin may change the locations of an active image, which closes
 * the OSSN-0065 hole (an owner replacing an active image's data by adding a location and removing the
 * original).
 */
final class LocationPatcher {

  /** A location in the working list: existing ones keep their id; new ones have id 0. */
  record Entry(long id, String url, Map<String, Object> metadata) {}

  private final boolean showMultipleLocations;
  private final int quota;
  private final String hashAlgo;

  private final io.glint.policy.Policy policy;

  LocationPatcher(io.glint.policy.Policy policy, boolean showMultipleLocations, int quota, String hashAlgo) {
    this.policy = policy;
    this.showMultipleLocations = showMultipleLocations;
    this.quota = quota;
    this.hashAlgo = hashAlgo;
  }

  /** The URLs a patch would add, so that they can be checked and sized before {@link #apply}. */
  static List<String> newUrls(List<PatchOp> ops) {
    List<String> urls = new ArrayList<>();
    for (PatchOp op : ops) {
      if (!op.root().equals("locations") || op.op().equals("remove")) {
        continue;
      }
      if (op.value() instanceof List<?> list) {
        list.forEach(v -> urls.add(urlOf(v)));
      } else {
        urls.add(urlOf(op.value()));
      }
    }
    return urls;
  }

  /**
   * The checks that need no network: run before any new URL is fetched, so that a caller who may not change
   * locations cannot make Glint send requests.
   */
  void precheck(RequestContext ctx, ImageStatus status, List<PatchOp> ops) {
    for (PatchOp op : ops) {
      if (!op.root().equals("locations")) {
        continue;
      }
      String verb = switch (op.op()) {
        case "add" -> "add";
        case "remove" -> "remove";
        default -> "update";
      };
      if (!showMultipleLocations) {
        throw GlintException.forbidden("It's not allowed to " + verb + " locations if locations are invisible.");
      }
      policy.enforce(ctx, io.glint.policy.Action.SET_IMAGE_LOCATION,
          new io.glint.policy.Target(null, null, status, false, null),
          "Only an administrator may change the locations of an active image (see OSSN-0065).");
    }
  }

  /** Applies one location op to {@code b} and {@code locations}. */
  void apply(RequestContext ctx, Image.Builder b, List<Entry> locations, PatchOp op, Map<String, Long> sizes) {
    precheck(ctx, b.status, List.of(op));
    switch (op.op()) {
      case "replace" -> replace(b, locations, op.value(), sizes);
      case "add" -> add(b, locations, op.path().get(1), op.value(), sizes);
      default -> remove(b, locations, op.path().get(1));
    }
  }

  private void replace(Image.Builder b, List<Entry> locations, Object value, Map<String, Long> sizes) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw GlintException.forbidden("Cannot set locations to empty list.");
    }
    if (!b.status.acceptsLocations()) {
      throw GlintException.conflict("It's not allowed to replace locations if image status is " + b.status + ".");
    }
    validationData(b, list);
    List<Entry> replaced = new ArrayList<>();
    for (Object v : list) {
      replaced.add(entry(v, locations, replaced, true));
    }
    checkQuota(replaced.size());
    locations.clear();
    locations.addAll(replaced);
    activate(b, sizes.get(replaced.get(0).url()));
  }

  private void add(Image.Builder b, List<Entry> locations, String position, Object value, Map<String, Long> sizes) {
    if (!b.status.acceptsLocations()) {
      throw GlintException.conflict("It's not allowed to add locations if image status is " + b.status + ".");
    }
    validationData(b, List.of(value));
    Integer pos = position(position, locations.size(), true);
    if (pos == null) {
      throw GlintException.badRequest("Invalid position for adding a location.");
    }
    Entry entry = entry(value, locations, List.of(), false);
    checkQuota(locations.size() + 1);
    locations.add(pos, entry);
    activate(b, sizes.get(entry.url()));
  }

  private static void remove(Image.Builder b, List<Entry> locations, String position) {
    if (!b.status.allowsLocationRemoval()) {
      throw GlintException.conflict("It's not allowed to remove locations if image status is " + b.status + ".");
    }
    if (locations.size() == 1) {
      throw GlintException.forbidden("Cannot remove last location in the image.");
    }
    Integer pos = position(position, locations.size(), false);
    if (pos == null) {
      throw GlintException.badRequest("Invalid position for removing a location.");
    }
    locations.remove((int) pos);
  }

  /** An image without data that gets a location becomes active, with the size the store reports. */
  private static void activate(Image.Builder b, Long size) {
    if (!b.status.acceptsData()) {
      return; // it has its data already
    }
    if (b.status.needsFormatsFor(ImageStatus.ACTIVE) && (b.diskFormat == null || b.containerFormat == null)) {
      throw GlintException.badRequest("Properties disk_format, container_format must be set prior to saving data.");
    }
    b.status = b.status.transitionTo(ImageStatus.ACTIVE);
    b.size = size;
  }

  private Entry entry(Object value, List<Entry> existing, List<Entry> pending, boolean replacing) {
    if (!(value instanceof Map<?, ?> map) || !(map.get("url") instanceof String url)
        || !(map.get("metadata") instanceof Map<?, ?> metadata)) {
      throw GlintException.badRequest("Invalid location: a location needs a 'url' string and a 'metadata' object.");
    }
    if (url.length() > 255) {
      throw GlintException.badRequest("Invalid location: the URL is longer than 255 characters.");
    }
    for (Entry e : existing) {
      if (e.url().equals(url) && !replacing) {
        throw GlintException.badRequest("The location " + redact(url) + " already exists");
      }
    }
    for (Entry e : pending) {
      if (e.url().equals(url)) {
        throw GlintException.badRequest("The location " + redact(url) + " already exists");
      }
    }
    long keep = 0;
    for (Entry e : existing) {
      if (e.url().equals(url)) {
        keep = e.id();
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) metadata;
    return new Entry(keep, url, meta);
  }

  private void checkQuota(int count) {
    if (quota >= 0 && count > quota) {
      throw GlintException.tooLarge("The limit has been exceeded on the number of allowed image locations. "
          + "Attempted: " + count + ", Maximum: " + quota);
    }
  }

  private void validationData(Image.Builder b, List<?> values) {
    Map<String, String> data = new java.util.LinkedHashMap<>();
    for (Object v : values) {
      if (v instanceof Map<?, ?> map && map.get("validation_data") instanceof Map<?, ?> vd) {
        for (Map.Entry<?, ?> e : vd.entrySet()) {
          String k = String.valueOf(e.getKey());
          if (!List.of("checksum", "os_hash_algo", "os_hash_value").contains(k) || !(e.getValue() instanceof String)) {
            throw GlintException.badRequest("Invalid validation_data: " + k);
          }
          String old = data.put(k, (String) e.getValue());
          if (old != null && !old.equals(e.getValue())) {
            throw GlintException.conflict("Conflicting values for " + k);
          }
        }
        if (!vd.containsKey("os_hash_algo") || !vd.containsKey("os_hash_value")) {
          throw GlintException.badRequest("validation_data needs os_hash_algo and os_hash_value.");
        }
      }
    }
    Map<String, String> fresh = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> e : data.entrySet()) {
      String current = switch (e.getKey()) {
        case "checksum" -> b.checksum;
        case "os_hash_algo" -> b.osHashAlgo;
        default -> b.osHashValue;
      };
      if (e.getValue().equals(current)) {
        continue;
      }
      if (current != null) {
        throw GlintException.conflict(e.getKey() + " is already set with a different value");
      }
      fresh.put(e.getKey(), e.getValue());
    }
    if (fresh.isEmpty()) {
      return;
    }
    if (!b.status.acceptsData()) {
      throw GlintException.conflict("New value(s) for " + String.join(", ", fresh.keySet())
          + " may only be provided when image status is 'queued'");
    }
    if (fresh.containsKey("checksum")) {
      checkHex("checksum", fresh.get("checksum"), 16, "md5");
    }
    String algo = fresh.get("os_hash_algo");
    if (!hashAlgo.equals(algo)) {
      throw GlintException.conflict("os_hash_algo must be " + hashAlgo + ", not " + algo);
    }
    checkHex("os_hash_value", fresh.get("os_hash_value"), digestSize(algo), algo);
    b.checksum = fresh.getOrDefault("checksum", b.checksum);
    b.osHashAlgo = algo;
    b.osHashValue = fresh.get("os_hash_value");
  }

  private static void checkHex(String name, String value, int bytes, String algo) {
    byte[] parsed;
    try {
      parsed = HexFormat.of().parseHex(value);
    } catch (IllegalArgumentException e) {
      throw GlintException.conflict(name + " (" + value + ") is not a valid hexadecimal value");
    }
    if (parsed.length != bytes) {
      throw GlintException.conflict(name + " (" + value + ") is not the correct size for " + algo + " (should be "
          + bytes + " bytes)");
    }
  }

  private static int digestSize(String algo) {
    return switch (algo) {
      case "md5" -> 16;
      case "sha1" -> 20;
      case "sha224", "sha3_224" -> 28;
      case "sha256", "sha3_256" -> 32;
      case "sha384", "sha3_384" -> 48;
      default -> 64;
    };
  }

  private static Integer position(String path, int max, boolean allowMax) {
    int pos = allowMax ? max : max - 1;
    if (path.chars().allMatch(Character::isDigit) && !path.isEmpty()) {
      try {
        pos = Integer.parseInt(path);
      } catch (NumberFormatException e) {
        return null;
      }
    } else if (!path.equals("-")) {
      return null;
    }
    if (allowMax ? pos < 0 || pos > max : pos < 0 || pos >= max) {
      return null;
    }
    return pos;
  }

  private static String urlOf(Object v) {
    return v instanceof Map<?, ?> m && m.get("url") instanceof String s ? s : "";
  }

  /** A URL without credentials, for messages and logs. */
  static String redact(String url) {
    return url.replaceAll("//[^/@]*@", "//***@");
  }

  /** Whether a user may give this URL as a location at all (before any store or network check). */
  static boolean schemeAcceptable(String url) {
    int colon = url.indexOf(':');
    if (colon <= 0) {
      return false;
    }
    String scheme = url.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
    return !UrlGuard.NEVER_FROM_USERS.contains(scheme);
  }
}
