package io.glint.policy;

import io.glint.config.ConfigException;
import io.glint.config.GlintConfig;
import io.glint.config.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the authorization of a server from its configuration, once, at start-up: {@code [oslo_policy]}
 * ({@code policy_file}, {@code enforce_new_defaults}, {@code enforce_scope}) and {@code [DEFAULT]}
 * {@code property_protection_file} / {@code property_protection_rule_format}. Anything wrong stops start-up with
 * a {@link ConfigException} that names the file and the rule or section.
 */
public final class PolicyLoader {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyLoader.class);

  /** What the configuration gives: the policy and the property protections. */
  public record Authorization(Policy policy, PropertyProtections protections) {}

  private PolicyLoader() {}

  public static Authorization load(GlintConfig config) {
    try {
      boolean newDefaults = config.get(Options.ENFORCE_NEW_DEFAULTS);
      boolean enforceScope = config.get(Options.ENFORCE_SCOPE);
      String policyFile = config.get(Options.POLICY_FILE);
      Optional<Path> found = find(config, policyFile);
      PolicyRules rules;
      if (found.isPresent()) {
        Map<String, Object> fileRules = PolicyFile.read(found.get());
        rules = PolicyRules.build(fileRules, found.get().toString(), newDefaults, enforceScope);
        LOG.info("Policy: {} rule(s) from {}; {} defaults{}", fileRules.size(), found.get(),
            newDefaults ? "secure-RBAC" : "legacy", enforceScope ? ", scope enforced" : "");
      } else if (!policyFile.equals(Options.POLICY_FILE.defaultValue())) {
        throw new ConfigException("[oslo_policy] policy_file: " + policyFile + " not found (looked in "
            + searchDirectories(config) + ")");
      } else {
        rules = PolicyRules.defaults(newDefaults, enforceScope);
        LOG.info("Policy: no {} found, {} defaults{}", policyFile, newDefaults ? "secure-RBAC" : "legacy",
            enforceScope ? ", scope enforced" : "");
      }
      Policy policy = new Policy(rules);
      Path protectionFile = config.get(Options.PROPERTY_PROTECTION_FILE);
      PropertyProtections protections = PropertyProtections.NONE;
      if (protectionFile != null) {
        Path path = find(config, protectionFile.toString()).orElseThrow(() -> new ConfigException(
            "[DEFAULT] property_protection_file: " + protectionFile + " not found (looked in "
                + searchDirectories(config) + ")"));
        boolean policies = config.get(Options.PROPERTY_PROTECTION_RULE_FORMAT).equals("policies");
        protections = PropertyProtections.load(path, policies, rules);
        LOG.info("Property protections from {} ({} format)", path, policies ? "policies" : "roles");
      }
      return new Authorization(policy, protections);
    } catch (RuleParser.Malformed e) {
      throw new ConfigException(e.getMessage(), e);
    }
  }

  /**
   * Where oslo.config's {@code find_file} would find {@code name}: an absolute path as it is; a relative one in
   * the directories of the config files (the last loaded first), then {@code conf/} (Glint's config directory)
   * and {@code /etc/glint/}.
   */
  static Optional<Path> find(GlintConfig config, String name) {
    Path given = Path.of(name);
    if (given.isAbsolute()) {
      return Files.isRegularFile(given) ? Optional.of(given) : Optional.empty();
    }
    for (Path dir : searchDirectories(config)) {
      Path candidate = dir.resolve(given);
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static List<Path> searchDirectories(GlintConfig config) {
    List<Path> dirs = new ArrayList<>();
    List<Path> files = config.configFiles();
    for (int i = files.size() - 1; i >= 0; i--) {
      Path parent = files.get(i).toAbsolutePath().getParent();
      if (parent != null && !dirs.contains(parent)) {
        dirs.add(parent);
      }
    }
    for (Path standard : List.of(Path.of("conf").toAbsolutePath(), Path.of("/etc/glint"))) {
      if (!dirs.contains(standard)) {
        dirs.add(standard);
      }
    }
    return dirs;
  }
}
