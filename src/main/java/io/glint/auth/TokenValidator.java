package io.glint.auth;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Keystone about a token, as keystonemiddleware's {@code IdentityServer.verify_token} does: with Glint's
 * own token, through the {@link TokenCache}. When Keystone rejects Glint's token (401), Glint authenticates
 * again and asks once more.
 */
final class TokenValidator {
  private static final Logger LOG = LoggerFactory.getLogger(TokenValidator.class);

  private final KeystoneSession session;
  private final IdentityClient client;
  private final TokenCache cache;

  TokenValidator(KeystoneSession session, IdentityClient client, TokenCache cache) {
    this.session = session;
    this.client = client;
    this.cache = cache;
  }

  /** Keystone's verdict on {@code token}, from the cache when known. */
  Future<TokenCheck> check(String token) {
    return cache.get(token, this::validate);
  }

  private Future<TokenCheck> validate(String token) {
    return session.token().compose(own -> client.check(own, token)
        .recover(e -> e instanceof IdentityClient.ServiceTokenRejected ? retry(own, token) : Future.failedFuture(e)));
  }

  /** Keystone refused Glint's own token: a new one, and the question once more. */
  private Future<TokenCheck> retry(ServiceToken rejected, String token) {
    session.invalidate(rejected);
    return session.token().compose(own -> client.check(own, token)).recover(e -> {
      if (e instanceof IdentityClient.ServiceTokenRejected) {
        LOG.warn("Keystone rejected Glint's own token twice while validating a token: treating that token as "
            + "invalid; check that Glint's user may validate tokens (the 'service' role)");
        return Future.succeededFuture(new TokenCheck.Invalid("Identity server rejected authorization"));
      }
      return Future.failedFuture(e);
    });
  }
}
