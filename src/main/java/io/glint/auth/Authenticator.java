package io.glint.auth;

import io.vertx.core.Future;
import java.util.function.Function;

/**
 * Decides who is calling, from a request's headers: the one seam between the HTTP layer and the way Glint
 * authenticates (Keystone tokens, trusted identity headers, or no authentication), chosen once at start-up by
 * {@link AuthStrategy}.
 */
public interface Authenticator {

  /**
   * The caller's context, or a failed future: {@code GlintException} UNAUTHORIZED (401) when the caller must
   * authenticate, UNAVAILABLE (503) when the identity service cannot tell.
   *
   * @param header reads one request header (null when absent)
   * @param loopbackPeer whether the TCP peer is a loopback address
   * @param requestId the request's {@code req-<uuid>}
   */
  Future<RequestContext> authenticate(Function<String, String> header, boolean loopbackPeer, String requestId);

  /** The {@code WWW-Authenticate} value sent with 401 answers: where to get a token. */
  default String challenge() {
    return "Keystone uri=\"\"";
  }

  /** Releases what the authenticator holds (connections, timers). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
