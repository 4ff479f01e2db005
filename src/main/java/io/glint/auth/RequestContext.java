package io.glint.auth;

import java.util.Set;

/**
 * Who is calling: the identity keystonemiddleware (or a trusted proxy) vouched for. Immutable and free of
 * HTTP types so that the domain can reason about it.
 *
 * @param userId the user, or null (anonymous / unauthenticated pipeline)
 * @param projectId the project the token is scoped to ("owner" in Glance terms), or null
 * @param roles lower-cased role names
 * @param admin whether policy {@code context_is_admin} holds (role {@code admin}, or the no-auth pipeline)
 * @param readOnly anonymous access: every write is refused
 * @param requestId the {@code req-<uuid>} id of this request
 */
public record RequestContext(
    String userId, String projectId, Set<String> roles, boolean admin, boolean readOnly, String requestId) {

  public RequestContext {
    roles = Set.copyOf(roles);
  }

  /** The context of Glance's unauthenticated pipeline: admin, no user, no project. */
  public static RequestContext unauthenticatedAdmin(String requestId) {
    return new RequestContext(null, null, Set.of(), true, false, requestId);
  }

  /** The read-only context given to anonymous callers when {@code allow_anonymous_access} is on. */
  public static RequestContext anonymous(String requestId) {
    return new RequestContext(null, null, Set.of(), false, true, requestId);
  }

  /** Glance's {@code context.owner}: the project id. */
  public String owner() {
    return projectId;
  }
}
