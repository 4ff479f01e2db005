-- Images, members and locations. Glance's schema flattened: custom properties as jsonb, tags as text[].
CREATE TABLE images (
  id               varchar(36)  PRIMARY KEY,
  name             varchar(255),
  status           varchar(30)  NOT NULL,
  visibility       varchar(20)  NOT NULL,
  protected        boolean      NOT NULL DEFAULT false,
  os_hidden        boolean      NOT NULL DEFAULT false,
  checksum         varchar(32),
  os_hash_algo     varchar(64),
  os_hash_value    varchar(128),
  owner            varchar(255),
  size             bigint,
  virtual_size     bigint,
  container_format varchar(255),
  disk_format      varchar(255),
  min_disk         integer      NOT NULL DEFAULT 0,
  min_ram          integer      NOT NULL DEFAULT 0,
  created_at       timestamptz  NOT NULL,
  updated_at       timestamptz  NOT NULL,
  deleted_at       timestamptz,
  deleted          boolean      NOT NULL DEFAULT false,
  properties       jsonb        NOT NULL DEFAULT '{}'::jsonb,
  tags             text[]       NOT NULL DEFAULT '{}'::text[]
);

CREATE INDEX images_live_created_idx ON images (created_at DESC, id DESC) WHERE NOT deleted;
CREATE INDEX images_owner_idx ON images (owner) WHERE NOT deleted;
CREATE INDEX images_status_idx ON images (status) WHERE NOT deleted;
CREATE INDEX images_checksum_idx ON images (checksum) WHERE NOT deleted;
CREATE INDEX images_hash_idx ON images (os_hash_value) WHERE NOT deleted;
CREATE INDEX images_name_idx ON images (name) WHERE NOT deleted;
CREATE INDEX images_properties_idx ON images USING gin (properties jsonb_path_ops);
CREATE INDEX images_tags_idx ON images USING gin (tags);

CREATE TABLE image_members (
  image_id   varchar(36)  NOT NULL REFERENCES images (id),
  member     varchar(255) NOT NULL,
  status     varchar(20)  NOT NULL DEFAULT 'pending',
  can_share  boolean      NOT NULL DEFAULT false,
  created_at timestamptz  NOT NULL,
  updated_at timestamptz  NOT NULL,
  deleted_at timestamptz,
  deleted    boolean      NOT NULL DEFAULT false,
  PRIMARY KEY (image_id, member)
);
CREATE INDEX image_members_member_idx ON image_members (member) WHERE NOT deleted;

CREATE TABLE image_locations (
  id         bigserial    PRIMARY KEY,
  image_id   varchar(36)  NOT NULL REFERENCES images (id),
  url        text         NOT NULL,
  metadata   jsonb        NOT NULL DEFAULT '{}'::jsonb,
  status     varchar(30)  NOT NULL DEFAULT 'active',
  position   integer      NOT NULL DEFAULT 0,
  created_at timestamptz  NOT NULL,
  updated_at timestamptz  NOT NULL,
  deleted_at timestamptz,
  deleted    boolean      NOT NULL DEFAULT false
);
CREATE INDEX image_locations_image_idx ON image_locations (image_id) WHERE NOT deleted;
