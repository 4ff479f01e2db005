package io.glint.policy;

import java.util.List;

/**
 * A rule registered in code, as oslo.policy's {@code RuleDefault}: its name, its check string, the deprecated check
 * string it replaces (OR-ed in while {@code [oslo_policy] enforce_new_defaults} is off, unless the operator's
 * file sets the rule), and the token scopes it is meant for ({@code [oslo_policy] enforce_scope}).
 *
 * @param deprecated the check string of the deprecated default, or null
 * @param scopeTypes e.g. {@code ["project"]}; empty for rules of any scope
 */
public record RuleDefault(String name, String check, String deprecated, List<String> scopeTypes,
    String description) {

  public RuleDefault {
    scopeTypes = List.copyOf(scopeTypes);
  }
}
