package io.glint.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Glint's own credentials at Keystone: keystoneauth's {@code password} plugin, as {@code [keystone_authtoken]}
 * gives them (user by id, or by name and domain; scope a project, a domain, the system, or none; the
 * {@code default_domain_*} options standing in for unset user and project domains). Turned into the body of
 * {@code POST /v3/auth/tokens}. The password never appears in {@link #toString()} or {@link #describe()}.
 */
public final class PasswordCredentials {

  /** The options, as read (null when unset). */
  public record Options(String userId, String userName, String password, String userDomainId,
      String userDomainName, String projectId, String projectName, String projectDomainId,
      String projectDomainName, String domainId, String domainName, String systemScope,
      String defaultDomainId, String defaultDomainName) {
    @Override
    public String toString() {
      return "PasswordCredentials.Options[user " + (userId != null ? userId : userName) + "]";
    }
  }

  private final JsonObject user;
  private final JsonObject scope;
  private final String description;

  private PasswordCredentials(JsonObject user, JsonObject scope, String description) {
    this.user = user;
    this.scope = scope;
    this.description = description;
  }

  /**
   * Checks and assembles the options.
   *
   * @param problems where what is missing or contradictory is reported (nothing is returned then)
   */
  public static PasswordCredentials of(Options o, List<String> problems) {
    List<String> found = new ArrayList<>();
    JsonObject user = new JsonObject();
    if (o.userId() != null) {
      user.put("id", o.userId());
    } else if (o.userName() != null) {
      user.put("name", o.userName());
      JsonObject domain = domain(first(o.userDomainId(), o.defaultDomainId()),
          first(o.userDomainName(), o.defaultDomainName()));
      if (domain == null) {
        found.add("[keystone_authtoken] username needs user_domain_name or user_domain_id (or default_domain_*)");
      } else {
        user.put("domain", domain);
      }
    } else {
      found.add("[keystone_authtoken] username (or user_id) is required in keystone mode");
    }
    if (o.password() == null) {
      found.add("[keystone_authtoken] password is required in keystone mode");
    } else {
      user.put("password", o.password());
    }

    JsonObject scope = null;
    String scopeText;
    int scopes = (o.projectId() != null || o.projectName() != null ? 1 : 0)
        + (o.domainId() != null || o.domainName() != null ? 1 : 0) + (o.systemScope() != null ? 1 : 0);
    if (scopes > 1) {
      found.add("[keystone_authtoken]: give one scope only (project_*, domain_* or system_scope)");
    }
    if (o.projectId() != null) {
      scope = new JsonObject().put("project", new JsonObject().put("id", o.projectId()));
      scopeText = "project " + o.projectId();
    } else if (o.projectName() != null) {
      JsonObject domain = domain(first(o.projectDomainId(), o.defaultDomainId()),
          first(o.projectDomainName(), o.defaultDomainName()));
      if (domain == null) {
        found.add("[keystone_authtoken] project_name needs project_domain_name or project_domain_id "
            + "(or default_domain_*)");
      }
      scope = new JsonObject().put("project", new JsonObject().put("name", o.projectName()).put("domain", domain));
      scopeText = "project " + o.projectName();
    } else if (o.domainId() != null || o.domainName() != null) {
      scope = new JsonObject().put("domain", domain(o.domainId(), o.domainName()));
      scopeText = "domain " + first(o.domainId(), o.domainName());
    } else if (o.systemScope() != null) {
      if (!o.systemScope().equals("all")) {
        found.add("[keystone_authtoken] system_scope must be 'all'");
      }
      scope = new JsonObject().put("system", new JsonObject().put("all", true));
      scopeText = "the system";
    } else {
      scopeText = "no scope";
    }
    problems.addAll(found);
    if (!found.isEmpty()) {
      return null;
    }
    String who = o.userId() != null ? "user id " + o.userId() : "user " + o.userName();
    return new PasswordCredentials(user, scope, who + ", " + scopeText);
  }

  /** The body of {@code POST /v3/auth/tokens} (holds the password: never log it). */
  public JsonObject authBody() {
    JsonObject identity = new JsonObject()
        .put("methods", new JsonArray().add("password"))
        .put("password", new JsonObject().put("user", user.copy()));
    JsonObject auth = new JsonObject().put("identity", identity);
    if (scope != null) {
      auth.put("scope", scope.copy());
    }
    return new JsonObject().put("auth", auth);
  }

  /** Who Glint authenticates as, for logs: user and scope, never the password. */
  public String describe() {
    return description;
  }

  @Override
  public String toString() {
    return "PasswordCredentials[" + description + "]";
  }

  private static JsonObject domain(String id, String name) {
    if (id != null) {
      return new JsonObject().put("id", id);
    }
    return name == null ? null : new JsonObject().put("name", name);
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }
}
