package io.glint.auth;

import io.vertx.core.Future;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides policy's {@code context_is_admin} for each caller another authenticator vouched for, as Glance's
 * {@code RequestContext} asks {@code check_is_admin} once per request: an operator's policy file may name other
 * roles than {@code admin}.
 */
final class AdminByPolicy implements Authenticator {
  private final Authenticator identity;
  private final Predicate<RequestContext> isAdmin;

  AdminByPolicy(Authenticator identity, Predicate<RequestContext> isAdmin) {
    this.identity = identity;
    this.isAdmin = isAdmin;
  }

  @Override
  public Future<RequestContext> authenticate(Function<String, String> header, boolean loopbackPeer, String requestId) {
    return identity.authenticate(header, loopbackPeer, requestId)
        .map(caller -> caller.readOnly() ? caller : caller.withAdmin(isAdmin.test(caller)));
  }

  @Override
  public String challenge() {
    return identity.challenge();
  }

  @Override
  public Future<Void> close() {
    return identity.close();
  }
}
