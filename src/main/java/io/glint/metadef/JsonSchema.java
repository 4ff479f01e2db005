package io.glint.metadef;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The subset of JSON Schema (draft 4) that Glance's metadef schemas use, validated as the Python
 * {@code jsonschema} package does: {@code type}, {@code enum}, {@code required}, {@code properties},
 * {@code additionalProperties}, {@code items}, {@code minItems}, {@code maxItems}, {@code uniqueItems},
 * {@code minLength}, {@code maxLength}, {@code minimum}, {@code maximum}, {@code allOf} and {@code $ref} to
 * {@code #/definitions/...}; {@code format} is not checked (jsonschema checks no format unless asked). The error
 * is jsonschema's best match (the shallowest), with its message ({@code 'title' is a required property}); values
 * are shown as Python shows them.
 */
public final class JsonSchema {
  private final JsonObject root;

  public JsonSchema(JsonObject root) {
    this.root = root;
  }

  /** The first (shallowest) violation's message, if any. */
  public Optional<String> validate(Object instance) {
    List<Error> errors = new ArrayList<>();
    check(instance, root, 0, errors);
    return errors.stream().min((a, b) -> Integer.compare(a.depth, b.depth)).map(e -> e.message);
  }

  private record Error(int depth, String message) {}

  private void check(Object value, JsonObject schema, int depth, List<Error> errors) {
    if (schema.containsKey("$ref")) {
      String ref = schema.getString("$ref");
      String name = ref.substring(ref.lastIndexOf('/') + 1);
      check(value, root.getJsonObject("definitions").getJsonObject(name), depth, errors);
      return;
    }
    for (String keyword : schema.fieldNames()) {
      Object arg = schema.getValue(keyword);
      switch (keyword) {
        case "type" -> {
          List<Object> types = arg instanceof JsonArray a ? a.getList() : List.of(arg);
          if (types.stream().noneMatch(t -> isType(value, (String) t))) {
            List<String> shown = types.stream().map(JsonSchema::repr).toList();
            errors.add(new Error(depth, repr(value) + " is not of type " + String.join(", ", shown)));
          }
        }
        case "enum" -> {
          JsonArray options = (JsonArray) arg;
          if (options.getList().stream().noneMatch(o -> equal(o, value))) {
            errors.add(new Error(depth, repr(value) + " is not one of " + repr(options.getList())));
          }
        }
        case "required" -> {
          if (value instanceof Map<?, ?> map) {
            for (Object name : ((JsonArray) arg)) {
              if (!map.containsKey(name)) {
                errors.add(new Error(depth, repr(name) + " is a required property"));
              }
            }
          }
        }
        case "properties" -> {
          if (value instanceof Map<?, ?> map) {
            JsonObject props = (JsonObject) arg;
            for (String name : props.fieldNames()) {
              if (map.containsKey(name)) {
                check(map.get(name), props.getJsonObject(name), depth + 1, errors);
              }
            }
          }
        }
        case "additionalProperties" -> {
          if (value instanceof Map<?, ?> map) {
            JsonObject props = schema.getJsonObject("properties", new JsonObject());
            List<Object> extras = new ArrayList<>();
            for (Object name : map.keySet()) {
              if (!props.containsKey(String.valueOf(name))) {
                extras.add(name);
              }
            }
            if (Boolean.FALSE.equals(arg) && !extras.isEmpty()) {
              List<String> shown = extras.stream().map(JsonSchema::repr).toList();
              errors.add(new Error(depth, "Additional properties are not allowed (" + String.join(", ", shown)
                  + (extras.size() == 1 ? " was" : " were") + " unexpected)"));
            } else if (arg instanceof JsonObject extraSchema) {
              for (Object name : extras) {
                check(map.get(name), extraSchema, depth + 1, errors);
              }
            }
          }
        }
        case "items" -> {
          if (value instanceof List<?> list && arg instanceof JsonObject itemSchema) {
            for (Object item : list) {
              check(item, itemSchema, depth + 1, errors);
            }
          }
        }
        case "minItems" -> {
          if (value instanceof List<?> list && list.size() < ((Number) arg).intValue()) {
            errors.add(new Error(depth, repr(value) + " is too short"));
          }
        }
        case "maxItems" -> {
          if (value instanceof List<?> list && list.size() > ((Number) arg).intValue()) {
            errors.add(new Error(depth, repr(value) + " is too long"));
          }
        }
        case "uniqueItems" -> {
          if (Boolean.TRUE.equals(arg) && value instanceof List<?> list) {
            Set<Object> seen = new HashSet<>();
            for (Object item : list) {
              if (!seen.add(normal(item))) {
                errors.add(new Error(depth, repr(value) + " has non-unique elements"));
                break;
              }
            }
          }
        }
        case "minLength" -> {
          if (value instanceof String s && s.codePointCount(0, s.length()) < ((Number) arg).intValue()) {
            errors.add(new Error(depth, repr(value) + " is too short"));
          }
        }
        case "maxLength" -> {
          if (value instanceof String s && s.codePointCount(0, s.length()) > ((Number) arg).intValue()) {
            errors.add(new Error(depth, repr(value) + " is too long"));
          }
        }
        case "minimum" -> {
          if (isNumber(value) && ((Number) value).doubleValue() < ((Number) arg).doubleValue()) {
            errors.add(new Error(depth, repr(value) + " is less than the minimum of " + repr(arg)));
          }
        }
        case "maximum" -> {
          if (isNumber(value) && ((Number) value).doubleValue() > ((Number) arg).doubleValue()) {
            errors.add(new Error(depth, repr(value) + " is greater than the maximum of " + repr(arg)));
          }
        }
        case "allOf" -> {
          for (Object sub : (JsonArray) arg) {
            check(value, (JsonObject) sub, depth, errors);
          }
        }
        default -> {
          // annotations (description, readOnly, default, format, name, links, definitions)
        }
      }
    }
  }

  private static boolean isNumber(Object v) {
    return v instanceof Number;
  }

  private static boolean isType(Object v, String type) {
    return switch (type) {
      case "string" -> v instanceof String;
      case "integer" -> v instanceof Long || v instanceof Integer
          || (v instanceof Double d && d == Math.rint(d) && !d.isInfinite());
      case "number" -> v instanceof Number;
      case "boolean" -> v instanceof Boolean;
      case "array" -> v instanceof List;
      case "object" -> v instanceof Map;
      case "null" -> v == null;
      default -> false;
    };
  }

  private static boolean equal(Object a, Object b) {
    return Objects.equals(normal(a), normal(b));
  }

  /** JSON values compared as JSON compares them: 1 equals 1.0; booleans are not numbers. */
  private static Object normal(Object v) {
    if (v instanceof Number n && !(v instanceof Double d && d != Math.rint(d))) {
      return n.longValue();
    }
    if (v instanceof JsonObject o) {
      return o.getMap();
    }
    if (v instanceof JsonArray a) {
      return a.getList();
    }
    return v;
  }

  /** A value as Python's {@code repr} shows the decoded JSON value. */
  public static String repr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof String s) {
      String quote = s.contains("'") && !s.contains("\"") ? "\"" : "'";
      String body = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
      if (quote.equals("'")) {
        body = body.replace("'", "\\'");
      }
      return quote + body + quote;
    }
    if (v instanceof Double d) {
      return d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e16 ? String.valueOf(d.longValue()) + ".0"
          : String.valueOf(d);
    }
    if (v instanceof JsonArray a) {
      return repr(a.getList());
    }
    if (v instanceof JsonObject o) {
      return repr(o.getMap());
    }
    if (v instanceof List<?> list) {
      List<String> items = list.stream().map(JsonSchema::repr).toList();
      return "[" + String.join(", ", items) + "]";
    }
    if (v instanceof Map<?, ?> map) {
      List<String> items = new ArrayList<>();
      map.forEach((k, val) -> items.add(repr(k) + ": " + repr(val)));
      return "{" + String.join(", ", items) + "}";
    }
    return String.valueOf(v);
  }
}
