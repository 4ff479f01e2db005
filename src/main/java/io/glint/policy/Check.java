package io.glint.policy;

import io.glint.auth.RequestContext;
import io.glint.image.Image;
import io.glint.image.Visibility;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A compiled oslo.policy rule: the tree {@code oslo_policy/_checks.py} builds ({@code TrueCheck},
 * {@code FalseCheck}, {@code AndCheck}, {@code OrCheck}, {@code NotCheck}, {@code RuleCheck}, {@code RoleCheck},
 * {@code GenericCheck}), evaluated against the caller's credentials (oslo.context's {@code to_policy_values()},
 * read straight from the {@link RequestContext}) and the target (Glance's {@code ImageTarget}, read straight
 * from the {@link Target}). Everything is resolved when the rule is compiled: evaluating one does no parsing
 * and no map look-ups by name.
 *
 * <p>One deliberate difference from oslo.policy: a value that is absent or {@code None} on either side never
 * matches. oslo compares {@code str(None)}, so a caller without a project would match {@code
 * project_id:%(owner)s} on an image without owner.
 */
sealed interface Check {

  boolean test(RequestContext caller, Target target);

  /** The rule in oslo.policy's language, for messages and tests. */
  String text();

  Check ALWAYS = new Constant(true);
  Check NEVER = new Constant(false);

  /** {@code @} (and the empty rule) or {@code !}. */
  record Constant(boolean value) implements Check {
    @Override
    public boolean test(RequestContext caller, Target target) {
      return value;
    }

    @Override
    public String text() {
      return value ? "@" : "!";
    }
  }

