package io.glint.metadata;

/** Every SQL statement on images, in one place. Parameters are {@code $n}. */
final class ImageSql {
  private ImageSql() {}

  static final String COLUMNS = """
      id, name, status, visibility, protected, os_hidden, checksum, os_hash_algo, os_hash_value, owner, size,
      virtual_size, container_format, disk_format, min_disk, min_ram, created_at, updated_at, properties, tags""";

  static final String INSERT = """
      INSERT INTO images (id, name, status, visibility, protected, os_hidden, checksum, os_hash_algo,
        os_hash_value, owner, size, virtual_size, container_format, disk_format, min_disk, min_ram, created_at,
        updated_at, properties, tags)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)""";

  static final String FIND_LIVE = "SELECT " + COLUMNS + " FROM images WHERE id = $1 AND NOT deleted";

  static final String IS_MEMBER =
      "SELECT 1 FROM image_members WHERE image_id = $1 AND member = $2 AND NOT deleted";

  /** Saves the user-changeable fields; the status-owned fields (size, checksums) change only by upload. */
  static final String UPDATE = """
      UPDATE images SET name = $2, visibility = $3, protected = $4, os_hidden = $5, owner = $6,
        container_format = $7, disk_format = $8, min_disk = $9, min_ram = $10, properties = $11, tags = $12,
        updated_at = $13
      WHERE id = $1 AND NOT deleted AND updated_at = $14
      RETURNING""" + " " + COLUMNS;

  static final String MARK_DELETED = """
      UPDATE images SET status = 'deleted', deleted = true, deleted_at = $3, updated_at = $3
      WHERE id = $1 AND NOT deleted AND status = $2""";

  static final String DELETE_MEMBERS = """
      UPDATE image_members SET deleted = true, deleted_at = $2, updated_at = $2
      WHERE image_id = $1 AND NOT deleted""";

  static final String DELETE_ALL_FOR_TESTS = "TRUNCATE image_locations, image_members, images";
}
