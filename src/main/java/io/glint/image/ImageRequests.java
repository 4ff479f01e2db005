package io.glint.image;

import io.glint.error.GlintException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns decoded JSON request bodies (plain Java values) into commands, as Glance's images
 * {@code RequestDeserializer} does, with its checks and messages.
 */
public final class ImageRequests {

  private static final Pattern ADJACENT_SLASHES = Pattern.compile("/\\s*?/");
  private static final Pattern BAD_TILDE = Pattern.compile("~[^01]");
  private static final List<String> OPS = List.of("add", "remove", "replace");

  private final ImageRules rules;

  public ImageRequests(ImageRules rules) {
    this.rules = rules;
  }

  /** Parses a create body ({@code POST /v2/images}). */
  public NewImage parseCreate(Object body) {
    if (!(body instanceof Map<?, ?> raw)) {
      throw GlintException.badRequest("Provided object does not match schema 'image': "
          + "the request body is not a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = new LinkedHashMap<>((Map<String, Object>) raw);
    for (String key : ImageRules.DISALLOWED) {
      if (fields.containsKey(key)) {
        throw GlintException.forbidden("Attribute '" + key + "' is read-only.");
      }
    }
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      String key = e.getKey();
      if (ImageRules.READ_ONLY.contains(key) && !key.equals("id")) {
        throw GlintException.forbidden("Attribute '" + key + "' is read-only.");
      }
      if (key.equals("locations")) {
        throw GlintException.forbidden("Attribute 'locations' is reserved.");
      }
      rules.checkValue(key, e.getValue());
    }
    for (String key : fields.keySet()) {
      if (!ImageRules.BASE.contains(key) && ImageRules.isReserved(key)) {
        throw GlintException.forbidden("Attribute '" + key + "' is reserved.");
      }
    }
    List<String> tags = new ArrayList<>();
    if (fields.get("tags") instanceof List<?> list) {
      for (Object t : list) {
        tags.add((String) t);
      }
    }
    Map<String, String> properties = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (!ImageRules.BASE.contains(e.getKey())) {
        properties.put(e.getKey(), (String) e.getValue());
      }
    }
    return new NewImage(
        (String) fields.get("id"),
        (String) fields.get("name"),
        fields.containsKey("visibility") ? Visibility.parse((String) fields.get("visibility")).orElseThrow() : null,
        (Boolean) fields.get("protected"),
        (Boolean) fields.get("os_hidden"),
        (String) fields.get("owner"),
        fields.containsKey("owner"),
        (String) fields.get("container_format"),
        (String) fields.get("disk_format"),
        fields.get("min_disk") == null ? null : ((Number) fields.get("min_disk")).intValue(),
        fields.get("min_ram") == null ? null : ((Number) fields.get("min_ram")).intValue(),
        List.copyOf(new java.util.LinkedHashSet<>(tags)),
        properties);
  }

  /** Parses a JSON-patch body; {@code draft4} for the deprecated v2.0 media type. */
  public List<PatchOp> parsePatch(Object body, boolean draft4) {
    if (!(body instanceof List<?> list)) {
      throw GlintException.badRequest("Request body must be a JSON array of operation objects.");
    }
    List<PatchOp> ops = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> change)) {
        throw GlintException.badRequest("Operations must be JSON objects.");
      }
      String op = draft4 ? opDraft4(change) : opDraft10(change);
      Object rawPath = draft4 ? change.get(op) : pathDraft10(change);
      if (!(rawPath instanceof String pointer)) {
        throw GlintException.badRequest("Pointer `" + rawPath + "` does not start with \"/\".");
      }
      List<String> path = decodePointer(pointer);
      validatePath(op, path);
      Object value = null;
      if (!op.equals("remove")) {
        if (!change.containsKey("value")) {
          throw GlintException.badRequest("Operation \"" + op + "\" requires a member named \"value\".");
        }
        value = change.get("value");
      }
      PatchOp patch = new PatchOp(op, List.copyOf(path), value, draft4);
      validateChange(patch);
      ops.add(patch);
    }
    return ops;
  }

  private static String opDraft10(Map<?, ?> change) {
    Object op = change.get("op");
    if (op == null) {
      throw GlintException.badRequest("Unable to find `op` in JSON Schema change. It must be one of the "
          + "following: add, remove, replace.");
    }
    if (!(op instanceof String s) || !OPS.contains(s)) {
      throw GlintException.badRequest("Invalid operation: `" + op + "`. It must be one of the following: "
          + "add, remove, replace.");
    }
    return s;
  }

  private static Object pathDraft10(Map<?, ?> change) {
    if (!change.containsKey("path")) {
      throw GlintException.badRequest("Unable to find 'path' in JSON Schema change");
    }
    return change.get("path");
  }

  private static String opDraft4(Map<?, ?> change) {
    String op = null;
    for (String key : OPS) {
      if (change.containsKey(key)) {
        if (op != null) {
          throw GlintException.badRequest(
              "Operation objects must contain only one member named \"add\", \"remove\", or \"replace\".");
        }
        op = key;
      }
    }
    if (op == null) {
      throw GlintException.badRequest(
          "Operation objects must contain exactly one member named \"add\", \"remove\", or \"replace\".");
    }
    return op;
  }

  /** Decodes a JSON pointer with Glance's restrictions ({@code _validate_json_pointer}). */
  static List<String> decodePointer(String pointer) {
    if (!pointer.startsWith("/")) {
      throw GlintException.badRequest("Pointer `" + pointer + "` does not start with \"/\".");
    }
    if (ADJACENT_SLASHES.matcher(pointer.substring(1)).find()) {
      throw GlintException.badRequest("Pointer `" + pointer + "` contains adjacent \"/\".");
    }
    if (pointer.length() > 1 && pointer.endsWith("/")) {
      throw GlintException.badRequest("Pointer `" + pointer + "` end with \"/\".");
    }
    if (pointer.substring(1).strip().equals("/") || pointer.substring(1).isBlank()) {
      throw GlintException.badRequest("Pointer `" + pointer + "` does not contains valid token.");
    }
    if (BAD_TILDE.matcher(pointer).find() || pointer.endsWith("~")) {
      throw GlintException.badRequest(
          "Pointer `" + pointer + "` contains \"~\" not part of a recognized escape sequence.");
    }
    List<String> parts = new ArrayList<>();
    for (String part : pointer.substring(1).split("/", -1)) {
      parts.add(part.replace("~1", "/").replace("~0", "~").strip());
    }
    return parts;
  }

  private static void validatePath(String op, List<String> path) {
    int depth = 1;
    if (path.get(0).equals("locations")) {
      depth = op.equals("replace") ? 1 : 2;
    }
    if (path.size() != depth) {
      throw GlintException.badRequest("Invalid JSON pointer for this resource: '/" + String.join("/", path) + "'");
    }
  }

  private void validateChange(PatchOp change) {
    String root = change.root();
    if (ImageRules.READ_ONLY.contains(root)) {
      throw GlintException.forbidden("Attribute '" + root + "' is read-only.");
    }
    if (ImageRules.isReserved(root)) {
      throw GlintException.forbidden("Attribute '" + root + "' is reserved.");
    }
    if (change.op().equals("remove") || root.equals("locations")) {
      return;
    }
    rules.checkValue(root, change.value());
  }
}
