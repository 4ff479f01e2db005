package io.glint.auth;

import io.glint.error.GlintException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Builds the request context from the identity headers keystonemiddleware sets ({@code X-Identity-Status},
 * {@code X-Roles}, {@code X-Project-Id}/{@code X-Tenant-Id}, {@code X-User-Id}…), as Glance's
 * {@code ContextMiddleware} does. Headers are trusted only from loopback peers unless
 * {@code trusted_header_any_host} is set: anything else could forge them. Keystone token validation will sit
 * in front of this as another authenticator.
 */
public final class TrustedHeadersAuthenticator {

  private final boolean unauthenticatedPipeline;
  private final boolean allowAnonymous;
  private final boolean anyHost;
  private final Predicate<RequestContext> isAdmin;

  /** With Glance's default {@code context_is_admin}: the {@code admin} role. */
  public TrustedHeadersAuthenticator(boolean unauthenticatedPipeline, boolean allowAnonymous, boolean anyHost) {
    this(unauthenticatedPipeline, allowAnonymous, anyHost, ctx -> ctx.roles().contains("admin"));
  }

  /**
   * @param isAdmin policy {@code context_is_admin}, asked of each authenticated caller (as Glance's
   *     {@code RequestContext} asks {@code check_is_admin})
   */
  public TrustedHeadersAuthenticator(boolean unauthenticatedPipeline, boolean allowAnonymous, boolean anyHost,
      Predicate<RequestContext> isAdmin) {
    this.unauthenticatedPipeline = unauthenticatedPipeline;
    this.allowAnonymous = allowAnonymous;
    this.anyHost = anyHost;
    this.isAdmin = isAdmin;
  }

  /**
   * @param header reads one request header (null when absent)
   * @param loopbackPeer whether the TCP peer is a loopback address
   */
  public RequestContext authenticate(Function<String, String> header, boolean loopbackPeer, String requestId) {
    if (unauthenticatedPipeline) {
      return RequestContext.unauthenticatedAdmin(requestId);
    }
    if ("Confirmed".equals(header.apply("X-Identity-Status"))) {
      if (!anyHost && !loopbackPeer) {
        throw GlintException.unauthorized("Identity headers are only trusted from loopback clients; set "
            + "trusted_header_any_host = true when Glint runs behind an authenticating proxy.");
      }
      Set<String> roles = roles(first(header, "X-Roles", "X-Role"));
      RequestContext caller = new RequestContext(
          first(header, "X-User-Id", "X-User"),
          first(header, "X-Project-Id", "X-Tenant-Id", "X-Tenant"),
          roles,
          false,
          false,
          requestId);
      return isAdmin.test(caller) ? new RequestContext(caller.userId(), caller.projectId(), roles, true, false,
          requestId) : caller;
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

  private static Set<String> roles(String header) {
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
