package io.glint.http;

import io.glint.auth.Authenticator;
import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/**
 * Route handler that authenticates the caller and stores the {@link RequestContext} on the routing context.
 * When the answer is not known at once (a token Keystone must be asked about), the request is paused until it
 * is, as Vert.x Web's authentication handlers do, so that no body byte is lost. A 401 names where to get a
 * token ({@code WWW-Authenticate}, as keystonemiddleware adds it).
 */
public final class AuthHandler {
  private static final String KEY = "glint.context";

  private final Authenticator authenticator;

  AuthHandler(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    SocketAddress peer = request.remoteAddress();
    boolean loopback = peer != null && isLoopback(peer.hostAddress());
    Future<RequestContext> caller = authenticator.authenticate(request::getHeader, loopback, RequestIds.get(ctx));
    if (caller.isComplete()) {
      proceed(ctx, caller);
      return;
    }
    boolean paused = !request.isEnded();
    if (paused) {
      request.pause();
    }
    caller.onComplete(ar -> {
      if (paused) {
        request.resume();
      }
      proceed(ctx, caller);
    });
  }

  private void proceed(RoutingContext ctx, Future<RequestContext> caller) {
    if (caller.succeeded()) {
      ctx.put(KEY, caller.result());
      ctx.next();
      return;
    }
    if (caller.cause() instanceof GlintException e && e.kind() == GlintException.Kind.UNAUTHORIZED
        && !ctx.response().headWritten()) {
      ctx.response().putHeader("WWW-Authenticate", authenticator.challenge());
    }
    ctx.fail(caller.cause());
  }

  public static RequestContext context(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  static boolean isLoopback(String address) {
    if (address == null) {
      return false;
    }
    return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1")
        || address.startsWith("::ffff:127.");
  }
}
