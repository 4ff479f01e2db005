package io.glint.metadata;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's {@code glint_image_changed} channel (fed by the triggers of
 * {@code V002__image_change_notify.sql}) and hands each changed image id to the caches, so that a change made
 * through any node, or straight in the database, is seen at once by every node. The listening connection
 * reconnects by itself; each (re)subscription clears the caches, since notifications sent while it was down are
 * lost (the caches' short time-to-live bounds staleness meanwhile).
 */
final class ImageChangeListener {
  static final String CHANNEL = "glint_image_changed";
  private static final Logger LOG = LoggerFactory.getLogger(ImageChangeListener.class);

  private final PgSubscriber subscriber;

  /**
   * @param changed called with an image id, or {@code "*"} for "everything may have changed"
   */
  ImageChangeListener(Vertx vertx, PgConnectOptions connect, Consumer<String> changed) {
    PgConnectOptions options = new PgConnectOptions(connect).setPipeliningLimit(1);
    // Its own name in the SQL client metrics, apart from the pool's queries.
    options.setMetricsName("glint-change-listener");
    this.subscriber = PgSubscriber.subscriber(vertx, options)
        .reconnectPolicy(attempt -> 1_000L);
    subscriber.closeHandler(v -> LOG.debug("Image-change listener connection closed"));
    subscriber.channel(CHANNEL)
        .subscribeHandler(v -> {
          LOG.debug("Listening for image changes");
          changed.accept("*");
        })
        .handler(changed::accept);
  }

  /** Connects; a failure is logged, not fatal (the caches then rely on their time-to-live). */
  Future<Void> start() {
    return subscriber.connect().recover(e -> {
      LOG.warn("Cannot listen for image changes ({}); other nodes' changes will show within the cache TTL",
          e.toString());
      return Future.succeededFuture();
    });
  }

  Future<Void> stop() {
    return subscriber.close();
  }
}
