package io.glint.metadata;

import io.glint.member.Member;
import io.glint.member.MemberRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Image members in PostgreSQL. A removed member is soft-deleted; adding it again revives the row. */
public final class PgMemberRepository implements MemberRepository {

  private static final String COLUMNS = "image_id, member, status, can_share, created_at, updated_at";
  private static final String COUNT_FOR_UPDATE = """
      SELECT count(*) FROM image_members WHERE image_id = $1 AND NOT deleted""";
  private static final String LOCK_IMAGE = "SELECT 1 FROM images WHERE id = $1 FOR UPDATE";
  private static final String ADD = """
      INSERT INTO image_members (image_id, member, status, can_share, created_at, updated_at, deleted)
      VALUES ($1, $2, 'pending', false, $3, $3, false)
      ON CONFLICT (image_id, member) DO UPDATE
        SET status = 'pending', can_share = false, created_at = $3, updated_at = $3, deleted = false, deleted_at = NULL
        WHERE image_members.deleted
      RETURNING\s""" + COLUMNS;
  private static final String LIST = "SELECT " + COLUMNS
      + " FROM image_members WHERE image_id = $1 AND NOT deleted ORDER BY created_at, member";
  private static final String FIND = "SELECT " + COLUMNS
      + " FROM image_members WHERE image_id = $1 AND member = $2 AND NOT deleted";
  private static final String SET_STATUS = "UPDATE image_members SET status = $3, updated_at = $4"
      + " WHERE image_id = $1 AND member = $2 AND NOT deleted RETURNING " + COLUMNS;
  private static final String REMOVE = "UPDATE image_members SET deleted = true, deleted_at = $3, updated_at = $3"
      + " WHERE image_id = $1 AND member = $2 AND NOT deleted";

  private static final String SET_CAN_SHARE = "UPDATE image_members SET can_share = $3, updated_at = $4"
      + " WHERE image_id = $1 AND member = $2 AND NOT deleted RETURNING " + COLUMNS;
  private static final String SHARED_WITH = "SELECT " + COLUMNS
      + " FROM image_members WHERE member = $1 AND NOT deleted ORDER BY created_at, image_id";

  private final Pool pool;

  public PgMemberRepository(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Optional<Member>> add(String imageId, String memberId, int quota) {
    var now = ImageRows.odt(now());
    // The image row lock serialises concurrent adds, so that the quota holds.
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_IMAGE).execute(Tuple.of(imageId))
        .compose(r -> conn.preparedQuery(COUNT_FOR_UPDATE).execute(Tuple.of(imageId)))
        .compose(rows -> {
          long count = rows.iterator().next().getLong(0);
          if (count >= quota) {
            // Glance checks the quota before looking for a duplicate.
            return Future.failedFuture(new QuotaExceeded(count + 1, quota));
          }
          return conn.preparedQuery(ADD).execute(Tuple.of(imageId, memberId, now)).map(PgMemberRepository::first);
        }));
  }

  @Override
  public Future<List<Member>> list(String imageId) {
    return pool.preparedQuery(LIST).execute(Tuple.of(imageId)).map(rows -> {
      List<Member> out = new ArrayList<>();
      rows.forEach(row -> out.add(member(row)));
      return out;
    });
  }

  @Override
  public Future<Optional<Member>> find(String imageId, String memberId) {
    return pool.preparedQuery(FIND).execute(Tuple.of(imageId, memberId)).map(PgMemberRepository::first);
  }

  @Override
  public Future<Optional<Member>> setStatus(String imageId, String memberId, String status) {
    return pool.preparedQuery(SET_STATUS).execute(Tuple.of(imageId, memberId, status, ImageRows.odt(now())))
        .map(PgMemberRepository::first);
  }

  @Override
  public Future<Boolean> remove(String imageId, String memberId) {
    return pool.preparedQuery(REMOVE).execute(Tuple.of(imageId, memberId, ImageRows.odt(now())))
        .map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Optional<Member>> setCanShare(String imageId, String memberId, boolean canShare) {
    return pool.preparedQuery(SET_CAN_SHARE).execute(Tuple.of(imageId, memberId, canShare, ImageRows.odt(now())))
        .map(PgMemberRepository::first);
  }

  @Override
  public Future<List<Member>> sharedWith(String memberId) {
    return pool.preparedQuery(SHARED_WITH).execute(Tuple.of(memberId)).map(rows -> {
      List<Member> out = new ArrayList<>();
      rows.forEach(row -> out.add(member(row)));
      return out;
    });
  }

  private static Optional<Member> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(member(it.next())) : Optional.empty();
  }

  private static Member member(Row row) {
    return new Member(row.getString(0), row.getString(1), row.getString(2), row.getBoolean(3),
        row.getOffsetDateTime(4).toInstant(), row.getOffsetDateTime(5).toInstant());
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }
}
