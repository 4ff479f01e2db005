package io.glint.auth;

import java.util.Set;

/**
 * Who is calling: the identity keystonemiddleware (or a trusted proxy) vouched for. Immutable and free of
 * HTTP types so that the domain, and the policy engine, can reason about it. The fields are those oslo.context
 * gives Glance's policy checks ({@code user_id}, {@code project_id}, {@code user_domain_id},
 * {@code project_domain_id}, {@code roles}, {@code system_scope}, {@code service_roles}).
 *
 * @param userId the user, or null (anonymous / unauthenticated pipeline)
 * @param projectId the project the token is scoped to ("owner" in Glance terms), or null
 * @param roles lower-cased role names
 * @param admin whether policy {@code context_is_admin} holds (role {@code admin}, or the no-auth pipeline)
 * @param readOnly anonymous access: every write is refused
 * @param requestId the {@code req-<uuid>} id of this request
 * @param userDomainId the user's domain, or null
 * @param projectDomainId the project's domain, or null
 * @param systemScope the system scope of the token ({@code "all"}), or null for a project-scoped token
 * @param serviceRoles lower-cased roles of the {@code X-Service-Token}, empty without one
 * @param token the caller's Keystone token and the image endpoints of its catalog (keystone mode only), or null
 */
public record RequestContext(
    String userId, String projectId, Set<String> roles, boolean admin, boolean readOnly, String requestId,
    String userDomainId, String projectDomainId, String systemScope, Set<String> serviceRoles, CallerToken token) {

  public RequestContext {
    roles = Set.copyOf(roles);
    serviceRoles = serviceRoles == null ? Set.of() : Set.copyOf(serviceRoles);
  }

  /** A caller without a Keystone token of its own (trusted headers, no-auth, tests). */
  public RequestContext(String userId, String projectId, Set<String> roles, boolean admin, boolean readOnly,
      String requestId, String userDomainId, String projectDomainId, String systemScope, Set<String> serviceRoles) {
    this(userId, projectId, roles, admin, readOnly, requestId, userDomainId, projectDomainId, systemScope,
        serviceRoles, null);
  }

  /** A project-scoped caller without domains, system scope or service token. */
  public RequestContext(String userId, String projectId, Set<String> roles, boolean admin, boolean readOnly,
      String requestId) {
    this(userId, projectId, roles, admin, readOnly, requestId, null, null, null, Set.of());
  }

  /** The context of Glance's unauthenticated pipeline: admin, no user, no project. */
  public static RequestContext unauthenticatedAdmin(String requestId) {
    return new RequestContext(null, null, Set.of(), true, false, requestId);
  }

  /** The read-only context given to anonymous callers when {@code allow_anonymous_access} is on. */
  public static RequestContext anonymous(String requestId) {
    return new RequestContext(null, null, Set.of(), false, true, requestId);
  }

  /** The same caller, with policy's {@code context_is_admin} decided as {@code isAdmin}. */
  public RequestContext withAdmin(boolean isAdmin) {
    return isAdmin == admin ? this : new RequestContext(userId, projectId, roles, isAdmin, readOnly, requestId,
        userDomainId, projectDomainId, systemScope, serviceRoles, token);
  }

  /** Glance's {@code context.owner}: the project id. */
  public String owner() {
    return projectId;
  }
}