  record And(List<Check> checks) implements Check {
    @Override
    public boolean test(RequestContext caller, Target target) {
      for (Check c : checks) {
        if (!c.test(caller, target)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String text() {
      return "(" + String.join(" and ", checks.stream().map(Check::text).toList()) + ")";
    }
  }

  record Or(List<Check> checks) implements Check {
    @Override
    public boolean test(RequestContext caller, Target target) {
      for (Check c : checks) {
        if (c.test(caller, target)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String text() {
      return "(" + String.join(" or ", checks.stream().map(Check::text).toList()) + ")";
    }
  }

  record Not(Check check) implements Check {
    @Override
    public boolean test(RequestContext caller, Target target) {
      return !check.test(caller, target);
    }

    @Override
    public String text() {
      return "not " + check.text();
    }
  }

  /**
   * {@code rule:name}: the named rule, linked once every rule is known. An undefined rule fails closed, as in
   * oslo.policy.
   */
  final class RuleRef implements Check {
    private final String name;
    private volatile Check resolved;

    RuleRef(String name) {
      this.name = name;
    }

    String name() {
      return name;
    }

    void link(Check rule) {
      this.resolved = rule;
    }

    Check resolved() {
      return resolved;
    }

    @Override
    public boolean test(RequestContext caller, Target target) {
      Check r = resolved;
      return r != null && r.test(caller, target);
    }

    @Override
    public String text() {
      return "rule:" + name;
    }
  }

  /** {@code role:name}: the caller holds the role (case-insensitive); the name may come from the target. */
  record Role(Template role) implements Check {
    @Override
    public boolean test(RequestContext caller, Target target) {
      String wanted = role.render(caller, target);
      if (wanted == null) {
        return false;
      }
      for (String r : Credentials.roles(caller)) {
        if (r.equalsIgnoreCase(wanted)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String text() {
      return "role:" + role.source();
    }
  }

  /**
   * {@code kind:match} for any other kind: {@code kind} is a Python literal ({@code 'public'}, {@code True},
   * {@code 42}) compared with the rendered match, or the name of a credential ({@code project_id},
   * {@code is_admin}, {@code system_scope}...) whose value (or any of whose values, for a list such as
   * {@code roles}) must equal it as Python's {@code str()} writes it.
   */
  record Generic(String kind, String literal, Credentials.Key credential, Template match) implements Check {
    @Override
    public boolean test(RequestContext caller, Target target) {
      String wanted = match.render(caller, target);
      if (wanted == null) {
        return false;
      }
      if (literal != null) {
        return literal.equals(wanted);
      }
      Object value = Credentials.value(credential, caller);
      if (value instanceof Collection<?> values) {
        for (Object v : values) {
          if (wanted.equals(Values.str(v))) {
            return true;
          }
        }
        return false;
      }
      return wanted.equals(Values.str(value));
    }

    @Override
    public String text() {
      return kind + ":" + match.source();
    }
  }

  /**
   * The right-hand side of a check, Python's {@code match % target}: literal text with {@code %(name)s}
   * substitutions from the target and {@code %%} for a percent sign. Renders null when a substituted attribute is
   * absent or None (the check then fails, as oslo's does on a missing key).
   */
  record Template(String source, List<Object> parts) {
    /** A part is a literal String or a {@link TargetAttribute}. */
    String render(RequestContext caller, Target target) {
      if (parts.size() == 1 && parts.get(0) instanceof String s) {
        return s;
      }
      StringBuilder sb = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof String s) {
          sb.append(s);
        } else {
          String v = Values.str(((TargetAttribute) part).value(caller, target));
          if (v == null) {
            return null;
          }
          sb.append(v);
        }
      }
      return sb.toString();
    }
  }

  /**
   * One attribute of the target, as Glance's {@code ImageTarget} maps it: {@code project_id} is the owner,
   * {@code member_id} the caller's project when it sees another project's shared image (Glance's
   * {@code image.member}), {@code id} the image id; other names are the image's fields, then its custom
   * properties.
   */
  record TargetAttribute(String name) {
    Object value(RequestContext caller, Target target) {
      switch (name) {
        case "project_id", "owner" -> {
          return target.owner();
        }
        case "visibility" -> {
          return target.visibility() == null ? null : target.visibility().wireName();
        }
        case "status" -> {
          return target.status() == null ? null : target.status().wireName();
        }
        case "member_id", "member" -> {
          String project = caller.projectId();
          return target.visibility() == Visibility.SHARED && project != null && !project.equals(target.owner())
              ? project : null;
        }
        default -> {
          return imageField(target.image());
        }
      }
    }

    private Object imageField(Image image) {
      if (image == null) {
        return null;
      }
      return switch (name) {
        case "id", "image_id" -> image.id();
        case "name" -> image.name();
        case "protected" -> image.isProtected();
        case "os_hidden" -> image.osHidden();
        case "checksum" -> image.checksum();
        case "os_hash_algo" -> image.osHashAlgo();
        case "os_hash_value" -> image.osHashValue();
        case "size" -> image.size();
        case "virtual_size" -> image.virtualSize();
        case "container_format" -> image.containerFormat();
        case "disk_format" -> image.diskFormat();
        case "min_disk" -> image.minDisk();
        case "min_ram" -> image.minRam();
        case "tags" -> List.copyOf(image.tags());
        default -> image.properties().get(name);
      };
    }
  }

  /** Python's {@code str()} of the values policy checks compare. */
  final class Values {
    private Values() {}

    static String str(Object v) {
      if (v == null) {
        return null;
      }
      if (v instanceof Boolean b) {
        return b ? "True" : "False";
      }
      if (v instanceof Collection<?> c) {
        StringBuilder sb = new StringBuilder("[");
        for (Object o : c) {
          if (sb.length() > 1) {
            sb.append(", ");
          }
          sb.append(o instanceof String s ? "'" + s + "'" : str(o));
        }
        return sb.append(']').toString();
      }
      return v.toString();
    }
  }

  /**
   * The caller's credentials as oslo.context's {@code to_policy_values()} gives them, plus {@code is_admin}
   * (the {@code context_is_admin} decision made when the request was authenticated) and {@code system} (which
   * oslo.policy copies from {@code system_scope}).
   */
  final class Credentials {
    private Credentials() {}

    enum Key {
      USER_ID("user_id"), PROJECT_ID("project_id"), USER_DOMAIN_ID("user_domain_id"),
      PROJECT_DOMAIN_ID("project_domain_id"), DOMAIN_ID("domain_id"), SYSTEM_SCOPE("system_scope"),
      SYSTEM("system"), ROLES("roles"), SERVICE_ROLES("service_roles"), IS_ADMIN("is_admin"),
      IS_ADMIN_PROJECT("is_admin_project"), SERVICE_USER_ID("service_user_id"),
      SERVICE_USER_DOMAIN_ID("service_user_domain_id"), SERVICE_PROJECT_ID("service_project_id"),
      SERVICE_PROJECT_DOMAIN_ID("service_project_domain_id"),
      /** A name oslo.context does not give: never matches. */
      UNKNOWN("");

      final String wireName;

      Key(String wireName) {
        this.wireName = wireName;
      }

      static Key of(String name) {
        for (Key k : values()) {
          if (k != UNKNOWN && k.wireName.equals(name)) {
            return k;
          }
        }
        return UNKNOWN;
      }
    }

    static Object value(Key key, RequestContext c) {
      return switch (key) {
        case USER_ID -> c.userId();
        case PROJECT_ID -> c.projectId();
        case USER_DOMAIN_ID -> c.userDomainId();
        case PROJECT_DOMAIN_ID -> c.projectDomainId();
        case SYSTEM_SCOPE, SYSTEM -> c.systemScope();
        case ROLES -> roles(c);
        case SERVICE_ROLES -> c.serviceRoles();
        case IS_ADMIN -> c.admin();
        case IS_ADMIN_PROJECT -> Boolean.TRUE;
        default -> null;
      };
    }

    /**
     * The caller's roles. The caller of the unauthenticated pipeline (an admin with no user, project or roles)
     * holds {@code admin}: Glint treats it as the administrator it is, where Glance's {@code role:admin} rules
     * would refuse it.
     */
    static Set<String> roles(RequestContext c) {
      if (c.admin() && c.roles().isEmpty() && c.userId() == null && c.projectId() == null && !c.readOnly()) {
        return ADMIN_ONLY;
      }
      return c.roles();
    }

    private static final Set<String> ADMIN_ONLY = Set.of("admin");
  }
}
