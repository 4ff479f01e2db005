package io.glint.metadata;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.image.Image;
import io.glint.image.ImageQuery;
import io.glint.image.ImageRepository;
import io.glint.image.ImageStatus;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Images in PostgreSQL, with a Caffeine cache of hot rows for reads by id. Writes made through this node
 * evict at once; rows changed by other nodes expire after {@link #CACHE_TTL} (cross-node invalidation through
 * LISTEN/NOTIFY is a later step).
 */
public final class PgImageRepository implements ImageRepository {

  static final Duration CACHE_TTL = Duration.ofSeconds(2);
  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final Cache<String, Image> cache;

  public PgImageRepository(Pool pool) {
    this.pool = pool;
    this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE_TTL).build();
  }

  @Override
  public Future<Image> insert(Image image) {
    return pool.preparedQuery(ImageSql.INSERT)
        .execute(ImageRows.insertParams(image))
        .<Image>map(rows -> image)
        .recover(e -> Future.failedFuture(isUniqueViolation(e)
            ? GlintException.conflict("Image with identifier " + image.id() + " already exists!")
            : e));
  }

  @Override
  public Future<Optional<Image>> find(String id) {
    Image cached = cache.getIfPresent(id);
    if (cached != null) {
      return Future.succeededFuture(Optional.of(cached));
    }
    return findFresh(id).onSuccess(found -> found.ifPresent(i -> cache.put(i.id(), i)));
  }

  @Override
  public Future<Optional<Image>> findFresh(String id) {
    return pool.preparedQuery(ImageSql.FIND_LIVE)
        .execute(Tuple.of(id))
        .map(PgImageRepository::first);
  }

  @Override
  public Future<Boolean> isMember(String imageId, String project) {
    return pool.preparedQuery(ImageSql.IS_MEMBER)
        .execute(Tuple.of(imageId, project))
        .map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Optional<Image>> update(Image image, Instant expectedUpdatedAt) {
    cache.invalidate(image.id());
    return pool.preparedQuery(ImageSql.UPDATE)
        .execute(ImageRows.updateParams(image, expectedUpdatedAt))
        .map(PgImageRepository::first)
        .onComplete(ar -> cache.invalidate(image.id()));
  }

  @Override
  public Future<Boolean> markDeleted(String id, ImageStatus expectedStatus) {
    cache.invalidate(id);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return pool.withTransaction(conn -> conn.preparedQuery(ImageSql.MARK_DELETED)
            .execute(Tuple.of(id, expectedStatus.wireName(), ImageRows.odt(now)))
            .compose(rows -> rows.rowCount() == 0
                ? Future.succeededFuture(false)
                : conn.preparedQuery(ImageSql.DELETE_MEMBERS)
                    .execute(Tuple.of(id, ImageRows.odt(now)))
                    .map(r -> true)))
        .onComplete(ar -> cache.invalidate(id));
  }

  @Override
  public Future<List<Image>> list(RequestContext ctx, ImageQuery query, Image marker) {
    ImageListSql.Statement st = ImageListSql.build(ctx, query, marker);
    return pool.preparedQuery(st.sql()).execute(st.params()).map(rows -> {
      List<Image> images = new ArrayList<>(rows.size());
      for (Row row : rows) {
        images.add(ImageRows.fromRow(row));
      }
      return images;
    });
  }

  /** Empties every table; for tests only. */
  public Future<Void> deleteEverything() {
    cache.invalidateAll();
    return pool.query(ImageSql.DELETE_ALL_FOR_TESTS).execute().mapEmpty();
  }

  private static Optional<Image> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(ImageRows.fromRow(it.next())) : Optional.empty();
  }

  private static boolean isUniqueViolation(Throwable e) {
    return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }
}
