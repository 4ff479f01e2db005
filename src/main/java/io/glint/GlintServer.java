package io.glint;

import io.glint.auth.TrustedHeadersAuthenticator;
import io.glint.config.GlintConfig;
import io.glint.http.ApiRouter;
import io.glint.http.ApiVerticle;
import io.glint.http.Versions;
import io.glint.image.ImageQueryParser;
import io.glint.image.ImageRules;
import io.glint.image.ImageService;
import io.glint.image.ImagesApi;
import io.glint.metadata.MetadataVerticle;
import io.glint.metadata.PgImageRepository;
import io.glint.policy.ImagePolicy;
import io.glint.schema.SchemasApi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Glint on a Vert.x instance: the metadata verticle (PostgreSQL pool, migrations) and one API
 * verticle per worker, wired from the configuration. Used by {@link Glint#main} and by the tests.
 */
public final class GlintServer {
  private static final Logger LOG = LoggerFactory.getLogger(GlintServer.class);

  private final Vertx vertx;
  private final MetadataVerticle metadata;
  private final int port;
  private final java.util.List<String> deployments;

  private GlintServer(Vertx vertx, MetadataVerticle metadata, int port, java.util.List<String> deployments) {
    this.vertx = vertx;
    this.metadata = metadata;
    this.port = port;
    this.deployments = deployments;
  }

  /** Deploys Glint on {@code vertx} against the PostgreSQL at {@code databaseUri}. */
  public static Future<GlintServer> deploy(Vertx vertx, GlintConfig config, String databaseUri) {
    int workers = config.workers();
    MetadataVerticle metadata = new MetadataVerticle(databaseUri, config.databaseMaxPoolSize(), workers);
    AtomicReference<ApiVerticle> first = new AtomicReference<>();
    java.util.List<String> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();
    return vertx.deployVerticle(metadata)
        .compose(id -> {
          deployments.add(id);
          ApiRouter.Parts parts = parts(config, metadata.images());
          HttpServerOptions options = new HttpServerOptions()
              .setHost(config.bindHost())
              .setPort(config.bindPort())
              .setMaxInitialLineLength(config.maxHeaderLine())
              .setMaxHeaderSize(config.maxHeaderLine() * 4)
              .setIdleTimeout(900)
              .setTcpNoDelay(true);
          return vertx.deployVerticle(() -> {
            ApiVerticle verticle = new ApiVerticle(options, v -> ApiRouter.create(v, parts));
            first.compareAndSet(null, verticle);
            return verticle;
          }, new DeploymentOptions().setInstances(workers));
        })
        .map(id -> {
          deployments.add(id);
          int port = first.get().actualPort();
          LOG.info("Glint listening on {}:{} with {} event-loop workers", config.bindHost(), port, workers);
          return new GlintServer(vertx, metadata, port, deployments);
        });
  }

  private static ApiRouter.Parts parts(GlintConfig config, PgImageRepository repository) {
    ImageRules rules = new ImageRules(config.containerFormats(), config.diskFormats(),
        config.imagePropertyQuota(), config.imageTagQuota());
    ImageService images = new ImageService(repository, new ImagePolicy(), rules);
    String publicEndpoint = config.publicEndpoint().orElse(null);
    return new ApiRouter.Parts(
        new TrustedHeadersAuthenticator(config.unauthenticated(), config.allowAnonymousAccess(),
            config.trustedHeaderAnyHost()),
        new ImagesApi(images, new ImageQueryParser(config.limitParamDefault(), config.apiLimitMax()), publicEndpoint),
        new SchemasApi(config.containerFormats(), config.diskFormats()),
        new Versions(false, false, publicEndpoint),
        config.maxRequestIdLength());
  }

  /** Stops this server: the API verticles first, then the metadata verticle (and its pool). */
  public Future<Void> undeploy() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain;
  }

  public int port() {
    return port;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The image repository (tests use it to reset the database). */
  public PgImageRepository images() {
    return metadata.images();
  }
}
