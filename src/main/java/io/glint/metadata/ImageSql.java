package io.glint.metadata;

/** Every SQL statement on images, in one place. Parameters are {@code $n}. */
final class ImageSql {
  private ImageSql() {}

  /**
   * The columns {@link ImageRows#fromRow} reads, in its order, with {@code alias.} before each when
   * {@code alias} is not empty. The custom properties come as their JSON text, which {@link ImageRows} reads with
   * a streaming parser (the client's jsonb decoding builds a tree of maps first, the most expensive part of a
   * row).
   */
  static String columns(String alias) {
    String a = alias.isEmpty() ? "" : alias + ".";
    return String.join(", ", java.util.Arrays.stream(("id name status visibility protected os_hidden checksum "
        + "os_hash_algo os_hash_value owner size virtual_size container_format disk_format min_disk min_ram "
        + "created_at updated_at properties tags").split(" "))
        .map(c -> c.equals("properties") ? a + c + "::text" : a + c).toList());
  }

  static final String COLUMNS = columns("");

  static final String INSERT = """
      INSERT INTO images (id, name, status, visibility, protected, os_hidden, checksum, os_hash_algo,
        os_hash_value, owner, size, virtual_size, container_format, disk_format, min_disk, min_ram, created_at,
        updated_at, properties, tags)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)""";

  static final String FIND_LIVE = "SELECT " + COLUMNS + " FROM images WHERE id = $1 AND NOT deleted";

  static final String FIND_ANY = "SELECT " + COLUMNS + " FROM images WHERE id = $1";

  static final String IS_MEMBER =
      "SELECT 1 FROM image_members WHERE image_id = $1 AND member = $2 AND NOT deleted";

  /**
   * Saves the user-changeable fields and the status (deactivate/reactivate), if nobody changed the row since it
   * was read; size and digests change only through an upload.
   */
  static final String UPDATE = """
      UPDATE images SET name = $2, visibility = $3, protected = $4, os_hidden = $5, owner = $6,
        container_format = $7, disk_format = $8, min_disk = $9, min_ram = $10, properties = $11, tags = $12,
        updated_at = $13, status = $15
      WHERE id = $1 AND NOT deleted AND updated_at = $14
      RETURNING""" + " " + COLUMNS;

  /** As UPDATE, and also the data fields: for changes of locations, which may activate a queued image. */
  static final String UPDATE_FULL = """
      UPDATE images SET name = $2, visibility = $3, protected = $4, os_hidden = $5, owner = $6,
        container_format = $7, disk_format = $8, min_disk = $9, min_ram = $10, properties = $11, tags = $12,
        updated_at = $13, status = $15, size = $16, checksum = $17, os_hash_algo = $18, os_hash_value = $19,
        virtual_size = $20
      WHERE id = $1 AND NOT deleted AND updated_at = $14
      RETURNING""" + " " + COLUMNS;

  static final String LOCATION_POSITION = "UPDATE image_locations SET position = $2, updated_at = $3 WHERE id = $1";

  static final String LOCATION_PENDING_DELETE = """
      UPDATE image_locations SET status = 'pending_delete', updated_at = $2 WHERE id = $1""";

  static final String INSERT_LOCATION_AT = """
      INSERT INTO image_locations (image_id, url, metadata, status, position, created_at, updated_at)
      VALUES ($1, $2, $3, 'active', $4, $5, $5)
      RETURNING id, url, metadata""";

  static final String LOCATIONS_OF = """
      SELECT id, url, metadata, image_id FROM image_locations
      WHERE image_id = ANY($1) AND NOT deleted AND status = 'active' ORDER BY image_id, position, id""";

  static final String MARK_DELETED = """
      UPDATE images SET status = $4, deleted = true, deleted_at = $3, updated_at = $3
      WHERE id = $1 AND NOT deleted AND status = $2""";

  /** Locations of a deleted image wait for the scrubber (or the immediate delete) to remove their data. */
  static final String LOCATIONS_PENDING_DELETE = """
      UPDATE image_locations SET status = 'pending_delete', updated_at = $2
      WHERE image_id = $1 AND NOT deleted AND status = 'active'""";

