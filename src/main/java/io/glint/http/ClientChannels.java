package io.glint.http;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;

/**
 * The Netty channel under a Vert.x HTTP connection, for the few places that write to a socket beneath Vert.x's
 * HTTP layer (kernel splice, {@code sendfile} of a growing cache file). It uses Vert.x's internal accessor: should
 * that change, {@link #of} answers null and those places fall back to Vert.x's streams.
 */
public final class ClientChannels {
  private ClientChannels() {}

  /** The connection's channel, or null when Vert.x's internals are not as expected. */
  public static Channel of(HttpConnection connection) {
    try {
      return connection instanceof io.vertx.core.net.impl.ConnectionBase base ? base.channel() : null;
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }
}
