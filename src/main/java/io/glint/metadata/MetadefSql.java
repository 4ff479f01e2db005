package io.glint.metadata;

/** The SQL of the metadata definitions catalogue ({@code V005__metadefs.sql}). */
final class MetadefSql {
  private MetadefSql() {}

  static final String NS_COLUMNS =
      "id, namespace, display_name, description, visibility, protected, owner, created_at, updated_at";
  static final String FIND_NAMESPACE = "SELECT " + NS_COLUMNS + " FROM metadef_namespaces WHERE namespace = $1";
  static final String INSERT_NAMESPACE = """
      INSERT INTO metadef_namespaces (namespace, display_name, description, visibility, protected, owner,
        created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING\s""" + NS_COLUMNS;
  static final String UPDATE_NAMESPACE = """
      UPDATE metadef_namespaces SET namespace = $2, display_name = $3, description = $4, visibility = $5,
        protected = $6, owner = $7, updated_at = $8
      WHERE id = $1 RETURNING\s""" + NS_COLUMNS;
  static final String DELETE_NAMESPACE = "DELETE FROM metadef_namespaces WHERE id = $1";
  static final String DELETE_PROPERTIES = "DELETE FROM metadef_properties WHERE namespace_id = $1";
  static final String DELETE_OBJECTS = "DELETE FROM metadef_objects WHERE namespace_id = $1";
  static final String DELETE_TAGS = "DELETE FROM metadef_tags WHERE namespace_id = $1";
  static final String DELETE_ASSOCIATIONS = "DELETE FROM metadef_namespace_resource_types WHERE namespace_id = $1";
  static final String NAMESPACE_NAMES = "SELECT namespace FROM metadef_namespaces ORDER BY namespace";

  /** Visible to a non-admin: public ones and the caller's project's ($1, may be null). */
  static final String VISIBLE = "(visibility = 'public' OR (owner IS NOT NULL AND owner = $1))";
  /** Namespaces associated with any of the resource types $2 (text[]), by the association's primary key. */
  static final String WITH_RESOURCE_TYPES = """
      id IN (SELECT a.namespace_id FROM metadef_namespace_resource_types a
             JOIN metadef_resource_types r ON r.id = a.resource_type_id WHERE r.name = ANY($2))""";

  static final String RT_COLUMNS = "name, created_at, updated_at";
  static final String LIST_RESOURCE_TYPES = "SELECT " + RT_COLUMNS + " FROM metadef_resource_types ORDER BY id";
  static final String FIND_RESOURCE_TYPE = "SELECT id FROM metadef_resource_types WHERE name = $1";
  static final String INSERT_RESOURCE_TYPE = """
      INSERT INTO metadef_resource_types (name, protected, created_at, updated_at) VALUES ($1, $2, $3, $3)
      ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id""";
  static final String ASSOC_COLUMNS = "r.name, a.prefix, a.properties_target, a.created_at, a.updated_at";
  static final String ASSOCIATIONS = "SELECT " + ASSOC_COLUMNS + """
       FROM metadef_namespace_resource_types a JOIN metadef_resource_types r ON r.id = a.resource_type_id
      WHERE a.namespace_id = $1 ORDER BY a.created_at, r.id""";
  static final String ASSOCIATIONS_OF = "SELECT a.namespace_id, " + ASSOC_COLUMNS + """
       FROM metadef_namespace_resource_types a JOIN metadef_resource_types r ON r.id = a.resource_type_id
      WHERE a.namespace_id = ANY($1) ORDER BY a.created_at, r.id""";
  static final String INSERT_ASSOCIATION = """
      INSERT INTO metadef_namespace_resource_types (resource_type_id, namespace_id, prefix, properties_target,
        created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $5)""";
  static final String UPSERT_ASSOCIATION = INSERT_ASSOCIATION + """

      ON CONFLICT (resource_type_id, namespace_id) DO UPDATE SET prefix = EXCLUDED.prefix,
        properties_target = EXCLUDED.properties_target, updated_at = EXCLUDED.updated_at""";
  static final String DELETE_ASSOCIATION = """
      DELETE FROM metadef_namespace_resource_types WHERE namespace_id = $1
        AND resource_type_id = (SELECT id FROM metadef_resource_types WHERE name = $2)""";

