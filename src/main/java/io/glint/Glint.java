package io.glint;

import ch.qos.logback.classic.Level;
import io.glint.auth.AuthStrategy;
import io.glint.config.ConfigException;
import io.glint.config.GlintConfig;
import io.glint.metrics.GlintMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glint's entry point: loads the configuration ({@code conf/glint.conf}, {@code GLINT_*} environment, flags),
 * starts an embedded PostgreSQL when no database is configured, and deploys the server. Stops cleanly on
 * SIGTERM/SIGINT.
 */
public final class Glint {
  private static final Logger LOG = LoggerFactory.getLogger(Glint.class);

  private Glint() {}

  public static void main(String[] args) {
    List<String> argList = Arrays.asList(args);
    if (!argList.isEmpty() && argList.get(0).equals("manage")) {
      System.exit(Manage.run(argList.subList(1, argList.size()), System.out, System.err));
      return;
    }
    if (GlintConfig.helpRequested(argList)) {
      System.out.println(GlintConfig.usage());
      return;
    }
    GlintConfig config;
    try {
      config = GlintConfig.load(argList, System.getenv());
      AuthStrategy.validate(config);
    } catch (ConfigException e) {
      System.err.println("glint: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    setLogLevel(config.logging().logLevel());
    if ("json".equals(config.get(io.glint.config.Options.LOG_FORMAT))) {
      jsonLogs();
    }
    reloadLogLevelOnHangup(argList);
    LOG.info("Starting Glint with {}", config.effective());
    try {
      run(config);
    } catch (Exception e) {
      LOG.error("Glint failed to start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }

  private static void run(GlintConfig config) throws Exception {
    long t0 = System.nanoTime();
    EmbeddedDatabase embedded = null;
    String uri;
    if (config.database().connection().isPresent()) {
      uri = config.database().connection().get();
    } else {
      embedded = EmbeddedDatabase.start(config.dataDir().resolve("pg"), true);
      uri = embedded.uri();
    }
    GlintMetrics metrics = config.get(io.glint.config.Options.METRICS_ENABLED) ? GlintMetrics.create()
        : GlintMetrics.disabled();
    Vertx vertx = metrics.vertx(new VertxOptions()
        .setEventLoopPoolSize(config.server().workers())
        .setPreferNativeTransport(!Boolean.getBoolean("glint.nio")));
    LOG.info("Network transport: {}", vertx.isNativeTransportEnabled() ? "native epoll" : "Java NIO");
    EmbeddedDatabase db = embedded;
    java.util.concurrent.atomic.AtomicReference<GlintServer> running = new java.util.concurrent.atomic.AtomicReference<>();
    java.time.Duration grace = java.time.Duration.ofSeconds(config.get(io.glint.config.Options.GRACEFUL_SHUTDOWN_TIMEOUT));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, running.get(), grace, db),
        "glint-shutdown"));
    running.set(GlintServer.deploy(vertx, config, uri, metrics)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
    LOG.info("Glint started in {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * The shutdown hook (SIGTERM, SIGINT, System.exit): the server drains for up to {@code graceful_shutdown_timeout}
   * ({@link GlintServer#shutdown}), then Vert.x closes, then the embedded database stops: last, so that the uploads
   * cut at the deadline can still put their images back to queued.
   */
  private static void shutdown(Vertx vertx, GlintServer server, java.time.Duration grace, EmbeddedDatabase db) {
    LOG.info("Glint stopping");
    if (server != null) {
      try {
        server.shutdown(grace).toCompletionStage().toCompletableFuture()
            .get(grace.toSeconds() + GlintServer.CLEANUP_WAIT.toSeconds() + 30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("Graceful shutdown did not complete: {}", e.toString());
      }
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (db != null) {
      try {
        db.close();
      } catch (Exception e) {
        LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.toString());
      }
    }
  }

  /** {@code log_format = json}: one JSON object per line (logback's JsonEncoder, key-value pairs included). */
  private static void jsonLogs() {
    ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        (ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>) root.getAppender("STDOUT");
    if (appender == null) {
      return;
    }
    ch.qos.logback.classic.encoder.JsonEncoder encoder = new ch.qos.logback.classic.encoder.JsonEncoder();
    encoder.setContext(context);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    appender.stop();
    appender.setEncoder(encoder);
    appender.start();
  }

  /**
   * SIGHUP re-reads the configuration (files, environment, flags as at start) and applies its {@code debug} and
   * {@code log_level}; other options need a restart. A file that no longer parses leaves the level as it was.
   */
  private static void reloadLogLevelOnHangup(List<String> args) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
        try {
          GlintConfig reloaded = GlintConfig.load(args, System.getenv());
          setLogLevel(reloaded.logging().logLevel());
          LOG.warn("SIGHUP: configuration re-read, log level now {}", reloaded.logging().logLevel());
        } catch (RuntimeException e) {
          LOG.warn("SIGHUP: configuration not re-read, log level unchanged: {}", e.getMessage());
        }
      });
    } catch (IllegalArgumentException unsupported) {
      LOG.debug("No SIGHUP handling here: {}", unsupported.getMessage());
    }
  }

  private static void setLogLevel(String level) {
    ch.qos.logback.classic.Logger glint =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.glint");
    glint.setLevel(Level.toLevel(level, Level.INFO));
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("glint.access")).setLevel(Level.toLevel(level, Level.INFO));
  }
}
