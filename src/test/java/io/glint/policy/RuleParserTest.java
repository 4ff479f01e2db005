package io.glint.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.auth.RequestContext;
import io.glint.image.Image;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** oslo.policy's rule language: what compiles to what, how it evaluates, and what is refused at start-up. */
@DisplayName("RuleParser: oslo.policy's rule language")
class RuleParserTest {
  private static final RequestContext MEMBER = caller("project-a", Set.of("member", "reader"));
  private static final RequestContext READER = caller("project-a", Set.of("reader"));
  private static final RequestContext OTHER = caller("project-b", Set.of("member", "reader"));
  private static final RequestContext ADMIN = new RequestContext("u", "project-x", Set.of("admin"), true, false, "r");
  private static final RequestContext SYSTEM = new RequestContext("u", null, Set.of("admin"), true, false, "r", "d",
      null, "all", Set.of());
  private static final RequestContext NO_PROJECT = caller(null, Set.of("member"));
  private static final Target IMAGE = Target.of(image("project-a", Visibility.PRIVATE, Map.of("hw_arch", "x86_64")));

  private static RequestContext caller(String project, Set<String> roles) {
    return new RequestContext("user-1", project, roles, false, false, "req");
  }

  private static Image image(String owner, Visibility visibility, Map<String, String> properties) {
    Instant now = Instant.now();
    return new Image("img-1", "cirros", ImageStatus.ACTIVE, visibility, true, false, null, null, null, owner, 10L,
        null, "bare", "raw", 0, 0, now, now, properties, Set.of("t1"));
  }

  private static boolean eval(String rule, RequestContext caller, Target target) {
    return RuleParser.parse(rule).test(caller, target);
  }

  @Test
  @DisplayName("@, ! and the empty rule")
  void constants() {
    assertTrue(eval("", OTHER, IMAGE));
    assertTrue(eval("@", OTHER, IMAGE));
    assertFalse(eval("!", ADMIN, IMAGE));
    assertFalse(eval("not @", ADMIN, IMAGE));
  }

  @Test
  @DisplayName("role: is case-insensitive; the role may come from the target")
  void roles() {
    assertTrue(eval("role:member", MEMBER, IMAGE));
    assertTrue(eval("role:Member", MEMBER, IMAGE));
    assertFalse(eval("role:admin", MEMBER, IMAGE));
    assertTrue(eval("role:x86_64", caller("p", Set.of("x86_64")), IMAGE));
    assertTrue(eval("role:%(hw_arch)s", caller("p", Set.of("x86_64")), IMAGE));
    assertFalse(eval("role:%(missing)s", MEMBER, IMAGE), "a missing target key denies");
  }

  @Test
  @DisplayName("credential:%(target)s compares as Python's str(); None never matches")
  void genericTargetMatches() {
    assertTrue(eval("project_id:%(project_id)s", MEMBER, IMAGE));
    assertTrue(eval("project_id:%(owner)s", MEMBER, IMAGE));
    assertFalse(eval("project_id:%(project_id)s", OTHER, IMAGE));
    assertFalse(eval("project_id:%(project_id)s", NO_PROJECT, Target.newImage(null, Visibility.PRIVATE)),
        "no project and no owner: oslo would compare 'None' with 'None'");
    assertTrue(eval("user_id:user-1", MEMBER, IMAGE));
    assertFalse(eval("user_id:user-%(missing)s", MEMBER, IMAGE));
    assertTrue(eval("roles:reader", READER, IMAGE), "a list credential matches any of its values");
    assertTrue(eval("is_admin:True", ADMIN, IMAGE));
    assertFalse(eval("is_admin:True", MEMBER, IMAGE));
    assertTrue(eval("is_admin:False", MEMBER, IMAGE));
    assertTrue(eval("system_scope:all", SYSTEM, IMAGE));
    assertFalse(eval("system_scope:all", ADMIN, IMAGE));
    assertFalse(eval("token.user.name:x", MEMBER, IMAGE), "credentials oslo.context does not give never match");
  }

