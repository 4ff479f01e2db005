package io.glint.metadata;

import io.glint.task.Task;
import io.glint.task.TaskRepository;
import io.glint.task.TaskStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Tasks in PostgreSQL. */
public final class PgTaskRepository implements TaskRepository {
  private final Pool pool;
  private final String nodeId;

  public PgTaskRepository(Pool pool, String nodeId) {
    this.pool = pool;
    this.nodeId = nodeId;
  }

  @Override
  public Future<Task> insert(Task t) {
    return pool.preparedQuery(TaskSql.INSERT).execute(Tuple.from(new Object[] {
      t.id(), t.type(), t.status().wireName(), t.owner(), t.imageId(), t.userId(), t.requestId(), json(t.input()),
      json(t.result()), t.message() == null ? "" : t.message(), odt(t.expiresAt()), odt(t.createdAt()), nodeId
    })).map(rows -> t);
  }

  @Override
  public Future<Optional<Task>> find(String id) {
    return pool.preparedQuery(TaskSql.FIND).execute(Tuple.of(id)).map(PgTaskRepository::first);
  }

  @Override
  public Future<Boolean> transition(String id, TaskStatus from, TaskStatus to, String message,
      Map<String, Object> result, Instant expiresAt) {
    return pool.preparedQuery(TaskSql.TRANSITION).execute(Tuple.from(new Object[] {
      id, from.wireName(), to.wireName(), message == null ? "" : message, json(result), odt(expiresAt), odt(now())
    })).map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Boolean> progress(String id, String message) {
    return pool.preparedQuery(TaskSql.PROGRESS).execute(Tuple.of(id, message, odt(now())))
        .map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<List<Task>> list(TaskQuery q) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT ").append(TaskSql.COLUMNS).append(" FROM tasks WHERE ")
        .append(TaskSql.LIVE);
    if (q.owner() != null) {
      params.add(q.owner());
      sql.append(" AND owner = $").append(params.size());
    }
    if (q.status() != null) {
      params.add(q.status());
      sql.append(" AND status = $").append(params.size());
    }
    if (q.type() != null) {
      params.add(q.type());
      sql.append(" AND type = $").append(params.size());
    }
    String column = switch (q.sortKey()) {
      case "updated_at" -> "updated_at";
      case "id" -> "id";
      case "status" -> "status";
      case "type" -> "type";
      case "expires_at" -> "expires_at";
      case "owner" -> "owner";
      default -> "created_at";
    };
    String op = q.ascending() ? ">" : "<";
    if (q.marker() != null) {
      Task m = q.marker();
      Object value = switch (column) {
        case "updated_at" -> odt(m.updatedAt());
        case "id" -> m.id();
        case "status" -> m.status().wireName();
        case "type" -> m.type();
        case "expires_at" -> odt(m.expiresAt());
        case "owner" -> m.owner();
        default -> odt(m.createdAt());
      };
      if (value == null || column.equals("id")) {
        params.add(m.id());
        sql.append(" AND id ").append(op).append(" $").append(params.size());
      } else {
        params.add(value);
        int v = params.size();
        params.add(m.id());
        sql.append(" AND (").append(column).append(' ').append(op).append(" $").append(v).append(" OR (")
            .append(column).append(" = $").append(v).append(" AND id ").append(op).append(" $").append(params.size())
            .append("))");
      }
    }
    String dir = q.ascending() ? " ASC" : " DESC";
    sql.append(" ORDER BY ").append(column).append(dir).append(column.equals("id") ? "" : ", id" + dir);
    params.add(q.limit());
    sql.append(" LIMIT $").append(params.size());
    return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(PgTaskRepository::all);
  }

  @Override
  public Future<List<Task>> ofImage(String imageId, String owner) {
    return pool.preparedQuery(TaskSql.OF_IMAGE).execute(Tuple.of(imageId, owner)).map(PgTaskRepository::all);
  }

  @Override
  public Future<List<Task>> orphaned(boolean ownToo, Duration silence) {
    return pool.preparedQuery(TaskSql.ORPHANED)
        .execute(Tuple.of(ownToo ? nodeId : null, odt(now().minus(silence))))
        .map(rows -> {
          List<Task> out = all(rows);
          return out;
        });
  }

  @Override
  public Future<Void> alive() {
    return pool.preparedQuery(TaskSql.ALIVE).execute(Tuple.of(nodeId, odt(now()))).mapEmpty();
  }

  @Override
  public Future<Integer> purgeExpired(Instant now) {
    return pool.preparedQuery(TaskSql.PURGE).execute(Tuple.of(odt(now))).map(RowSet::rowCount);
  }

  private static List<Task> all(RowSet<Row> rows) {
    List<Task> out = new ArrayList<>(rows.size());
    rows.forEach(row -> out.add(fromRow(row)));
    return out;
  }

  private static Optional<Task> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(fromRow(it.next())) : Optional.empty();
  }

  private static Task fromRow(Row row) {
    return new Task(row.getString(0), row.getString(1), TaskStatus.fromWire(row.getString(2)), row.getString(3),
        row.getString(4), row.getString(5), row.getString(6), map(row.getValue(7)), map(row.getValue(8)),
        row.getString(9), instant(row.getOffsetDateTime(10)), instant(row.getOffsetDateTime(11)),
        instant(row.getOffsetDateTime(12)));
  }

  private static Map<String, Object> map(Object value) {
    return value instanceof JsonObject json ? json.getMap() : null;
  }

  private static JsonObject json(Map<String, Object> map) {
    return map == null ? null : new JsonObject(map);
  }

  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  private static OffsetDateTime odt(Instant i) {
    return i == null ? null : i.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime odt) {
    return odt == null ? null : odt.toInstant();
  }
}
