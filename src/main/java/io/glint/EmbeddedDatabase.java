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
  private final Process watchdog;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Process watchdog) {
    this.postgres = postgres;
    this.watchdog = watchdog;
  }

  /** Starts (initialising on first use) the database under {@code directory}. Blocking; call before Vert.x. */
  public static EmbeddedDatabase start(Path directory, boolean durable) throws IOException {
    Files.createDirectories(directory);
    long t0 = System.nanoTime();
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(directory)
        .setCleanDataDirectory(false)
        // Glint stops it itself, after the graceful shutdown: the library's own hook would stop it concurrently,
        // under the uploads still draining.
        .setRegisterShutdownHook(false)
        .setServerConfig("synchronous_commit", durable ? "on" : "off")
        .setServerConfig("fsync", durable ? "on" : "off")
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .start();
    LOG.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {} ({} ms)", pg.getPort(), directory,
        (System.nanoTime() - t0) / 1_000_000);
    return new EmbeddedDatabase(pg, startWatchdog(directory));
  }

  /**
   * A small shell process that outlives this JVM and stops the embedded PostgreSQL (fast shutdown) once the
   * JVM is gone however it went: killed with SIGKILL, or exiting on {@code -XX:+ExitOnOutOfMemoryError}, which
   * runs no shutdown hook. It checks once a second, ignores the terminal's Ctrl-C (the shutdown hook stops the
   * database then), and stops only a process that is the postmaster of this data directory. Without
   * {@code sh}, no watchdog (logged).
   */
  private static Process startWatchdog(Path directory) {
    String script = "trap '' INT HUP; "
        + "while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; "
        + "f=\"$2/postmaster.pid\"; [ -f \"$f\" ] || exit 0; "
        + "pid=$(sed -n 1p \"$f\"); dir=$(sed -n 2p \"$f\"); "
        + "[ \"$dir\" = \"$2\" ] && kill -0 \"$pid\" 2>/dev/null && kill -INT \"$pid\"";
    try {
      return new ProcessBuilder("sh", "-c", script, "glint-pg-watchdog", Long.toString(ProcessHandle.current().pid()),
          directory.toAbsolutePath().normalize().toString())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      LOG.warn("No watchdog for the embedded PostgreSQL (it may outlive a crashed Glint): {}", e.toString());
      return null;
    }
  }

  /** Connection URI of the embedded server's {@code postgres} database. */
  public String uri() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    postgres.close();
    if (watchdog != null) {
      watchdog.destroy();
    }
    LOG.info("Embedded PostgreSQL stopped");
  }
}
