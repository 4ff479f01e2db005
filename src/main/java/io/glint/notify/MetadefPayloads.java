package io.glint.notify;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glint.event.EventType;
import io.glint.image.IsoTime;
import io.glint.metadef.Association;
import io.glint.metadef.MetaObject;
import io.glint.metadef.MetadefChange;
import io.glint.metadef.Namespace;
import io.glint.metadef.Property;
import io.glint.metadef.Tag;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The payloads of Glance's {@code metadef_*} notifications ({@code format_metadef_*_notification}). */
final class MetadefPayloads {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SCHEMA_KEYS = List.of("type", "title", "description", "default", "minimum",
      "maximum", "enum", "pattern", "minLength", "maxLength", "confidential", "items", "uniqueItems", "minItems",
      "maxItems", "additionalItems");

  private MetadefPayloads() {}

  static Object of(EventType type, MetadefChange change, Instant at) {
    Namespace ns = change.namespace();
    Map<String, Object> payload = switch (type) {
      case METADEF_NAMESPACE_CREATE, METADEF_NAMESPACE_UPDATE, METADEF_NAMESPACE_DELETE,
          METADEF_NAMESPACE_DELETE_OBJECTS, METADEF_NAMESPACE_DELETE_PROPERTIES, METADEF_NAMESPACE_DELETE_TAGS ->
          namespace(ns, change.oldName());
      case METADEF_OBJECT_CREATE, METADEF_OBJECT_UPDATE, METADEF_OBJECT_DELETE ->
          change.item() instanceof MetaObject o ? object(ns, o, change.oldName()) : null;
      case METADEF_PROPERTY_CREATE, METADEF_PROPERTY_UPDATE, METADEF_PROPERTY_DELETE ->
          change.item() instanceof Property p ? property(ns, p, change.oldName()) : null;
      case METADEF_RESOURCE_TYPE_CREATE, METADEF_RESOURCE_TYPE_DELETE ->
          change.item() instanceof Association a ? resourceType(ns, a) : null;
      case METADEF_TAG_CREATE, METADEF_TAG_UPDATE, METADEF_TAG_DELETE ->
          change.item() instanceof Tag t ? tag(ns, t, change.oldName()) : null;
      default -> null;
    };
    if (payload != null && (type == EventType.METADEF_NAMESPACE_DELETE || type == EventType.METADEF_OBJECT_DELETE
        || type == EventType.METADEF_PROPERTY_DELETE || type == EventType.METADEF_RESOURCE_TYPE_DELETE
        || type == EventType.METADEF_TAG_DELETE)) {
      Payloads.deleted(payload, at);
    }
    return payload;
  }

  private static Map<String, Object> namespace(Namespace ns, String oldName) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("namespace", ns.namespace());
    p.put("namespace_old", oldName == null ? ns.namespace() : oldName);
    p.put("display_name", ns.displayName());
    p.put("protected", ns.isProtected());
    p.put("visibility", ns.visibility());
    p.put("owner", ns.owner());
    p.put("description", ns.description());
    p.put("created_at", IsoTime.render(ns.createdAt()));
    p.put("updated_at", IsoTime.render(ns.updatedAt()));
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  private static Map<String, Object> object(Namespace ns, MetaObject o, String oldName) {
    List<Map<String, Object>> properties = new ArrayList<>();
    for (Map.Entry<String, Object> e : parse(o.properties()).entrySet()) {
      Map<String, Object> schema = e.getValue() instanceof Map<?, ?> m ? cast(m) : Map.of();
      Map<String, Object> prop = new LinkedHashMap<>();
      prop.put("name", e.getKey());
      for (String key : SCHEMA_KEYS) {
        prop.put(key, orNone(schema.get(key)));
      }
      properties.add(prop);
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("namespace", ns.namespace());
    p.put("name", o.name());
    p.put("name_old", oldName == null ? o.name() : oldName);
    p.put("properties", properties);
    p.put("required", o.required());
    p.put("description", o.description());
    p.put("created_at", IsoTime.render(o.createdAt()));
    p.put("updated_at", IsoTime.render(o.updatedAt()));
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  private static Map<String, Object> property(Namespace ns, Property property, String oldName) {
    Map<String, Object> schema = parse(property.schema());
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("namespace", ns.namespace());
    p.put("name", property.name());
    p.put("name_old", oldName == null ? property.name() : oldName);
    for (String key : SCHEMA_KEYS) {
      p.put(key, schema.get(key));
    }
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  private static Map<String, Object> resourceType(Namespace ns, Association a) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("namespace", ns.namespace());
    p.put("name", a.name());
    p.put("name_old", a.name());
    p.put("prefix", a.prefix());
    p.put("properties_target", a.propertiesTarget());
    p.put("created_at", IsoTime.render(a.createdAt()));
    p.put("updated_at", IsoTime.render(a.updatedAt()));
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  private static Map<String, Object> tag(Namespace ns, Tag t, String oldName) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("namespace", ns.namespace());
    p.put("name", t.name());
    p.put("name_old", oldName == null ? t.name() : oldName);
    p.put("created_at", IsoTime.render(t.createdAt()));
    p.put("updated_at", IsoTime.render(t.updatedAt()));
    p.put("deleted", false);
    p.put("deleted_at", null);
    return p;
  }

  /** Python's {@code value or None}: empty and false values become null. */
  private static Object orNone(Object v) {
    if (v == null || Boolean.FALSE.equals(v) || (v instanceof String s && s.isEmpty())
        || (v instanceof Number n && n.doubleValue() == 0) || (v instanceof List<?> l && l.isEmpty())
        || (v instanceof Map<?, ?> m && m.isEmpty())) {
      return null;
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static Map<String, Object> parse(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      return Map.of();
    }
  }
}