  static final String PROPERTIES =
      "SELECT name, json_schema FROM metadef_properties WHERE namespace_id = $1 ORDER BY id";
  static final String FIND_PROPERTY =
      "SELECT name, json_schema FROM metadef_properties WHERE namespace_id = $1 AND name = $2";
  static final String INSERT_PROPERTY = """
      INSERT INTO metadef_properties (namespace_id, name, json_schema, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $4)""";
  static final String UPSERT_PROPERTY = INSERT_PROPERTY + """

      ON CONFLICT (namespace_id, name) DO UPDATE SET json_schema = EXCLUDED.json_schema,
        updated_at = EXCLUDED.updated_at""";
  static final String INSERT_PROPERTY_IF_NEW = INSERT_PROPERTY + " ON CONFLICT DO NOTHING";
  static final String UPDATE_PROPERTY = """
      UPDATE metadef_properties SET name = $3, json_schema = $4, updated_at = $5
      WHERE namespace_id = $1 AND name = $2""";
  static final String DELETE_PROPERTY = "DELETE FROM metadef_properties WHERE namespace_id = $1 AND name = $2";

  static final String OBJ_COLUMNS = "name, description, required, json_schema, created_at, updated_at";
  static final String OBJECTS = "SELECT " + OBJ_COLUMNS + " FROM metadef_objects WHERE namespace_id = $1 ORDER BY id";
  static final String FIND_OBJECT =
      "SELECT " + OBJ_COLUMNS + " FROM metadef_objects WHERE namespace_id = $1 AND name = $2";
  static final String INSERT_OBJECT = """
      INSERT INTO metadef_objects (namespace_id, name, description, required, json_schema, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $6)""";
  static final String UPSERT_OBJECT = INSERT_OBJECT + """

      ON CONFLICT (namespace_id, name) DO UPDATE SET description = EXCLUDED.description,
        required = EXCLUDED.required, json_schema = EXCLUDED.json_schema, updated_at = EXCLUDED.updated_at""";
  static final String INSERT_OBJECT_IF_NEW = INSERT_OBJECT + " ON CONFLICT DO NOTHING";
  static final String UPDATE_OBJECT = """
      UPDATE metadef_objects SET name = $3, description = $4, required = $5, json_schema = $6, updated_at = $7
      WHERE namespace_id = $1 AND name = $2 RETURNING\s""" + OBJ_COLUMNS;
  static final String DELETE_OBJECT = "DELETE FROM metadef_objects WHERE namespace_id = $1 AND name = $2";

  static final String TAG_COLUMNS = "name, created_at, updated_at";
  static final String FIND_TAG = "SELECT " + TAG_COLUMNS + ", id FROM metadef_tags WHERE namespace_id = $1 AND name = $2";
  static final String INSERT_TAG = """
      INSERT INTO metadef_tags (namespace_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
      RETURNING\s""" + TAG_COLUMNS;
  static final String INSERT_TAG_IF_NEW = """
      INSERT INTO metadef_tags (namespace_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
      ON CONFLICT DO NOTHING""";
  static final String RENAME_TAG = """
      UPDATE metadef_tags SET name = $3, updated_at = $4 WHERE namespace_id = $1 AND name = $2
      RETURNING\s""" + TAG_COLUMNS;
  static final String DELETE_TAG = "DELETE FROM metadef_tags WHERE namespace_id = $1 AND name = $2";

  static final String UNLOAD = """
      TRUNCATE metadef_namespace_resource_types, metadef_properties, metadef_objects, metadef_tags,
        metadef_namespaces, metadef_resource_types""";
}
