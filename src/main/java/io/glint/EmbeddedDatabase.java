package io.glint;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL Glint starts itself when no {@code [database] connection} is configured: real PostgreSQL
 * binaries, data kept under {@code <data_dir>/pg} across restarts, stopped when Glint stops. Durable commits
 * ({@code synchronous_commit=on}) so that a crash loses no committed image.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts (initialising on first use) the database under {@code directory}. Blocking; call before Vert.x. */
  public static EmbeddedDatabase start(Path directory, boolean durable) throws IOException {
    Files.createDirectories(directory);
    long t0 = System.nanoTime();
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(directory)
        .setCleanDataDirectory(false)
        .setServerConfig("synchronous_commit", durable ? "on" : "off")
        .setServerConfig("fsync", durable ? "on" : "off")
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .start();
    LOG.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {} ({} ms)", pg.getPort(), directory,
        (System.nanoTime() - t0) / 1_000_000);
    return new EmbeddedDatabase(pg);
  }

  /** Connection URI of the embedded server's {@code postgres} database. */
  public String uri() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    postgres.close();
    LOG.info("Embedded PostgreSQL stopped");
  }
}
