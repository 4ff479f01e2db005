package io.glint.policy;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one place permission is decided: {@code enforce(caller, action, target)}, as oslo.policy's
 * {@code Enforcer} answers Glance. Services name the action (Glance's rule names, {@link Action}) and never look
 * at roles or owners themselves. The rules are {@link DefaultRules}; an operator's policy file will override
 * single rules here.
 */
public final class Policy {
  private final Map<Action, Rule> rules;

  public Policy() {
    this(DefaultRules.all());
  }

  /** With rules in place of some defaults. */
  public Policy(Map<Action, Rule> overrides) {
    Map<Action, Rule> all = new EnumMap<>(DefaultRules.all());
    all.putAll(overrides);
    this.rules = all;
  }

  /** Whether {@code caller} may do {@code action} to {@code target}. */
  public boolean allows(RequestContext caller, Action action, Target target) {
    return rules.get(action).allows(caller, target);
  }

  /** Refuses with Glance's policy message, "You are not authorized to complete {rule} action.", when not allowed. */
  public void enforce(RequestContext caller, Action action, Target target) {
    enforce(caller, action, target, "You are not authorized to complete " + action.rule() + " action.");
  }

  /** Refuses with {@code message} (403) when not allowed: the messages Glance gives for some actions. */
  public void enforce(RequestContext caller, Action action, Target target, String message) {
    if (!allows(caller, action, target)) {
      throw GlintException.forbidden(message);
    }
  }

  /** Glance's {@code can_see_deleted} (from {@code context_is_admin}): deleted images may serve as list markers. */
  public boolean canSeeDeleted(RequestContext caller) {
    return caller.admin();
  }

  /**
   * Whether deciding {@link Action#GET_IMAGE} needs to know if the caller's project is a member (a shared image
   * of another project): only then is the membership looked up.
   */
  public boolean needsMembership(RequestContext caller, Target target) {
    return !allows(caller, Action.GET_IMAGE, target) && allows(caller, Action.GET_IMAGE, target.withCallerMember(true));
  }
}
