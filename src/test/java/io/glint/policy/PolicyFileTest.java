package io.glint.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.glint.auth.RequestContext;
import io.glint.config.ConfigException;
import io.glint.config.GlintConfig;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The operator's policy file: YAML or JSON, single-rule overrides, helper rules, and what stops start-up. */
@DisplayName("Policy file: [oslo_policy] policy_file")
class PolicyFileTest {
  private static final RequestContext MEMBER = new RequestContext("u", "project-a", Set.of("member"), false, false,
      "r");
  private static final RequestContext AUDITOR = new RequestContext("u", "project-z", Set.of("auditor"), false, false,
      "r");
  private static final Target OWN = new Target("project-a", Visibility.PRIVATE, ImageStatus.ACTIVE, false, null);

  @TempDir
  Path dir;

  private ListAppender<ILoggingEvent> logs;
  private Logger logger;

  @BeforeEach
  void captureLogs() {
    logger = (Logger) LoggerFactory.getLogger(PolicyRules.class);
    logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  private List<String> warnings() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static Policy policy(Path file, boolean newDefaults) {
    return new Policy(PolicyRules.build(PolicyFile.read(file), file.toString(), newDefaults, false));
  }

  @Test
  @DisplayName("YAML: one rule overridden, helper rules referenced by rule:, the others keep their defaults")
  void yaml() throws Exception {
    Path file = write("policy.yaml", String.join("\n",
        "# operator overrides",
        "\"auditors\": \"role:auditor\"",
        "\"get_image\": \"rule:auditors or rule:default\"",
        "stores_info_detail: rule:auditors or role:admin",
        "modify_image: '!'",
        ""));
    Policy p = policy(file, false);
    assertTrue(p.allows(AUDITOR, Action.STORES_INFO_DETAIL, Target.none()));
    assertFalse(p.allows(MEMBER, Action.STORES_INFO_DETAIL, Target.none()));
    assertFalse(p.allows(MEMBER, Action.MODIFY_IMAGE, OWN), "'!' refuses even the owner");
    assertTrue(p.allows(MEMBER, Action.DELETE_IMAGE, OWN), "not overridden: default");
    assertEquals(List.of(), warnings());
  }

  @Test
  @DisplayName("JSON (*.json), and oslo.policy's old list-of-lists form")
  void json() throws Exception {
    Path file = write("policy.json", "{\n  \"stores_info_detail\": [[\"role:auditor\"], [\"role:admin\", \"is_admin:True\"]],"
        + "\n  \"publicize_image\": \"role:member\"\n}\n");
    Policy p = policy(file, false);
    assertTrue(p.allows(AUDITOR, Action.STORES_INFO_DETAIL, Target.none()));
    assertFalse(p.allows(MEMBER, Action.STORES_INFO_DETAIL, Target.none()));
    assertTrue(p.allows(MEMBER, Action.PUBLICIZE_IMAGE, OWN));
  }

  @Test
  @DisplayName("a file rule replaces the default whole: no deprecated fall-back is OR-ed in")
  void overrideDropsDeprecated() throws Exception {
    Path file = write("policy.yaml", "modify_image: \"role:admin or (role:member and project_id:%(project_id)s)\"\n");
    Policy p = policy(file, false);
    RequestContext reader = new RequestContext("u", "project-a", Set.of("reader"), false, false, "r");
    assertFalse(p.allows(reader, Action.MODIFY_IMAGE, OWN));
    assertTrue(p.allows(reader, Action.DELETE_IMAGE, OWN), "others keep rule:default OR-ed in");
    Path strict = write("strict.yaml", "default: role:admin\n");
    assertFalse(policy(strict, false).allows(reader, Action.DELETE_IMAGE, OWN),
        "overriding 'default' tightens every legacy rule to its new default");
    assertTrue(policy(strict, false).allows(MEMBER, Action.DELETE_IMAGE, OWN));
  }

  @Test
  @DisplayName("unknown rule names and references to undefined rules are logged, not fatal")
  void unknownNamesWarn() throws Exception {
    Path file = write("policy.yaml", String.join("\n",
        "not_a_glance_rule: ''",
        "helper: role:member",
        "add_image: rule:helper and rule:nothing_here",
        ""));
    Policy p = policy(file, false);
    assertFalse(p.allows(MEMBER, Action.ADD_IMAGE, Target.newImage("project-a", Visibility.PRIVATE)),
        "an undefined rule denies");
    List<String> w = warnings();
    assertTrue(w.stream().anyMatch(m -> m.contains("not_a_glance_rule") && !m.contains("helper")), w.toString());
    assertTrue(w.stream().anyMatch(m -> m.contains("add_image") && m.contains("not defined")), w.toString());
  }

  @Test
  @DisplayName("malformed files and rules stop start-up with a message naming the rule")
  void malformed() throws Exception {
    assertMalformed("policy.yaml", "add_image: role:admin and\n", "'add_image'");
    assertMalformed("policy.yaml", "get_image: ''\nget_image: '@'\n", "get_image");
    assertMalformed("policy.yaml", "upload_image:\n", "'upload_image'");
    assertMalformed("policy.yaml", "upload_image: 42\n", "'upload_image'");
    assertMalformed("policy.yaml", "- role:admin\n", "must map rule names");
    assertMalformed("policy.yaml", "a: 'b\n", "not valid YAML");
    assertMalformed("policy.json", "{\"a\": }", "not valid JSON");
    assertMalformed("policy.yaml", "a: rule:b\nb: rule:c or role:x\nc: rule:a\n", "cycle");
    assertMalformed("policy.yaml", "stores_info_detail: http://opa:8181/check\n", "not supported");
  }

  private void assertMalformed(String name, String text, String expected) throws Exception {
    Path file = write(name, text);
    RuleParser.Malformed e = assertThrows(RuleParser.Malformed.class, () -> policy(file, false), text);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  @DisplayName("an empty file sets nothing")
  void empty() throws Exception {
    Path file = write("policy.yaml", "# nothing\n");
    assertTrue(policy(file, false).allows(MEMBER, Action.MODIFY_IMAGE, OWN));
  }

  @Test
  @DisplayName("the loader: files beside the config file; absent default policy file is fine; other missing or bad "
      + "files stop start-up")
  void loader() throws Exception {
    write("custom.yaml", "stores_info_detail: role:auditor\n");
    Path conf = write("glint.conf", "[oslo_policy]\npolicy_file = custom.yaml\nenforce_new_defaults = true\n");
    GlintConfig config = GlintConfig.load(List.of("--config-file", conf.toString()), Map.of(), dir);
    PolicyLoader.Authorization a = PolicyLoader.load(config);
    assertTrue(a.policy().allows(AUDITOR, Action.STORES_INFO_DETAIL, Target.none()));
    assertTrue(a.policy().rules().newDefaults());
    assertFalse(a.protections().enabled());

    Path other = write("other.conf", "[oslo_policy]\npolicy_file = missing.yaml\n");
    ConfigException e = assertThrows(ConfigException.class, () -> PolicyLoader.load(
        GlintConfig.load(List.of("--config-file", other.toString()), Map.of(), dir)));
    assertTrue(e.getMessage().contains("missing.yaml"), e.getMessage());

    Path defaults = write("defaults.conf", "[DEFAULT]\n");
    Files.createDirectories(dir.resolve("sub"));
    Path moved = Files.move(defaults, dir.resolve("sub").resolve("glint.conf"));
    PolicyLoader.Authorization plain = PolicyLoader.load(
        GlintConfig.load(List.of("--config-file", moved.toString()), Map.of(), dir));
    assertFalse(plain.policy().rules().newDefaults(), "no policy.yaml beside it: defaults");

    Path protections = write("protections.conf", "[^x_.*]\ncreate = @\nread = @\nupdate = @\ndelete = @\n");
    Path withProtections = write("pp.conf", "[DEFAULT]\nproperty_protection_file = protections.conf\n");
    assertTrue(PolicyLoader.load(GlintConfig.load(List.of("--config-file", withProtections.toString()), Map.of(),
        dir)).protections().enabled(), "found beside the config file");
    ConfigException noFile = assertThrows(ConfigException.class, () -> PolicyLoader.load(
        GlintConfig.of(Map.of("property_protection_file", dir.resolve("nope.conf").toString()))));
    assertTrue(noFile.getMessage().contains("nope.conf"), noFile.getMessage());
    Path badRegex = write("bad-regex.conf", "[x_(]\ncreate = @\nread = @\nupdate = @\ndelete = @\n");
    ConfigException regex = assertThrows(ConfigException.class, () -> PolicyLoader.load(
        GlintConfig.of(Map.of("property_protection_file", badRegex.toString()))));
    assertTrue(regex.getMessage().contains("[x_(]"), regex.getMessage());

    Path bad = write("bad.yaml", "modify_image: role:admin or\n");
    ConfigException broken = assertThrows(ConfigException.class, () -> PolicyLoader.load(
        GlintConfig.of(Map.of("oslo_policy.policy_file", bad.toString()))));
    assertTrue(broken.getMessage().contains("'modify_image'"), broken.getMessage());
  }
}
