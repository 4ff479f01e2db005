package io.glint.policy;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.image.ImageStatus;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one place permission is decided: {@code enforce(caller, action, target)}, as oslo.policy's
 * {@code Enforcer} answers Glance. Services name the action (Glance's rule names, {@link Action}) and never look
 * at roles or owners themselves. An action is allowed when its policy rule allows it ({@link PolicyRules}: Glance's
 * defaults, {@link GlanceRules}, or the operator's file) and so do the checks Glance makes in code
 * ({@link DefaultRules}). Changing the locations of an active image needs {@link Action#MODIFY_ACTIVE_IMAGE_LOCATIONS}
 * as well as {@link Action#SET_IMAGE_LOCATION}.
 */
public final class Policy {
  private final PolicyRules rules;
  private final Rule[] inCode;
  /** Whole decisions replaced by Java rules (tests). */
  private final Map<Action, Rule> replaced;

  /** Glance Zed's legacy defaults, no operator file. */
  public Policy() {
    this(PolicyRules.defaults(false, false));
  }

  /** The legacy defaults with the whole decision of some actions replaced by Java rules. */
  public Policy(Map<Action, Rule> overrides) {
    this(PolicyRules.defaults(false, false), overrides);
  }

  /** With these compiled rules; the in-code checks follow their profile ({@link PolicyRules#newDefaults()}). */
  public Policy(PolicyRules rules) {
    this(rules, Map.of());
  }

  private Policy(PolicyRules rules, Map<Action, Rule> overrides) {
    this.rules = rules;
    Map<Action, Rule> code = DefaultRules.inCode(rules.newDefaults());
    this.inCode = new Rule[Action.values().length];
    code.forEach((action, rule) -> inCode[action.ordinal()] = rule);
    this.replaced = overrides.isEmpty() ? Map.of() : new EnumMap<>(overrides);
  }

  /** Whether {@code caller} may do {@code action} to {@code target}. */
  public boolean allows(RequestContext caller, Action action, Target target) {
    if (!replaced.isEmpty()) {
      Rule r = replaced.get(action);
      if (r != null) {
        return r.allows(caller, target);
      }
    }
    if (!inCode[action.ordinal()].allows(caller, target) || !rules.check(action, caller, target)) {
      return false;
    }
    return action != Action.SET_IMAGE_LOCATION || target.status() != ImageStatus.ACTIVE
        || allows(caller, Action.MODIFY_ACTIVE_IMAGE_LOCATIONS, target);
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

  /**
   * Glance's {@code context_is_admin} rule: whether a caller authenticated with these credentials is an admin
   * ({@link RequestContext#admin()}, decided once per request by the authenticator).
   */
  public boolean isAdmin(RequestContext caller) {
    return rules.check("context_is_admin", caller, Target.none());
  }

  /** The compiled rules (property protections in the {@code policies} format name them). */
  public PolicyRules rules() {
    return rules;
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
