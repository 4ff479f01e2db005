package io.glint.testing;

import io.glint.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One PostgreSQL per test JVM: the embedded one (real PostgreSQL binaries, fsync off for speed) in a temporary
 * directory, or an external server when {@code -Dpg.uri=postgresql://...} is given.
 */
public final class TestDatabase {
  private static String uri;

  private TestDatabase() {}

  public static synchronized String uri() {
    if (uri == null) {
      String external = System.getProperty("pg.uri");
      if (external != null && !external.isBlank()) {
        uri = external;
      } else {
        try {
          Path dir = Files.createTempDirectory("glint-test-pg");
          EmbeddedDatabase db = EmbeddedDatabase.start(dir, false);
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
              db.close();
            } catch (Exception ignored) {
              // the JVM is going away
            }
          }));
          uri = db.uri();
        } catch (Exception e) {
          throw new IllegalStateException("Cannot start the embedded PostgreSQL for tests", e);
        }
      }
    }
    return uri;
  }
}
