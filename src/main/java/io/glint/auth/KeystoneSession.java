package io.glint.auth;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glint's own token, as keystoneauth's session keeps it for keystonemiddleware: obtained at start-up,
 * renewed in the background before it expires (a timer, and any use after {@link ServiceToken#renewAt()}), so
 * that requests do not wait for it; only when there is no usable token at all does a request wait for one.
 * One authentication at a time, whatever the number of callers. Thread-safe: every event loop uses it.
 */
final class KeystoneSession {
  private static final Logger LOG = LoggerFactory.getLogger(KeystoneSession.class);

  private final Vertx vertx;
  private final IdentityClient client;
  private final InstantSource clock;
  private ServiceToken current;
  private Future<ServiceToken> renewing;
  private long timer = -1;
  private boolean closed;
  private boolean announced;

  KeystoneSession(Vertx vertx, IdentityClient client, InstantSource clock) {
    this.vertx = vertx;
    this.client = client;
    this.clock = clock;
  }

  /** Authenticates now, so that the first request finds a token (a failure is logged, and retried on use). */
  void start() {
    renew();
  }

  /** A token to send: the current one while usable (renewal started in the background when due), else a new one. */
  synchronized Future<ServiceToken> token() {
    Instant now = clock.instant();
    if (current != null && current.usableAt(now)) {
      if (!now.isBefore(current.renewAt())) {
        renew();
      }
      return Future.succeededFuture(current);
    }
    return renew();
  }

  /** Keystone no longer accepts {@code rejected}: the next {@link #token()} authenticates again. */
  synchronized void invalidate(ServiceToken rejected) {
    if (current == rejected) {
      current = null;
    }
  }

  synchronized void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private synchronized Future<ServiceToken> renew() {
    if (renewing != null) {
      return renewing;
    }
    Future<ServiceToken> issued = client.issue();
    renewing = issued;
    issued.onComplete(ar -> renewed(issued, ar));
    return issued;
  }

  private synchronized void renewed(Future<ServiceToken> issued, AsyncResult<ServiceToken> ar) {
    if (renewing == issued) {
      renewing = null;
    }
    if (ar.failed() || closed) {
      return;
    }
    current = ar.result();
    if (!announced) {
      LOG.info("Glint authenticated to Keystone as {}; validating tokens at {}", client.describeCredentials(),
          current.identityEndpoint());
      announced = true;
    }
    LOG.debug("Glint's own token renewed, expires {}", current.expiresAt());
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    long delay = Math.max(1000, Duration.between(clock.instant(), current.renewAt()).toMillis());
    timer = vertx.setTimer(delay, t -> {
      synchronized (this) {
        timer = -1;
      }
      renew();
    });
  }
}
