package io.glint.auth;

import io.glint.error.GlintException;
import io.vertx.core.Future;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the request context from the identity headers keystonemiddleware sets ({@code X-Identity-Status},
 * {@code X-Roles}, {@code X-Project-Id}/{@code X-Tenant-Id}, {@code X-User-Id}, the domain ids,
 * {@code OpenStack-System-Scope}, {@code X-Service-Roles}), as Glance's {@code ContextMiddleware} reads them
 * through oslo.context. For a Glint behind a proxy that has already authenticated the caller. Headers are
 * trusted only from loopback peers unless {@code trusted_header_any_host} is set: anything else could forge
 * them.
 */
public final class TrustedHeadersAuthenticator implements Authenticator {

  private final boolean allowAnonymous;
  private final boolean anyHost;

  public TrustedHeadersAuthenticator(boolean allowAnonymous, boolean anyHost) {
    this.allowAnonymous = allowAnonymous;
    this.anyHost = anyHost;
  }

  @Override
  public Future<RequestContext> authenticate(Function<String, String> header, boolean loopbackPeer, String requestId) {
    try {
      return Future.succeededFuture(context(header, loopbackPeer, requestId));
    } catch (GlintException e) {
      return Future.failedFuture(e);
    }
  }

  /** The context the headers describe; throws UNAUTHORIZED when they describe none. */
  public RequestContext context(Function<String, String> header, boolean loopbackPeer, String requestId) {
    if ("Confirmed".equals(header.apply("X-Identity-Status"))) {
      if (!anyHost && !loopbackPeer) {
        throw GlintException.unauthorized("Identity headers are only trusted from loopback clients; set "
            + "trusted_header_any_host = true when Glint runs behind an authenticating proxy.");
      }
      Set<String> roles = roles(first(header, "X-Roles", "X-Role"));
      return new RequestContext(
          first(header, "X-User-Id", "X-User"),
          first(header, "X-Project-Id", "X-Tenant-Id", "X-Tenant"),
          roles,
          roles.contains("admin"),
          false,
          requestId,
          first(header, "X-User-Domain-Id"),
          first(header, "X-Project-Domain-Id"),
          first(header, "OpenStack-System-Scope"),
          roles(first(header, "X-Service-Roles")));
    }
    if (allowAnonymous) {
      return RequestContext.anonymous(requestId);
    }
    throw GlintException.unauthorized(null);
  }

  private static String first(Function<String, String> header, String... names) {
    for (String name : names) {
      String value = header.apply(name);
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    return null;
  }

  /** A comma-separated role list, lower-cased as Glance does. */
  static Set<String> roles(String header) {
    Set<String> roles = new LinkedHashSet<>();
    if (header != null) {
      for (String role : header.split(",")) {
        String r = role.strip().toLowerCase(Locale.ROOT);
        if (!r.isEmpty()) {
          roles.add(r);
        }
      }
    }
    return roles;
  }
}
