package io.glint.testing;

import io.glint.GlintServer;
import io.glint.config.GlintConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * Glint servers for tests, on random ports of 127.0.0.1, against the test database. The default server is
 * shared by every test class of the JVM; {@link #start(Map)} makes one with other settings.
 */
public final class TestServer implements AutoCloseable {
  private static final Vertx VERTX =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setPreferNativeTransport(true));
  private static TestServer shared;

  private final GlintServer server;
  private final String deploymentCloser;

  private TestServer(GlintServer server) {
    this.server = server;
    this.deploymentCloser = null;
  }

  public static synchronized TestServer shared() {
    if (shared == null) {
      BlockedThreadWatch.install();
      shared = start(Map.of());
    }
    return shared;
  }

  /** A new server with the given settings over the defaults ({@code option} or {@code section.option}). */
  public static TestServer start(Map<String, String> settings) {
    BlockedThreadWatch.install();
    Map<String, String> all = new HashMap<>();
    all.put("bind_host", "127.0.0.1");
    all.put("bind_port", "0");
    all.put("workers", "2");
    try {
      all.put("data_dir", java.nio.file.Files.createTempDirectory("glint-test-data").toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    all.putAll(settings);
    GlintConfig config = GlintConfig.of(all);
    GlintServer server = GlintServer.deploy(VERTX, config, TestDatabase.uri()).await();
    TestServer started = new TestServer(server);
    LIVE.add(started);
    return started;
  }

  public int port() {
    return server.port();
  }

  public String base() {
    return "http://127.0.0.1:" + port();
  }

  public GlintServer server() {
    return server;
  }

  /** The directory of the (default) file store; null when this server has no file store. */
  public java.nio.file.Path imageDirectory() {
    if (server.stores().defaultStore() instanceof io.glint.store.file.FileStore file) {
      return file.directory();
    }
    return server.stores().all().stream().filter(s -> s instanceof io.glint.store.file.FileStore)
        .map(s -> ((io.glint.store.file.FileStore) s).directory()).findFirst().orElse(null);
  }

  public static Vertx vertx() {
    return VERTX;
  }

  /**
   * Runs one SQL statement against the test database (for set-up the API cannot do yet, such as member rows),
   * returning the affected row count.
   */
  public static int execute(String sql, Object... params) {
    if (!ANNOUNCED.matcher(sql).lookingAt()) {
      return executeUnannounced(sql, params);
    }
    // A change to images or members: the database announces it to every node (their caches drop what it
    // touched). Wait until each running server has heard it, as a client on another machine would have by the
    // time it asked, so that a test's next request does not race the announcement.
    Map<TestServer, Long> before = new HashMap<>();
    LIVE.forEach(t -> before.put(t, t.server.images().generation()));
    int rows = executeUnannounced(sql, params);
    if (rows > 0) {
      long deadline = System.nanoTime() + 5_000_000_000L;
      for (Map.Entry<TestServer, Long> e : before.entrySet()) {
        while (e.getKey().server.images().generation() == e.getValue() && System.nanoTime() < deadline) {
          try {
            Thread.sleep(1);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return rows;
          }
        }
        if (e.getKey().server.images().generation() == e.getValue()) {
          // Not listening any more (a server a test stopped some other way): not waited for again.
          LIVE.remove(e.getKey());
          System.err.println("TestServer on port " + e.getKey().port() + " did not hear a change in 5 s; "
              + "no longer waited for");
        }
      }
    }
    return rows;
  }

  private static final java.util.regex.Pattern ANNOUNCED = java.util.regex.Pattern.compile(
      "\\s*(UPDATE|INSERT\\s+INTO|DELETE\\s+FROM)\\s+(images|image_members|image_locations)\\b",
      java.util.regex.Pattern.CASE_INSENSITIVE);
  private static final java.util.Set<TestServer> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** {@link #execute} without waiting for the servers to hear of the change (for a change nobody announces). */
  public static int executeUnannounced(String sql, Object... params) {
    synchronized (TestServer.class) {
      if (sqlPool == null) {
        sqlPool = io.vertx.pgclient.PgBuilder.pool()
            .connectingTo(io.vertx.pgclient.PgConnectOptions.fromUri(TestDatabase.uri()))
            .using(VERTX).build();
      }
    }
    return sqlPool.preparedQuery(sql).execute(io.vertx.sqlclient.Tuple.from(params)).await().rowCount();
  }

  private static io.vertx.sqlclient.Pool sqlPool;

  /** The first column of the first row of a query, as a string (null when there is no row). */
  public static String executeString(String sql, Object... params) {
    execute("SELECT 1");
    var rows = sqlPool.preparedQuery(sql).execute(io.vertx.sqlclient.Tuple.from(params)).await();
    var it = rows.iterator();
    return it.hasNext() ? String.valueOf(it.next().getValue(0)) : null;
  }

  /**
   * Empties the database and this server's caches (before and after: a read that overlapped the truncation may
   * have cached a row).
   */
  public void reset() {
    server.images().invalidateAll();
    execute("TRUNCATE image_locations, image_members, images, tasks, metadef_namespace_resource_types, "
        + "metadef_properties, metadef_objects, metadef_tags, metadef_namespaces, metadef_resource_types");
    server.images().invalidateAll();
    java.util.List<java.nio.file.Path> dirs = new java.util.ArrayList<>();
    if (imageDirectory() != null) {
      dirs.add(imageDirectory());
    }
    dirs.add(server.staging().directory());
    for (java.nio.file.Path dir : dirs) {
      try (var files = java.nio.file.Files.walk(dir)) {
        for (java.nio.file.Path p : files.filter(java.nio.file.Files::isRegularFile).toList()) {
          java.nio.file.Files.deleteIfExists(p);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Override
  /**
   * Undeploys the server, then checks that every upload gave its batch arrays back (a transfer that ends, however
   * it ends, leaves nothing held: a leak would shrink the pool all uploads share until uploads stall).
   */
  public void close() {
    LIVE.remove(this);
    server.undeploy().await();
    long deadline = System.currentTimeMillis() + 10_000;
    while (io.glint.transfer.UploadPump.batchesInUse() > 0 && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    int held = io.glint.transfer.UploadPump.batchesInUse();
    if (held > 0) {
      throw new AssertionError(held + " upload batch array(s) still held 10 s after the server stopped");
    }
  }
}
