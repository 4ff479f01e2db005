package io.glint.metadata;

/** Every SQL statement on tasks, in one place. Parameters are {@code $n}. */
final class TaskSql {
  private TaskSql() {}

  static final String COLUMNS = """
      id, type, status, owner, image_id, user_id, request_id, input, result, message, expires_at, created_at,
      updated_at""";

  /** Unexpired, not deleted. */
  static final String LIVE = "NOT deleted AND (expires_at IS NULL OR expires_at > now())";

  static final String INSERT = """
      INSERT INTO tasks (id, type, status, owner, image_id, user_id, request_id, input, result, message, expires_at,
        created_at, updated_at, node, node_seen)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $12)""";

  static final String FIND = "SELECT " + COLUMNS + " FROM tasks WHERE id = $1 AND " + LIVE;

  static final String TRANSITION = """
      UPDATE tasks SET status = $3, message = $4, result = $5, expires_at = $6, updated_at = $7
      WHERE id = $1 AND status = $2 AND NOT deleted""";

  static final String PROGRESS = """
      UPDATE tasks SET message = $2, updated_at = $3, node_seen = $3
      WHERE id = $1 AND status IN ('pending', 'processing') AND NOT deleted""";

  static final String OF_IMAGE = "SELECT " + COLUMNS + " FROM tasks WHERE image_id = $1 AND ($2::text IS NULL OR owner = $2"
      + " OR owner IS NULL) AND " + LIVE + " ORDER BY created_at, id";

  static final String ORPHANED = "SELECT " + COLUMNS + " " + """
      FROM tasks WHERE status IN ('pending', 'processing') AND NOT deleted
        AND (node IS NULL OR node = $1 OR node_seen < $2)""";

  static final String ALIVE = """
      UPDATE tasks SET node_seen = $2 WHERE node = $1 AND status IN ('pending', 'processing') AND NOT deleted""";

  static final String PURGE = "DELETE FROM tasks WHERE expires_at IS NOT NULL AND expires_at <= $1";
}