  @Test
  @DisplayName("'literal':%(target)s, True:%(flag)s and numbers: the literal is compared with the target")
  void literals() {
    assertFalse(eval("'public':%(visibility)s", MEMBER, IMAGE));
    assertTrue(eval("'private':%(visibility)s", MEMBER, IMAGE));
    assertTrue(eval("\"private\":%(visibility)s", MEMBER, IMAGE));
    assertTrue(eval("True:%(protected)s", MEMBER, IMAGE));
    assertTrue(eval("False:%(os_hidden)s", MEMBER, IMAGE));
    assertTrue(eval("10:%(size)s", MEMBER, IMAGE));
    assertTrue(eval("'x86_64':%(hw_arch)s", MEMBER, IMAGE), "custom properties are target attributes");
    assertTrue(eval("'img-1':%(id)s", MEMBER, IMAGE));
    assertTrue(eval("'active':%(status)s", MEMBER, IMAGE));
    assertTrue(eval("'50%':50%%", MEMBER, IMAGE), "%% is a percent sign");
  }

  @Test
  @DisplayName("member_id is the caller's project when it sees another project's shared image (Glance's image.member)")
  void memberId() {
    Target shared = Target.of(image("project-a", Visibility.SHARED, Map.of()));
    assertTrue(eval("project_id:%(member_id)s", OTHER, shared));
    assertFalse(eval("project_id:%(member_id)s", MEMBER, shared), "not for the owner");
    assertFalse(eval("project_id:%(member_id)s", OTHER, IMAGE), "not for a private image");
  }

  @Test
  @DisplayName("not binds tightest, then and, then or; parentheses group; keywords in any case")
  void precedence() {
    assertTrue(eval("role:admin or role:member and project_id:%(project_id)s", MEMBER, IMAGE));
    assertFalse(eval("role:admin or role:member and project_id:%(project_id)s", OTHER, IMAGE));
    assertTrue(eval("(role:admin or role:member) and project_id:%(project_id)s", MEMBER, IMAGE));
    assertTrue(eval("not role:admin and role:member", MEMBER, IMAGE));
    assertFalse(eval("not (role:admin or role:member)", MEMBER, IMAGE));
    assertTrue(eval("role:admin OR ((role:reader)) AND NOT role:member", READER, IMAGE));
    assertFalse(eval("role:admin OR ((role:reader)) AND NOT role:member", MEMBER, IMAGE));
    assertTrue(eval("role:reader and (project_id:%(project_id)s or 'public':%(visibility)s)", READER, IMAGE));
    assertEquals("(role:admin or (role:member and project_id:%(project_id)s))",
        RuleParser.parse("role:admin or role:member and project_id:%(project_id)s").text());
  }

  @Test
  @DisplayName("rule: follows the named rule once linked; an undefined one denies")
  void ruleReferences() {
    PolicyRules rules = PolicyRules.build(Map.of("helper", "role:member", "uses", "rule:helper or rule:nowhere"),
        "test", false, false);
    assertTrue(rules.check("uses", MEMBER, IMAGE));
    assertFalse(rules.check("uses", READER, IMAGE));
    assertFalse(rules.check("no_such_rule", ADMIN, IMAGE));
    assertFalse(eval("rule:helper", MEMBER, IMAGE), "unlinked (compiled alone): denies");
  }

  @Test
  @DisplayName("malformed rules are refused with a reason")
  void malformed() {
    for (String bad : List.of("role:admin and", "and role:admin", "(role:admin", "role:admin)", "role:admin or or x:y",
        "admin", "   ", "'quoted'", ":x", "rule:", "project_id:%(project_id)d", "x:50%", "x:%()s",
        "role:admin role:member", "not", "()")) {
      RuleParser.Malformed e = assertThrows(RuleParser.Malformed.class, () -> RuleParser.parse(bad), bad);
      assertFalse(e.getMessage().isBlank());
    }
    RuleParser.Malformed http = assertThrows(RuleParser.Malformed.class,
        () -> RuleParser.parse("http://policy.example.com/check"));
    assertTrue(http.getMessage().contains("not supported"), http.getMessage());
  }

  @Test
  @DisplayName("the caller of the unauthenticated pipeline holds the admin role")
  void unauthenticatedAdmin() {
    assertTrue(eval("role:admin", RequestContext.unauthenticatedAdmin("r"), IMAGE));
    assertFalse(eval("role:admin", RequestContext.anonymous("r"), IMAGE));
  }

  @Test
  @DisplayName("Glance's default check strings all compile")
  void glanceStringsCompile() {
    for (RuleDefault d : GlanceRules.all().values()) {
      RuleParser.parse(d.check());
      if (d.deprecated() != null) {
        RuleParser.parse(d.deprecated());
      }
    }
  }
}
