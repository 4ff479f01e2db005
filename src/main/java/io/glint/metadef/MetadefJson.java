package io.glint.metadef;

import io.glint.Resources;
import io.glint.error.GlintException;
import io.glint.image.IsoTime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Parses metadef request bodies and definition files, and renders metadef resources, as Glance's metadef
 * deserializers and serializers do: bodies are validated against the very schemas served under
 * {@code /v2/schemas/metadefs/} (failures: 400 "Provided object does not match schema 'x': ..."), read-only
 * attributes are refused (403), and views list their attributes in alphabetical order (wsme's order) without the
 * unset ones.
 */
public final class MetadefJson {
  /** The attributes of Glance's {@code PropertyType} model: nothing else is kept of a property definition. */
  static final Set<String> PROPERTY_KEYS = Set.of("name", "type", "title", "description", "operators", "default",
      "readonly", "minimum", "maximum", "enum", "pattern", "minLength", "maxLength", "confidential", "items",
      "uniqueItems", "minItems", "maxItems", "additionalItems");
  private static final Set<String> ITEM_KEYS = Set.of("type", "enum");

  static final String NS_SCHEMA_LINK = "/v2/schemas/metadefs/namespace";
  static final String OBJ_SCHEMA_LINK = "/v2/schemas/metadefs/object";

  private static final Map<String, JsonObject> SCHEMAS = new TreeMap<>();

  static {
    for (String name : List.of("namespace", "namespaces", "resource_type", "resource_types", "property",
        "properties", "object", "objects", "tag", "tags", "tags-create", "property-in-object")) {
      SCHEMAS.put(name, new JsonObject(Resources.text("schemas/metadefs/" + name + ".json")));
    }
  }

  private MetadefJson() {}

  /** One of the schemas (a copy). */
  public static JsonObject schema(String name) {
    return SCHEMAS.get(name).copy();
  }

  // ---------------------------------------------------------------------------------------------- parsing

  /** Glance's {@code _check_allowed}: read-only attributes in a body are a 403. */
  static void refuseReadOnly(Map<?, ?> body, String... keys) {
    for (String key : keys) {
      if (body.containsKey(key)) {
        throw GlintException.forbidden("Attribute '" + key + "' is read-only.");
      }
    }
  }

  /** Validates {@code body} against schema {@code schemaFile}, whose {@code name} the message names. */
  static void validate(Object body, String schemaFile) {
    JsonObject schema = SCHEMAS.get(schemaFile);
    new JsonSchema(schema).validate(body).ifPresent(reason -> {
      throw GlintException.badRequest("Provided object does not match schema '" + schema.getString("name") + "': "
          + reason);
    });
  }

  static Map<?, ?> object(Object body) {
    if (body instanceof Map<?, ?> map) {
      return map;
    }
    throw GlintException.badRequest("Expected a JSON object.");
  }

  /** A namespace create/update body: validated, with defaults for omitted attributes ({@code owner}: caller's). */
  public static NamespaceContent namespace(Object raw, String callerOwner) {
    Map<?, ?> body = object(raw);
    refuseReadOnly(body, "self", "schema", "created_at", "updated_at");
    validate(body, "namespace");
    return content(body, callerOwner);
  }

  /** A namespace document (body or definition file) already validated. */
  static NamespaceContent content(Map<?, ?> body, String defaultOwner) {
    String visibility = (String) body.get("visibility");
    Boolean isProtected = (Boolean) body.get("protected");
    String owner = body.containsKey("owner") ? (String) body.get("owner") : defaultOwner;
    NamespaceFields fields = new NamespaceFields((String) body.get("namespace"), (String) body.get("display_name"),
        (String) body.get("description"), visibility == null ? "private" : visibility,
        isProtected != null && isProtected, owner);
    List<Association> associations = new ArrayList<>();
    for (Object item : list(body.get("resource_type_associations"))) {
      Map<?, ?> a = (Map<?, ?>) item;
      if (!(a.get("name") instanceof String)) {
        validate(a, "resource_type");
      }
      associations.add(new Association((String) a.get("name"), (String) a.get("prefix"),
          (String) a.get("properties_target"), null, null));
    }
    List<Property> properties = properties(body.get("properties"));
    List<MetaObject> objects = new ArrayList<>();
    for (Object item : list(body.get("objects"))) {
      Map<?, ?> o = (Map<?, ?>) item;
      if (!(o.get("name") instanceof String)) {
        validate(o, "object");
      }
      objects.add(object(o));
    }
    List<String> tags = new ArrayList<>();
    for (Object item : list(body.get("tags"))) {
      Map<?, ?> t = (Map<?, ?>) item;
      if (!(t.get("name") instanceof String)) {
        validate(t, "tag");
      }
      tags.add((String) t.get("name"));
    }
    return new NamespaceContent(fields, associations, properties, objects, tags);
  }

  private static MetaObject object(Map<?, ?> o) {
    List<String> required = o.get("required") == null ? null
        : list(o.get("required")).stream().map(String::valueOf).toList();
    JsonObject props = new JsonObject();
    for (Property p : properties(o.get("properties"))) {
      props.put(p.name(), new JsonObject(p.schema()));
    }
    return new MetaObject((String) o.get("name"), (String) o.get("description"), required, props.encode(), null,
        null);
  }

  private static List<?> list(Object value) {
    return value instanceof List<?> l ? l : List.of();
  }

  /** A name → definition map (validated by the caller's schema) as properties with their normalised schemas. */
  private static List<Property> properties(Object value) {
    List<Property> out = new ArrayList<>();
    if (value instanceof Map<?, ?> map) {
      map.forEach((name, definition) -> out.add(new Property((String) name,
          definition((Map<?, ?>) definition).encode())));
    }
    return out;
  }

  /**
   * A property definition as Glance's {@code PropertyType} keeps it: its known keywords (others are refused, as
   * wsme refuses unknown attributes), {@code items} with its {@code type} and {@code enum}.
   */
  static JsonObject definition(Map<?, ?> definition) {
    JsonObject out = new JsonObject();
    for (Map.Entry<?, ?> e : definition.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (!PROPERTY_KEYS.contains(key)) {
        throw GlintException.badRequest("Unknown attribute for argument property: " + key);
      }
      Object v = e.getValue();
      if (key.equals("items") && v instanceof Map<?, ?> items) {
        JsonObject kept = new JsonObject();
        for (Map.Entry<?, ?> i : items.entrySet()) {
          if (!ITEM_KEYS.contains(String.valueOf(i.getKey()))) {
            throw GlintException.badRequest("Unknown attribute for argument items: " + i.getKey());
          }
          kept.put(String.valueOf(i.getKey()), JsonObject.of("v", i.getValue()).getValue("v"));
        }
        v = kept;
      }
      out.put(key, JsonObject.of("v", v).getValue("v"));
    }
    return out;
  }

  /** A property body (POST/PUT a property): validated; its name and normalised schema (name included). */
  public static Property property(Object raw) {
    Map<?, ?> body = object(raw);
    refuseReadOnly(body, "created_at", "updated_at");
    validate(body, "property");
    JsonObject schema = definition(body);
    return new Property(schema.getString("name"), schema.encode());
  }

  /** An object body; on create, each of its properties is validated too. */
  public static MetaObject metaObject(Object raw, boolean create) {
    Map<?, ?> body = object(raw);
    refuseReadOnly(body, "self", "schema", "created_at", "updated_at");
    validate(body, "object");
    if (create && body.get("properties") instanceof Map<?, ?> props) {
      props.values().forEach(p -> validate(p, "property-in-object"));
    }
    return object(body);
  }

  /** A resource type association body. */
  public static Association association(Object raw) {
    Map<?, ?> body = object(raw);
    refuseReadOnly(body, "created_at", "updated_at");
    validate(body, "resource_type");
    return new Association((String) body.get("name"), (String) body.get("prefix"),
        (String) body.get("properties_target"), null, null);
  }

  /** The bulk tags body: {@code {"tags": [{"name": ...}]}}. */
  public static List<String> tags(Object raw) {
    Map<?, ?> body = object(raw);
    refuseReadOnly(body, "created_at", "updated_at");
    validate(body, "tags-create");
    List<String> names = new ArrayList<>();
    for (Object t : list(body.get("tags"))) {
      names.add((String) ((Map<?, ?>) t).get("name"));
    }
    return names;
  }

  /** The tag body of a rename: {@code {"name": ...}}. */
  public static String tagName(Object raw) {
    Map<?, ?> body = object(raw);
    refuseReadOnly(body, "created_at", "updated_at");
    validate(body, "tag");
    return (String) body.get("name");
  }

  // ---------------------------------------------------------------------------------------------- rendering

  static String href(String namespace) {
    return "/v2/metadefs/namespaces/" + namespace;
  }

  /** A namespace's own attributes ({@code self} and {@code schema} included), sorted, nulls left out. */
  public static TreeMap<String, Object> namespace(Namespace ns) {
    TreeMap<String, Object> out = new TreeMap<>();
    put(out, "created_at", time(ns.createdAt()));
    put(out, "description", ns.description());
    put(out, "display_name", ns.displayName());
    put(out, "namespace", ns.namespace());
    put(out, "owner", ns.owner());
    put(out, "protected", ns.isProtected());
    put(out, "schema", NS_SCHEMA_LINK);
    put(out, "self", href(ns.namespace()));
    put(out, "updated_at", time(ns.updatedAt()));
    put(out, "visibility", ns.visibility());
    return out;
  }

  public static JsonObject association(Association a) {
    TreeMap<String, Object> out = new TreeMap<>();
    put(out, "created_at", time(a.createdAt()));
    put(out, "name", a.name());
    put(out, "prefix", a.prefix());
    put(out, "properties_target", a.propertiesTarget());
    put(out, "updated_at", time(a.updatedAt()));
    return new JsonObject(new java.util.LinkedHashMap<>(out));
  }

  public static JsonObject resourceType(ResourceType r) {
    return new JsonObject().put("created_at", time(r.createdAt())).put("name", r.name())
        .put("updated_at", time(r.updatedAt()));
  }

  /** A property definition, keys sorted; {@code name} set when given. */
  public static JsonObject property(String schema, String name) {
    JsonObject parsed = new JsonObject(schema);
    if (name != null) {
      parsed.put("name", name);
    }
    return view(parsed);
  }

  private static final Set<String> INTEGER_KEYS = Set.of("minimum", "maximum", "minLength", "maxLength",
      "minItems", "maxItems");

  /**
   * A stored definition as Glance's {@code PropertyType} model shows it: keys sorted, and wsme's conversions of
   * the stored values: {@code default} is a string (wsme's {@code bytes}: {@code 8} shows as {@code "8"},
   * {@code true} as {@code "True"}, a list or an object as {@code null}); the length and bound keywords are
   * integers ({@code int()} of a number).
   */
  static JsonObject view(JsonObject definition) {
    JsonObject out = sorted(definition);
    if (out.containsKey("default")) {
      Object d = out.getValue("default");
      out.put("default", d instanceof String || d == null ? d
          : d instanceof Boolean || d instanceof Number ? pythonStr(d) : null);
    }
    for (String key : INTEGER_KEYS) {
      if (out.getValue(key) instanceof Double d) {
        out.put(key, (long) d.doubleValue());
      }
    }
    return out;
  }

  /** Python's {@code str()} of a JSON scalar. */
  private static String pythonStr(Object v) {
    return v instanceof Boolean b ? (b ? "True" : "False") : JsonSchema.repr(v);
  }

  /** A name → definition map, each definition sorted, the names prefixed with {@code prefix}. */
  public static JsonObject properties(List<Property> properties, String prefix) {
    JsonObject out = new JsonObject();
    for (Property p : properties) {
      out.put(prefix + p.name(), property(p.schema(), null));
    }
    return out;
  }

  /** An object; with a namespace, its {@code self}/{@code schema} links; properties prefixed with {@code prefix}. */
  public static JsonObject object(MetaObject o, String namespace, String prefix) {
    TreeMap<String, Object> out = new TreeMap<>();
    put(out, "created_at", time(o.createdAt()));
    put(out, "description", o.description());
    put(out, "name", o.name());
    JsonObject props = new JsonObject(o.properties());
    JsonObject renamed = new JsonObject();
    props.forEach(e -> renamed.put(prefix + e.getKey(), view((JsonObject) e.getValue())));
    put(out, "properties", renamed);
    if (o.required() != null) {
      put(out, "required", new JsonArray(o.required().stream().map(r -> prefix + r).toList()));
    }
    if (namespace != null) {
      put(out, "schema", OBJ_SCHEMA_LINK);
      put(out, "self", href(namespace) + "/objects/" + o.name());
    }
    put(out, "updated_at", time(o.updatedAt()));
    return new JsonObject(new java.util.LinkedHashMap<>(out));
  }

  public static JsonObject tag(Tag t) {
    return new JsonObject().put("created_at", time(t.createdAt())).put("name", t.name())
        .put("updated_at", time(t.updatedAt()));
  }

  public static JsonObject sorted(JsonObject o) {
    JsonObject out = new JsonObject();
    new TreeMap<>(o.getMap()).forEach(out::put);
    return out;
  }

  static void put(Map<String, Object> out, String key, Object value) {
    if (value != null) {
      out.put(key, value);
    }
  }

  private static String time(Instant instant) {
    return instant == null ? null : IsoTime.render(instant);
  }
}
