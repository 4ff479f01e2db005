-- Metadata definitions (Glance's metadef_* tables). Children go with their namespace (ON DELETE CASCADE).
-- A property's or object's JSON schema is kept as the text the API received (key order preserved).
CREATE TABLE metadef_namespaces (
  id bigserial PRIMARY KEY,
  namespace varchar(80) NOT NULL,
  display_name varchar(80),
  description text,
  visibility varchar(32) NOT NULL DEFAULT 'private',
  protected boolean NOT NULL DEFAULT false,
  owner varchar(255),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT metadef_namespaces_namespace_key UNIQUE (namespace)
);
-- The list (visible rows, newest first) and its keyset pagination.
CREATE INDEX metadef_namespaces_created_idx ON metadef_namespaces (created_at, id);
CREATE INDEX metadef_namespaces_owner_idx ON metadef_namespaces (owner);

CREATE TABLE metadef_resource_types (
  id bigserial PRIMARY KEY,
  name varchar(80) NOT NULL,
  protected boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT metadef_resource_types_name_key UNIQUE (name)
);

CREATE TABLE metadef_namespace_resource_types (
  resource_type_id bigint NOT NULL REFERENCES metadef_resource_types (id),
  namespace_id bigint NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  properties_target varchar(80),
  prefix varchar(80),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT metadef_namespace_resource_types_pkey PRIMARY KEY (resource_type_id, namespace_id)
);
-- The namespace list filtered by resource type goes from the type's id to its namespaces (the primary key);
-- a namespace's associations are found by namespace.
CREATE INDEX metadef_ns_res_types_namespace_idx ON metadef_namespace_resource_types (namespace_id);

CREATE TABLE metadef_properties (
  id bigserial PRIMARY KEY,
  namespace_id bigint NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name varchar(80) NOT NULL,
  json_schema text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT metadef_properties_namespace_id_name_key UNIQUE (namespace_id, name)
);

CREATE TABLE metadef_objects (
  id bigserial PRIMARY KEY,
  namespace_id bigint NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name varchar(80) NOT NULL,
  description text,
  required text,
  json_schema text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT metadef_objects_namespace_id_name_key UNIQUE (namespace_id, name)
);

-- Tag names are unique per namespace regardless of case (Glance says so in its duplicate message).
CREATE TABLE metadef_tags (
  id bigserial PRIMARY KEY,
  namespace_id bigint NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
  name varchar(80) NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX metadef_tags_namespace_id_name_key ON metadef_tags (namespace_id, lower(name));
CREATE INDEX metadef_tags_created_idx ON metadef_tags (namespace_id, created_at, id);
