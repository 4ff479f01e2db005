package io.glint.metadata;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the PostgreSQL pool: connects, applies the schema migrations, and hands out the repositories. The
 * pool's connections are spread over {@code eventLoops} event loops; results complete on the caller's context.
 */
public final class MetadataVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MetadataVerticle.class);

  private final String uri;
  private final int maxPoolSize;
  private final String nodeId;
  private final int eventLoops;
  private Pool pool;
  private PgMetadefRepository metadefs;
  private CachingImageRepository images;
  private io.glint.member.MemberRepository members;
  private PgTaskRepository tasks;
  private ImageChangeListener listener;

  public MetadataVerticle(String uri, int maxPoolSize, int eventLoops, String nodeId) {
    this.nodeId = nodeId;
    this.uri = uri;
    this.maxPoolSize = maxPoolSize;
    this.eventLoops = eventLoops;
  }

  @Override
  public Future<?> start() {
    PgConnectOptions connect = PgConnectOptions.fromUri(uri)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(1024)
        .setPipeliningLimit(256);
    connect.setMetricsName("glint-metadata");
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(maxPoolSize).setEventLoopSize(eventLoops).setName("glint-metadata"))
        .connectingTo(connect)
        .using(vertx)
        .build();
    return Migrations.apply(pool).compose(v -> {
      images = new CachingImageRepository(new PgImageRepository(pool, nodeId));
      members = new AnnouncingMemberRepository(new PgMemberRepository(pool), images::changed);
      tasks = new PgTaskRepository(pool, nodeId);
      metadefs = new PgMetadefRepository(pool);
      listener = new ImageChangeListener(vertx, connect, images::changedElsewhere);
      return listener.start();
    }).onSuccess(v -> LOG.info("Metadata store ready at {}:{}/{} (pool of {})", connect.getHost(),
        connect.getPort(), connect.getDatabase(), maxPoolSize));
  }

  @Override
  public Future<?> stop() {
    Future<Void> listening = listener == null ? Future.succeededFuture() : listener.stop();
    return listening.eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }

  /** A trivial query through the pool: the database is reachable (the detailed health check). */
  public io.vertx.core.Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /** Connections the pool holds now. */
  public int poolSize() {
    return pool == null ? 0 : pool.size();
  }

  public CachingImageRepository images() {
    return images;
  }

  public PgTaskRepository tasks() {
    return tasks;
  }

  public PgMetadefRepository metadefs() {
    return metadefs;
  }

  public io.glint.member.MemberRepository members() {
    return members;
  }
}
