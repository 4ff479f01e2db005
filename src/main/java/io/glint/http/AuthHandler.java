package io.glint.http;

import io.glint.auth.RequestContext;
import io.glint.auth.TrustedHeadersAuthenticator;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/** Route handler that authenticates the caller and stores the {@link RequestContext} on the routing context. */
public final class AuthHandler {
  private static final String KEY = "glint.context";

  private final TrustedHeadersAuthenticator authenticator;

  AuthHandler(TrustedHeadersAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  void handle(RoutingContext ctx) {
    SocketAddress peer = ctx.request().remoteAddress();
    boolean loopback = peer != null && isLoopback(peer.hostAddress());
    ctx.put(KEY, authenticator.authenticate(ctx.request()::getHeader, loopback, RequestIds.get(ctx)));
    ctx.next();
  }

  public static RequestContext context(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  private static boolean isLoopback(String address) {
    if (address == null) {
      return false;
    }
    return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1")
        || address.startsWith("::ffff:127.");
  }
}