  static final String LOCATIONS = """
      SELECT id, url, metadata FROM image_locations
      WHERE image_id = $1 AND NOT deleted AND status = 'active' ORDER BY position, id""";

  /** queued → saving, the compare-and-set that lets exactly one upload win. */
  static final String MARK_SAVING = """
      UPDATE images SET status = 'saving', updated_at = $2, upload_node = $3, upload_seen = $2
      WHERE id = $1 AND NOT deleted AND status = 'queued'""";

  /** saving → active with the data's size and digests, in the same transaction as its location. */
  static final String MARK_ACTIVE = """
      UPDATE images SET status = 'active', size = $2, checksum = $3, os_hash_algo = $4, os_hash_value = $5,
        updated_at = $6, upload_node = NULL, upload_seen = NULL, virtual_size = $7
      WHERE id = $1 AND NOT deleted AND status = 'saving'
      RETURNING""" + " " + COLUMNS;

  static final String INSERT_LOCATION = """
      INSERT INTO image_locations (image_id, url, metadata, status, position, created_at, updated_at)
      VALUES ($1, $2, $3, 'active', 0, $4, $4)""";

  /** saving → queued after a failed upload, clearing what the upload would have set. */
  static final String RESTORE_QUEUED = """
      UPDATE images SET status = 'queued', size = NULL, checksum = NULL, os_hash_algo = NULL,
        os_hash_value = NULL, updated_at = $2, upload_node = NULL, upload_seen = NULL
      WHERE id = $1 AND NOT deleted AND status = 'saving'""";

  /**
   * Uploads and stagings that no node is receiving any more go back to queued: at start-up this node's own ($2,
   * cut by its stop), and at any time those whose node has not reported since $3 (it died) or, for uploads, that
   * record no node. An image in uploading without a node has its data staged whole and waits for its import.
   */
  static final String RECOVER_SAVING = """
      UPDATE images SET status = 'queued', size = NULL, checksum = NULL, os_hash_algo = NULL,
        os_hash_value = NULL, updated_at = $1, upload_node = NULL, upload_seen = NULL,
        properties = properties - 'os_glance_stage_host'
      WHERE NOT deleted
        AND (status = 'saving' AND (upload_node IS NULL OR upload_node = $2 OR upload_seen < $3)
          OR status = 'uploading' AND upload_node IS NOT NULL AND (upload_node = $2 OR upload_seen < $3))
      RETURNING id""";

  /** The node's heartbeat for the uploads and stagings it is receiving. */
  static final String UPLOADS_ALIVE = """
      UPDATE images SET upload_seen = $2
      WHERE upload_node = $1 AND status IN ('saving', 'uploading') AND NOT deleted""";

  /** queued → uploading: the compare-and-set that lets exactly one staging win; the node receives the data. */
  static final String MARK_UPLOADING = """
      UPDATE images SET status = 'uploading', updated_at = $2, upload_node = $3, upload_seen = $2
      WHERE id = $1 AND NOT deleted AND status = 'queued'""";

  /** The data is staged whole: its size, and the node that holds it ($3, or none). */
  static final String STAGED = """
      UPDATE images SET size = $2, updated_at = $4, upload_node = NULL, upload_seen = NULL,
        properties = CASE WHEN $3::text IS NULL THEN properties
                          ELSE properties || jsonb_build_object('os_glance_stage_host', $3::text) END
      WHERE id = $1 AND NOT deleted AND status = 'uploading' AND upload_node = $5
      RETURNING""" + " " + COLUMNS;

  /** uploading → queued after a failed staging. */
  static final String UNSTAGE = """
      UPDATE images SET status = 'queued', size = NULL, updated_at = $2, upload_node = NULL, upload_seen = NULL,
        properties = properties - 'os_glance_stage_host'
      WHERE id = $1 AND NOT deleted AND status = 'uploading'""";

