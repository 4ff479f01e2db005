package io.glint.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.auth.RequestContext;
import io.glint.image.Image;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import io.glint.policy.PropertyProtections.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Property protections, with the files and cases of Glance's {@code glance/tests/unit/common/test_property_utils.py}
 * ({@code glance/tests/etc/property-protections.conf}, {@code property-protections-policies.conf}, and the shipped
 * {@code etc/property-protections-*.conf.sample}), copied under {@code src/test/resources/property-protections/}.
 */
@DisplayName("Property protections: Glance's property_utils, case by case")
class PropertyProtectionsTest {
  private static final PolicyRules GLANCE_TEST_POLICY = PolicyRules.build(
      Map.of("glance_creator", "role:admin or role:spl_role"), "glance/tests/etc/policy.yaml", false, false);

  static String resource(String name) {
    try (InputStream in = PropertyProtectionsTest.class.getResourceAsStream("/property-protections/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static RequestContext roles(String... roles) {
    return new RequestContext("u", "p", Set.of(roles), Arrays.asList(roles).contains("admin"), false, "r");
  }

  private static PropertyProtections roleRules(String text) {
    return PropertyProtections.parse(text, "test.conf", false, GLANCE_TEST_POLICY);
  }

  private static void assertAll(PropertyProtections p, String property, RequestContext caller, boolean create,
      boolean read, boolean update, boolean delete) {
    assertEquals(create, p.allows(caller, property, Operation.CREATE), property + " create");
    assertEquals(read, p.allows(caller, property, Operation.READ), property + " read");
    assertEquals(update, p.allows(caller, property, Operation.UPDATE), property + " update");
    assertEquals(delete, p.allows(caller, property, Operation.DELETE), property + " delete");
  }

  @Nested
  @DisplayName("roles format")
  class Roles {
    private final PropertyProtections rules = roleRules(resource("roles.conf"));

    @Test
    @DisplayName("admin may do anything to test_prop; member nothing; x_owner_ props are the member's")
    void adminAndMember() {
      assertAll(rules, "test_prop", roles("admin"), true, true, true, true);
      assertAll(rules, "test_prop", roles("member"), false, false, false, false);
      assertAll(rules, "x_owner_prop", roles("member"), true, true, true, true);
    }

    @Test
    @DisplayName("@ allows everyone, ! no one, even admins")
    void everyoneAndNoOne() {
      assertAll(rules, "x_all_permitted", roles(""), true, true, true, true);
      assertAll(rules, "x_none_permitted", roles(""), false, false, false, false);
      assertAll(rules, "x_none_permitted", roles("admin"), false, false, false, false);
      assertTrue(rules.allows(roles("admin", "member"), "x_none_read", Operation.CREATE));
      assertFalse(rules.allows(roles(""), "x_none_read", Operation.READ));
      assertFalse(rules.allows(roles("admin"), "x_none_update", Operation.UPDATE));
      assertTrue(rules.allows(roles("admin", "member"), "x_none_update", Operation.DELETE));
      assertFalse(rules.allows(roles("admin"), "x_none_delete", Operation.DELETE));
    }

    @Test
    @DisplayName("the first matching section wins, in file order; role names are case-insensitive")
    void firstMatchAndCase() {
      assertAll(rules, "x_foo_matcher", roles(""), false, false, false, false);
      assertAll(rules, "x_foo_other", roles(""), true, true, true, true);
      assertAll(rules, "x_case_insensitive", roles("member"), true, true, true, true);
      assertAll(rules, "spl_read_only_prop", roles("spl_role"), false, true, false, false);
      assertAll(rules, "spl_update_only_prop", roles("spl_role"), false, false, true, false);
      assertTrue(rules.allows(roles("spl_role"), "spl_create_prop_policy", Operation.CREATE),
          "sections are searched, not matched whole");
    }

    @Test
    @DisplayName("service roles count as roles")
    void serviceRoles() {
      RequestContext service = new RequestContext("u", "p", Set.of("member"), false, false, "r", null, null, null,
          Set.of("spl_role"));
      assertTrue(rules.allows(service, "spl_read_prop", Operation.READ));
    }

    @Test
    @DisplayName("the shipped sample: x_ properties for admin, member and _member_, the rest admin only")
    void sample() {
      PropertyProtections sample = roleRules(resource("roles.conf.sample"));
      assertAll(sample, "x_foo", roles("member"), true, true, true, true);
      assertAll(sample, "x_foo", roles("_member_"), true, true, true, true);
      assertAll(sample, "foo", roles("member"), false, false, false, false);
      assertAll(sample, "foo", roles("admin"), true, true, true, true);
      assertAll(sample, "a_x_foo", roles("member"), false, false, false, false);
    }

    @Test
    @DisplayName("white space around roles is ignored; an empty value allows no one; no sections allow all")
    void whitespaceAndEmpty() {
      PropertyProtections p = roleRules("[^test_prop.*]\ncreate = member ,fake-role\nread = fake-role, member\n"
          + "update = fake-role,  member\ndelete =\n");
      assertTrue(p.allows(roles("member"), "test_prop_1", Operation.READ));
      assertTrue(p.allows(roles("fake-role"), "test_prop_1", Operation.CREATE));
      assertFalse(p.allows(roles("admin"), "test_prop_1", Operation.DELETE));
      assertFalse(p.allows(roles("admin"), "other", Operation.READ), "no section matches: refused");
      assertTrue(roleRules("# nothing\n").allows(roles(), "anything", Operation.DELETE));
    }
  }

  @Nested
  @DisplayName("policies format")
  class Policies {
    private final PropertyProtections rules = PropertyProtections.parse(resource("policies.conf"), "test.conf", true,
        GLANCE_TEST_POLICY);

    @Test
    @DisplayName("a section names a policy rule per operation")
    void policyRules() {
      assertTrue(rules.allows(roles("spl_role"), "spl_creator_policy", Operation.CREATE));
      assertFalse(rules.allows(roles("fake-role"), "spl_creator_policy", Operation.CREATE));
      assertTrue(rules.allows(roles("spl_role"), "spl_creator_policy", Operation.READ));
      assertFalse(rules.allows(roles("spl_role"), "spl_creator_policy", Operation.UPDATE));
      assertTrue(rules.allows(roles("admin"), "spl_creator_policy", Operation.UPDATE));
      assertTrue(rules.allows(roles("admin"), "spl_creator_policy", Operation.DELETE));
      assertTrue(rules.allows(roles("fake-role"), "spl_default_policy", Operation.READ), "rule:default allows");
      assertFalse(rules.allows(roles("fake-role"), "spl_default_policy", Operation.CREATE));
    }

    @Test
    @DisplayName("@, ! and first match as in the roles format")
    void specials() {
      assertAll(rules, "x_all_permitted", roles(""), true, true, true, true);
      assertAll(rules, "x_none_permitted", roles("admin"), false, false, false, false);
      assertAll(rules, "x_foo_matcher", roles(""), false, false, false, false);
      assertAll(rules, "x_foo_matcher", roles("admin"), true, true, true, true);
      assertTrue(rules.allows(roles("admin"), "x_none_read", Operation.CREATE));
      assertFalse(rules.allows(roles("admin"), "x_none_read", Operation.READ));
    }

    @Test
    @DisplayName("the shipped sample: default for x_ properties, context_is_admin for the rest")
    void sample() {
      PropertyProtections sample = PropertyProtections.parse(resource("policies.conf.sample"), "sample", true,
          PolicyRules.defaults(false, false));
      assertAll(sample, "x_foo", roles("member"), true, true, true, true);
      assertAll(sample, "foo", roles("member"), false, false, false, false);
      assertAll(sample, "foo", roles("admin"), true, true, true, true);
    }
  }

  @Test
  @DisplayName("files that stop start-up: bad regex, missing operation, @ with !, several policies, repeats")
  void malformed() {
    String ops = "create = a\nread = a\nupdate = a\ndelete = a\n";
    assertMalformed(false, "[^[0-9)]\n" + ops, "^[0-9)");
    assertMalformed(false, "[^[0-9]]\ncreate = a\nupdate = a\ndelete = a\n", "'read'");
    assertMalformed(false, "[^[0-9]]\ncreate = a\nrade = a\nupdate = a\ndelete = a\n", "'read'");
    assertMalformed(false, "[.*]\ncreate = @,!\nread = a\nupdate = a\ndelete = a\n", "mutually exclusive");
    assertMalformed(true, "[^x_.*]\ncreate = fake-policy, another_pol\nread = a\nupdate = a\ndelete = a\n",
        "one policy");
    assertMalformed(false, "[a]\n" + ops + "[a]\n" + ops, "twice");
    assertMalformed(false, "[a]\ncreate = a\ncreate = b\n", "twice");
    assertMalformed(false, "create = a\n", "before the first");
  }

  private static void assertMalformed(boolean policies, String text, String expected) {
    RuleParser.Malformed e = assertThrows(RuleParser.Malformed.class,
        () -> PropertyProtections.parse(text, "pp.conf", policies, GLANCE_TEST_POLICY), text);
    assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("pp.conf"), e.getMessage());
  }

  @Test
  @DisplayName("readable: a view without the properties the caller may not read")
  void readable() {
    PropertyProtections p = roleRules(resource("roles.conf"));
    Instant now = Instant.now();
    Image image = new Image("i", "n", ImageStatus.ACTIVE, Visibility.PRIVATE, false, false, null, null, null, "p",
        null, null, null, null, 0, 0, now, now, Map.of("x_owner_a", "1", "test_prop", "2", "x_none_read", "3"),
        Set.of());
    assertEquals(Map.of("x_owner_a", "1"), p.readable(roles("member"), image).properties());
    assertEquals(Map.of("x_owner_a", "1", "test_prop", "2"), p.readable(roles("admin"), image).properties());
    assertTrue(PropertyProtections.NONE.readable(roles(), image) == image);
  }
}
