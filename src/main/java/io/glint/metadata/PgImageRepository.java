package io.glint.metadata;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.image.Image;
import io.glint.image.ImageQuery;
import io.glint.image.ImageRepository;
import io.glint.image.ImageLocation;
import io.glint.image.ImageStatus;
import io.glint.image.ReceivedData;
import io.vertx.core.json.JsonObject;
import java.util.Map;
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
 * Images in PostgreSQL, every read and write a query (the cache of hot rows is {@link CachingImageRepository},
 * in front of this one).
 */
public final class PgImageRepository implements ImageRepository {

  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final String nodeId;

  public PgImageRepository(Pool pool, String nodeId) {
    this.nodeId = nodeId;
    this.pool = pool;
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

  /** Reads by id go to the database each time here; {@link CachingImageRepository} caches them. */
  @Override
  public Future<Optional<Image>> find(String id) {
    return findFresh(id);
  }

  @Override
  public Future<Optional<Image>> findIncludingDeleted(String id) {
    return pool.preparedQuery(ImageSql.FIND_ANY).execute(Tuple.of(id)).map(PgImageRepository::first);
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
    return pool.preparedQuery(ImageSql.UPDATE)
        .execute(ImageRows.updateParams(image, expectedUpdatedAt))
        .map(PgImageRepository::first);
  }

  @Override
  public Future<Boolean> markDeleted(String id, ImageStatus expectedStatus, ImageStatus target) {
    var now = ImageRows.odt(now());
    return pool.withTransaction(conn -> conn.preparedQuery(ImageSql.MARK_DELETED)
            .execute(Tuple.of(id, expectedStatus.wireName(), now, target.wireName()))
            .compose(rows -> rows.rowCount() == 0
                ? Future.succeededFuture(false)
                : conn.preparedQuery(ImageSql.DELETE_MEMBERS).execute(Tuple.of(id, now))
                    .compose(r -> conn.preparedQuery(ImageSql.LOCATIONS_PENDING_DELETE).execute(Tuple.of(id, now)))
                    .map(r -> true)));
  }

  @Override
  public Future<Optional<LocationUpdate>> updateWithLocations(Image image, Instant expectedUpdatedAt,
      List<ImageLocation> newLocations) {
    var now = ImageRows.odt(now());
    Tuple update = ImageRows.updateParams(image, expectedUpdatedAt)
        .addValue(image.size()).addValue(image.checksum()).addValue(image.osHashAlgo()).addValue(image.osHashValue())
        .addValue(image.virtualSize());
    return pool.withTransaction(conn -> conn.preparedQuery(ImageSql.UPDATE_FULL).execute(update)
        .compose(rows -> {
          Optional<Image> saved = first(rows);
          if (saved.isEmpty()) {
            return Future.succeededFuture(Optional.<LocationUpdate>empty());
          }
          return conn.preparedQuery(ImageSql.LOCATIONS).execute(Tuple.of(image.id())).compose(current -> {
            Map<Long, ImageLocation> live = new java.util.LinkedHashMap<>();
            for (Row row : current) {
              live.put(row.getLong(0), location(image.id(), row));
            }
            java.util.Set<Long> kept = new java.util.HashSet<>();
            newLocations.forEach(l -> kept.add(l.id()));
            List<ImageLocation> removed = new ArrayList<>();
            Future<Void> chain = Future.succeededFuture();
            for (ImageLocation l : live.values()) {
              if (!kept.contains(l.id())) {
                removed.add(l);
                chain = chain.compose(v -> conn.preparedQuery(ImageSql.LOCATION_PENDING_DELETE)
                    .execute(Tuple.of(l.id(), now)).mapEmpty());
              }
            }
            // The live locations as saved, by position: kept ones as they are, added ones as inserted.
            ImageLocation[] positions = new ImageLocation[newLocations.size()];
            for (int i = 0; i < newLocations.size(); i++) {
              ImageLocation l = newLocations.get(i);
              int position = i;
              if (l.id() != 0) {
                positions[position] = live.get(l.id());
                chain = chain.compose(v -> conn.preparedQuery(ImageSql.LOCATION_POSITION)
                    .execute(Tuple.of(l.id(), position, now)).mapEmpty());
              } else {
                chain = chain.compose(v -> conn.preparedQuery(ImageSql.INSERT_LOCATION_AT)
                    .execute(Tuple.of(image.id(), l.url(), new JsonObject(l.metadata()), position, now))
                    .map(inserted -> {
                      positions[position] = location(image.id(), inserted.iterator().next());
                      return null;
                    }));
              }
            }
            return chain.map(v -> Optional.of(new LocationUpdate(saved.get(),
                java.util.Arrays.stream(positions).filter(java.util.Objects::nonNull).toList(), removed)));
          });
        }));
  }

  @Override
  public Future<Map<String, List<ImageLocation>>> locationsOf(List<String> imageIds) {
    if (imageIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery(ImageSql.LOCATIONS_OF).execute(Tuple.of(imageIds.toArray(new String[0])))
        .map(rows -> {
          Map<String, List<ImageLocation>> out = new java.util.HashMap<>();
          for (Row row : rows) {
            String imageId = row.getString(3);
            out.computeIfAbsent(imageId, k -> new ArrayList<>())
                .add(location(imageId, row));
          }
          return out;
        });
  }

  @Override
  public Future<List<ImageLocation>> locationsForRead(String imageId) {
    return locations(imageId);
  }

  @Override
  public Future<List<ImageLocation>> locations(String imageId) {
    return pool.preparedQuery(ImageSql.LOCATIONS).execute(Tuple.of(imageId)).map(rows -> {
      List<ImageLocation> out = new ArrayList<>();
      for (Row row : rows) {
        out.add(location(imageId, row));
      }
      return out;
    });
  }

  @Override
  public Future<Boolean> markSaving(String id) {
    return pool.preparedQuery(ImageSql.MARK_SAVING).execute(Tuple.of(id, ImageRows.odt(now()), nodeId))
        .map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Optional<Image>> markActive(String id, ReceivedData data, String location,
      Map<String, Object> metadata) {
    var now = ImageRows.odt(now());
    return pool.withTransaction(conn -> conn.preparedQuery(ImageSql.MARK_ACTIVE)
            .execute(Tuple.of(id, data.size(), data.checksum(), data.hashAlgo(), data.hashValue(), now,
                data.virtualSize()))
            .compose(rows -> {
              Optional<Image> image = first(rows);
              if (image.isEmpty()) {
                return Future.succeededFuture(image);
              }
              return conn.preparedQuery(ImageSql.INSERT_LOCATION)
                  .execute(Tuple.of(id, location, new JsonObject(metadata), now))
                  .map(r -> image);
            }));
  }

  @Override
  public Future<Boolean> markUploading(String id) {
    return pool.preparedQuery(ImageSql.MARK_UPLOADING).execute(Tuple.of(id, ImageRows.odt(now()), nodeId))
        .map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Optional<Image>> staged(String id, long size, String stageHost) {
    return pool.preparedQuery(ImageSql.STAGED)
        .execute(Tuple.of(id, size, stageHost, ImageRows.odt(now()), nodeId))
        .map(PgImageRepository::first);
  }

  @Override
  public Future<Boolean> unstage(String id) {
    return pool.preparedQuery(ImageSql.UNSTAGE).execute(Tuple.of(id, ImageRows.odt(now())))
        .map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Optional<Image>> saveAll(Image image, Instant expectedUpdatedAt, String location,
      Map<String, Object> metadata) {
    var now = ImageRows.odt(now());
    Tuple update = ImageRows.updateParams(image, expectedUpdatedAt)
        .addValue(image.size()).addValue(image.checksum()).addValue(image.osHashAlgo()).addValue(image.osHashValue())
        .addValue(image.virtualSize());
    return pool.withTransaction(conn -> conn.preparedQuery(ImageSql.UPDATE_ALL).execute(update).compose(rows -> {
      Optional<Image> saved = first(rows);
      if (saved.isEmpty() || location == null) {
        return Future.succeededFuture(saved);
      }
      return conn.preparedQuery(ImageSql.APPEND_LOCATION).execute(Tuple.of(image.id(), location,
          new JsonObject(metadata), now)).map(r -> saved);
    }));
  }

  @Override
  public Future<Boolean> restoreQueued(String id) {
    return pool.preparedQuery(ImageSql.RESTORE_QUEUED).execute(Tuple.of(id, ImageRows.odt(now())))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Puts back to queued the uploads nobody receives any more: with {@code ownToo} (at start-up) this node's own,
   * and always those whose node has not reported for {@code silence}. Returns their ids.
   */
  @Override
  public Future<List<String>> recoverSaving(boolean ownToo, Duration silence) {
    Instant now = now();
    Tuple params = Tuple.of(ImageRows.odt(now), ownToo ? nodeId : null, ImageRows.odt(now.minus(silence)));
    return pool.preparedQuery(ImageSql.RECOVER_SAVING).execute(params).map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getString(0)));
      return ids;
    });
  }

  /** Tells the other nodes that this node still receives the uploads it marked as its own. */
  @Override
  public Future<Void> uploadsAlive() {
    return pool.preparedQuery(ImageSql.UPLOADS_ALIVE).execute(Tuple.of(nodeId, ImageRows.odt(now()))).mapEmpty();
  }

  @Override
  public Future<Usage> usage(String owner) {
    return pool.preparedQuery(ImageSql.USAGE).execute(Tuple.of(owner)).map(rows -> {
      Row r = rows.iterator().next();
      return new Usage(((Number) r.getValue(0)).longValue(), ((Number) r.getValue(1)).longValue(),
          ((Number) r.getValue(2)).longValue(), ((Number) r.getValue(3)).longValue());
    });
  }

  @Override
  public Future<Long> storageUsed(String owner, String excludingImageId) {
    return pool.preparedQuery(ImageSql.STORAGE_USED).execute(Tuple.of(owner, excludingImageId))
        .map(rows -> {
          Object v = rows.iterator().next().getValue(0);
          return v == null ? 0L : ((Number) v).longValue();
        });
  }

  @Override
  public Future<List<ImageLocation>> pendingDeletes(Instant deletedBefore, int max) {
    return pool.preparedQuery(ImageSql.PENDING_DELETES).execute(Tuple.of(ImageRows.odt(deletedBefore), max))
        .map(rows -> {
          List<ImageLocation> out = new ArrayList<>();
          for (Row row : rows) {
            out.add(new ImageLocation(row.getLong(0), row.getString(1), row.getString(2), Map.of()));
          }
          return out;
        });
  }

  @Override
  public Future<Void> locationDeleted(ImageLocation location) {
    var now = ImageRows.odt(now());
    return pool.withTransaction(conn -> conn.preparedQuery(ImageSql.LOCATION_DELETED)
        .execute(Tuple.of(location.id(), now))
        .compose(r -> conn.preparedQuery(ImageSql.FINISH_PENDING_DELETE).execute(Tuple.of(location.imageId(), now)))
        .mapEmpty());
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** A location from a row of {@code id, url, metadata}. */
  private static ImageLocation location(String imageId, Row row) {
    return new ImageLocation(row.getLong(0), imageId, row.getString(1), metadata(row.getValue(2)));
  }

  private static Map<String, Object> metadata(Object value) {
    return value instanceof JsonObject json ? json.getMap() : Map.of();
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

  private static Optional<Image> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(ImageRows.fromRow(it.next())) : Optional.empty();
  }

  private static boolean isUniqueViolation(Throwable e) {
    return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }
}