  /**
   * Saves every field of an image an import may change (status, formats, data fields, virtual size,
   * properties), if nobody changed it since it was read.
   */
  static final String UPDATE_ALL = """
      UPDATE images SET name = $2, visibility = $3, protected = $4, os_hidden = $5, owner = $6,
        container_format = $7, disk_format = $8, min_disk = $9, min_ram = $10, properties = $11, tags = $12,
        updated_at = $13, status = $15, size = $16, checksum = $17, os_hash_algo = $18, os_hash_value = $19,
        virtual_size = $20
      WHERE id = $1 AND NOT deleted AND updated_at = $14
      RETURNING""" + " " + COLUMNS;

  /** A location after the image's others. */
  static final String APPEND_LOCATION = """
      INSERT INTO image_locations (image_id, url, metadata, status, position, created_at, updated_at)
      VALUES ($1::varchar, $2, $3, 'active', (SELECT COALESCE(MAX(position) + 1, 0) FROM image_locations
                                     WHERE image_id = $1::varchar AND NOT deleted), $4, $4)""";

  /** Bytes a project uses (Glance's _image_get_disk_usage_by_owner): size × live locations. */
  static final String STORAGE_USED = """
      SELECT COALESCE(SUM(i.size * (SELECT count(*) FROM image_locations l
                                    WHERE l.image_id = i.id AND NOT l.deleted AND l.status = 'active')), 0)
      FROM images i
      WHERE i.owner = $1 AND i.id <> $2 AND NOT i.deleted AND i.size > 0
        AND i.status NOT IN ('killed', 'deleted', 'pending_delete')""";

  /** A project's usage, as Glance's unified limits count it (glance/db/sqlalchemy/api.py user_get_*). */
  static final String USAGE = """
      SELECT
        COALESCE((SELECT SUM(i.size * (SELECT count(*) FROM image_locations l
                                       WHERE l.image_id = i.id AND NOT l.deleted AND l.status = 'active'))
                  FROM images i WHERE i.owner = $1 AND NOT i.deleted AND i.size > 0
                    AND i.status NOT IN ('killed', 'deleted', 'pending_delete')), 0),
        COALESCE((SELECT SUM(size) FROM images WHERE owner = $1 AND NOT deleted AND size > 0
                    AND (status IN ('uploading', 'importing')
                      OR (COALESCE(properties->>'os_glance_importing_to_stores', '') <> ''
                        AND status NOT IN ('killed', 'deleted', 'pending_delete')))), 0),
        (SELECT count(*) FROM images WHERE owner = $1 AND NOT deleted
           AND status NOT IN ('killed', 'pending_delete', 'deleted')),
        (SELECT count(*) FROM images WHERE owner = $1 AND NOT deleted
           AND (status IN ('saving', 'uploading', 'importing')
             OR (COALESCE(properties->>'os_glance_importing_to_stores', '') <> ''
               AND status NOT IN ('killed', 'deleted', 'pending_delete'))))""";

  /** Location data the scrubber must remove: of images deleted at least $1 ago. */
  static final String PENDING_DELETES = """
      SELECT l.id, l.image_id, l.url FROM image_locations l JOIN images i ON i.id = l.image_id
      WHERE l.status = 'pending_delete' AND NOT l.deleted AND i.deleted AND i.deleted_at <= $1
      ORDER BY i.deleted_at LIMIT $2""";

  static final String LOCATION_DELETED = """
      UPDATE image_locations SET status = 'deleted', deleted = true, deleted_at = $2, updated_at = $2
      WHERE id = $1""";

  /** pending_delete → deleted once none of the image's locations still holds data. */
  static final String FINISH_PENDING_DELETE = """
      UPDATE images SET status = 'deleted', updated_at = $2
      WHERE id = $1 AND status = 'pending_delete' AND NOT EXISTS (
        SELECT 1 FROM image_locations l WHERE l.image_id = $1 AND NOT l.deleted)""";

  static final String DELETE_MEMBERS = """
      UPDATE image_members SET deleted = true, deleted_at = $2, updated_at = $2
      WHERE image_id = $1 AND NOT deleted""";
}
