package io.glint.auth;

import io.vertx.core.Future;
import java.util.function.Function;

/**
 * Glance's unauthenticated pipeline ({@code UnauthenticatedContextMiddleware}): every request is an admin with
 * no user and no project, whatever it sends.
 */
public final class NoAuthAuthenticator implements Authenticator {

  @Override
  public Future<RequestContext> authenticate(Function<String, String> header, boolean loopbackPeer, String requestId) {
    return Future.succeededFuture(RequestContext.unauthenticatedAdmin(requestId));
  }
}
