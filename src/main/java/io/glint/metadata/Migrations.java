package io.glint.metadata;

import io.glint.Resources;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema files listed in {@code db/migrations.list}, each once and in order, in one
 * transaction under an advisory lock so that several Glint nodes starting together do not race.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final long LOCK_KEY = 0x676c696e74L; // "glint"

  private Migrations() {}

  public static Future<Void> apply(Pool pool) {
    List<String> files = listed();
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        .compose(r -> conn.query("SELECT to_regclass('glint_schema_version') IS NOT NULL").execute())
        .compose(exists -> exists.iterator().next().getBoolean(0)
            ? Future.succeededFuture()
            : conn.query("""
                CREATE TABLE glint_schema_version (
                  version varchar(255) PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())""").execute())
        .compose(r -> conn.query("SELECT version FROM glint_schema_version").execute())
        .compose(rows -> {
          Set<String> applied = new HashSet<>();
          rows.forEach(row -> applied.add(row.getString(0)));
          Future<Void> chain = Future.succeededFuture();
          for (String file : files) {
            if (!applied.contains(file)) {
              chain = chain.compose(v -> applyOne(conn, file));
            }
          }
          return chain;
        }));
  }

  private static Future<Void> applyOne(SqlConnection conn, String file) {
    LOG.info("Applying schema migration {}", file);
    return conn.query(Resources.text("db/" + file)).execute()
        .compose(r -> conn.preparedQuery("INSERT INTO glint_schema_version (version) VALUES ($1)")
            .execute(Tuple.of(file)))
        .mapEmpty();
  }

  private static List<String> listed() {
    List<String> files = new ArrayList<>();
    for (String line : Resources.text("db/migrations.list").split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        files.add(line.strip());
      }
    }
    return files;
  }
}
