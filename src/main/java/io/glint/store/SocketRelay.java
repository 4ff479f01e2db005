package io.glint.store;

import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/**
 * A way for a store to hand its bytes to the client's socket directly, without passing them through the JVM
 * (the HTTP store's kernel splice). The consumer either relays ({@link #relayTo}) or reads the stream instead
 * ({@link #useStream}, then {@link #close} after).
 */
public interface SocketRelay {

  /** Whether the bytes can go straight to {@code client}'s socket. */
  boolean canRelayTo(HttpConnection client);

  /** Sends the response head and relays the body to {@code client}; completes when the last byte is sent. */
  Future<Void> relayTo(HttpServerResponse response, HttpConnection client);

  /** The consumer reads the stream instead of relaying. */
  void useStream();

  /** Gives the source up: its connection is closed. */
  void close();
}
