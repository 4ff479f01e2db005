package io.glint.policy;

import io.glint.auth.RequestContext;

/** One authorization rule: whether a caller may do an action to a target. */
@FunctionalInterface
public interface Rule {
  boolean allows(RequestContext caller, Target target);

  default Rule and(Rule other) {
    return (caller, target) -> allows(caller, target) && other.allows(caller, target);
  }

  default Rule or(Rule other) {
    return (caller, target) -> allows(caller, target) || other.allows(caller, target);
  }
}
