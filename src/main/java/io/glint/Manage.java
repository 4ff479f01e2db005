package io.glint;

import io.glint.config.ConfigException;
import io.glint.config.GlintConfig;
import io.glint.metadata.Migrations;
import io.glint.metadata.PgMetadefRepository;
import io.glint.metadef.MetadefCatalog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator commands, after {@code glance-manage}: {@code manage db load_metadefs --path DIR [--merge]
 * [--prefer_new] [--overwrite]}, {@code manage db export_metadefs --path DIR} and {@code manage db
 * unload_metadefs}. Glint's configuration options (config file, {@code --connection}, ...) follow as for the
 * server; without a database connection the embedded PostgreSQL of {@code data_dir} is used (the server must
 * then be stopped). Migrations are applied first. Exit status 0 on success, 1 on failure (a bad definition file
 * is named and nothing is loaded), 2 on a usage error.
 */
public final class Manage {
  static final String USAGE = """
      usage: glint manage db load_metadefs --path DIR [--merge] [--prefer_new] [--overwrite] [glint options]
             glint manage db export_metadefs --path DIR [glint options]
             glint manage db unload_metadefs [glint options]""";

  private Manage() {}

  /** Runs a command; {@code args} start after {@code manage}. Returns the exit status. */
  public static int run(List<String> args, java.io.PrintStream out, java.io.PrintStream err) {
    if (args.size() < 2 || !args.get(0).equals("db")) {
      err.println(USAGE);
      return 2;
    }
    String command = args.get(1);
    Path path = null;
    boolean merge = false;
    boolean preferNew = false;
    boolean overwrite = false;
    List<String> rest = new ArrayList<>();
    for (int i = 2; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--path" -> {
          if (i + 1 >= args.size()) {
            err.println(USAGE);
            return 2;
          }
          path = Path.of(args.get(++i));
        }
        case "--merge" -> merge = true;
        case "--prefer_new" -> preferNew = true;
        case "--overwrite" -> overwrite = true;
        default -> {
          if (a.startsWith("--path=")) {
            path = Path.of(a.substring("--path=".length()));
          } else {
            rest.add(a);
          }
        }
      }
    }
    boolean needsPath = command.equals("load_metadefs") || command.equals("export_metadefs");
    if (!needsPath && !command.equals("unload_metadefs") || needsPath && path == null) {
      err.println(USAGE);
      return 2;
    }
    GlintConfig config;
    try {
      config = GlintConfig.load(rest, System.getenv());
    } catch (ConfigException e) {
      err.println("glint: configuration error: " + e.getMessage());
      return 2;
    }
    EmbeddedDatabase embedded = null;
    Vertx vertx = Vertx.vertx();
    try {
      String uri;
      if (config.database().connection().isPresent()) {
        uri = config.database().connection().get();
      } else {
        embedded = EmbeddedDatabase.start(config.dataDir().resolve("pg"), true);
        uri = embedded.uri();
      }
      Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(uri)).using(vertx).build();
      MetadefCatalog catalog = new MetadefCatalog(new PgMetadefRepository(pool));
      Path dir = path;
      boolean m = merge;
      boolean p = preferNew;
      boolean o = overwrite;
      Future<String> done = Migrations.apply(pool).compose(v -> switch (command) {
        case "load_metadefs" -> catalog.load(dir, m, p, o)
            .map(names -> "Loaded " + names.size() + " namespace file(s) from " + dir);
        case "export_metadefs" -> catalog.export(dir)
            .map(files -> "Exported " + files.size() + " namespace(s) to " + dir);
        default -> catalog.unload().map(x -> "Unloaded every metadata definition");
      }).eventually(pool::close);
      out.println(done.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS));
      return 0;
    } catch (java.util.concurrent.ExecutionException e) {
      err.println("glint: " + command + " failed: " + e.getCause().getMessage());
      return 1;
    } catch (Exception e) {
      err.println("glint: " + command + " failed: " + e.getMessage());
      return 1;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (embedded != null) {
          embedded.close();
        }
      } catch (Exception e) {
        err.println("glint: did not stop cleanly: " + e);
      }
    }
  }
}
