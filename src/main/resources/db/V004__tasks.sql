-- Glance's tasks (the tasks API and the interoperable import), and which node runs each one: a task left
-- pending or processing by a node that stopped (its own at start-up, another's once it has been silent) is
-- failed and its image put back, as interrupted uploads are.
CREATE TABLE tasks (
  id          varchar(36)  PRIMARY KEY,
  type        varchar(30)  NOT NULL,
  status      varchar(30)  NOT NULL,
  owner       varchar(255),
  image_id    varchar(36),
  user_id     varchar(255),
  request_id  varchar(255),
  input       jsonb,
  result      jsonb,
  message     text         NOT NULL DEFAULT '',
  expires_at  timestamptz,
  created_at  timestamptz  NOT NULL,
  updated_at  timestamptz  NOT NULL,
  deleted_at  timestamptz,
  deleted     boolean      NOT NULL DEFAULT false,
  node        varchar(64),
  node_seen   timestamptz
);
CREATE INDEX tasks_image_idx ON tasks (image_id);
CREATE INDEX tasks_owner_created_idx ON tasks (owner, created_at DESC, id DESC);
CREATE INDEX tasks_running_idx ON tasks (node) WHERE status IN ('pending', 'processing');
CREATE INDEX tasks_expires_idx ON tasks (expires_at) WHERE expires_at IS NOT NULL;
