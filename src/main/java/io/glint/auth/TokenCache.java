package io.glint.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Keystone's verdicts on tokens, kept so that a token is not validated on every request
 * (keystonemiddleware's {@code TokenCache}, in process). A valid token is kept until shortly before it expires
 * and at most {@code token_cache_time}; an invalid one for a few seconds; a validation that failed (Keystone
 * unreachable) not at all. While a token is being validated, every request bearing it waits for that one
 * validation. Bounded in size, shared by every event loop; each caller's future completes on its own event
 * loop.
 *
 * <p>A verdict is stored before anyone waiting for it is told, so that a caller's next request finds it.
 */
final class TokenCache {

  /** A valid token is dropped this long before it expires, so a cached token never outlives its validity. */
  static final Duration EXPIRY_MARGIN = Duration.ofSeconds(30);
  /** How long Keystone's "no" to a token is remembered (at most {@code token_cache_time}). */
  static final Duration INVALID_TIME = Duration.ofSeconds(10);

  private final Duration cacheTime;
  private final InstantSource clock;
  private final Cache<String, TokenCheck> verdicts;
  private final Map<String, Future<TokenCheck>> inFlight = new ConcurrentHashMap<>();

  /**
   * @param cacheTime at most how long a verdict is kept; zero or negative: nothing is kept, every request asks
   */
  TokenCache(int maximumSize, Duration cacheTime, InstantSource clock) {
    this.cacheTime = cacheTime;
    this.clock = clock;
    this.verdicts = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfter(new Lifetime())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .executor(Runnable::run)
        .build();
  }

  /**
   * The verdict on {@code token}: cached, being obtained by another request, or obtained now with
   * {@code validate}.
   */
  Future<TokenCheck> get(String token, Function<String, Future<TokenCheck>> validate) {
    if (cacheTime.isNegative() || cacheTime.isZero()) {
      return validate.apply(token);
    }
    TokenCheck known = verdicts.getIfPresent(token);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    Promise<TokenCheck> mine = Promise.promise();
    Future<TokenCheck> pending = inFlight.putIfAbsent(token, mine.future());
    if (pending == null) {
      known = verdicts.getIfPresent(token); // a validation may have ended between the two looks
      if (known != null) {
        inFlight.remove(token, mine.future());
        return Future.succeededFuture(known);
      }
      validate(token, validate, mine);
      pending = mine.future();
    }
    return onCallersContext(pending);
  }

  private void validate(String token, Function<String, Future<TokenCheck>> validate, Promise<TokenCheck> result) {
    Future<TokenCheck> answer;
    try {
      answer = validate.apply(token);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    answer.onComplete(ar -> {
      if (ar.succeeded() && lifetime(ar.result()) > 0) {
        verdicts.put(token, ar.result());
      }
      inFlight.remove(token, result.future());
      result.handle(ar);
    });
  }

  /** {@code pending} as seen from the calling event loop: its callbacks run there, not where Keystone answered. */
  private static <T> Future<T> onCallersContext(Future<T> pending) {
    Context caller = Vertx.currentContext();
    if (caller == null || pending.isComplete()) {
      return pending;
    }
    Promise<T> hop = Promise.promise();
    pending.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        hop.handle(ar);
      } else {
        caller.runOnContext(v -> hop.handle(ar));
      }
    });
    return hop.future();
  }

  /** How many verdicts are held. */
  long size() {
    return verdicts.estimatedSize();
  }

  /** Nanoseconds a verdict known now is kept; 0: not at all. */
  private long lifetime(TokenCheck check) {
    Duration keep = check instanceof TokenCheck.Valid valid
        ? Duration.between(clock.instant(), valid.token().expiresAt().minus(EXPIRY_MARGIN))
        : INVALID_TIME;
    if (keep.compareTo(cacheTime) > 0) {
      keep = cacheTime;
    }
    return keep.isNegative() ? 0 : keep.toNanos();
  }

  /** Verdicts are stored once, when Keystone's answer arrives: their lifetime counts from then. */
  private final class Lifetime implements Expiry<String, TokenCheck> {
    @Override
    public long expireAfterCreate(String token, TokenCheck check, long now) {
      return lifetime(check);
    }

    @Override
    public long expireAfterUpdate(String token, TokenCheck check, long now, long current) {
      return lifetime(check);
    }

    @Override
    public long expireAfterRead(String token, TokenCheck check, long now, long current) {
      return current;
    }
  }
}
