package io.glint.policy;

import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import java.util.EnumMap;
import java.util.Map;

/**
 * The rules Glint follows by default, one per {@link Action}: Glance Zed's defaults with
 * {@code enforce_new_defaults = False} (its deprecated rules are OR-ed in, so roles other than {@code admin} do
 * not restrict), together with the owner-or-admin checks Glance makes in code ({@code is_image_mutable},
 * {@code is_image_visible}, the member rules of {@code glance/api/v2/image_members.py}), and Glint's safer
 * choices (OSSN-0065). An anonymous (read-only) caller may never write. The one place these rules are written.
 */
public final class DefaultRules {
  private DefaultRules() {}

  /** Glance's {@code context_is_admin}. */
  static final Rule ADMIN = (caller, target) -> caller.admin();
  /** Any write needs a caller who is not anonymous. */
  static final Rule WRITER = (caller, target) -> !caller.readOnly();
  /** Glance's {@code is_image_mutable}: admin, or the caller's project owns the image. */
  static final Rule OWNER = (caller, target) -> caller.admin()
      || (target.owner() != null && caller.owner() != null && target.owner().equals(caller.owner()));
  /** Glance's {@code is_image_visible}. */
  static final Rule VISIBLE = (caller, target) -> {
    if (caller.admin() || target.owner() == null) {
      return true;
    }
    if (target.visibility() == Visibility.PUBLIC || target.visibility() == Visibility.COMMUNITY) {
      return true;
    }
    if (caller.owner() == null) {
      return false;
    }
    return caller.owner().equals(target.owner())
        || (target.visibility() == Visibility.SHARED && target.callerIsMember());
  };
  /**
   * A member answers for itself, the image's owner may not: before the member is known (null), only the owner is
   * refused; once it is, the caller's project must be that member.
   */
  static final Rule THE_MEMBER = (caller, target) -> caller.admin()
      || ((caller.owner() == null || !caller.owner().equals(target.owner()))
          && (target.memberId() == null || target.memberId().equals(caller.owner())));
  /** Who sees a member row: admins, the image's owner, and the member itself. */
  static final Rule SEES_MEMBER = (caller, target) -> caller.admin() || (caller.owner() != null
      && (caller.owner().equals(target.owner()) || caller.owner().equals(target.memberId())));

  /** The default rule of every action. */
  public static Map<Action, Rule> all() {
    Map<Action, Rule> rules = new EnumMap<>(Action.class);
    rules.put(Action.ADD_IMAGE, WRITER.and(OWNER));
    rules.put(Action.GET_IMAGE, VISIBLE);
    rules.put(Action.MODIFY_IMAGE, WRITER.and(OWNER));
    rules.put(Action.DELETE_IMAGE, WRITER.and(OWNER));
    rules.put(Action.PUBLICIZE_IMAGE, WRITER.and(ADMIN));
    rules.put(Action.COMMUNITIZE_IMAGE, WRITER.and(OWNER));
    rules.put(Action.SET_IMAGE_OWNER, WRITER.and(ADMIN));
    rules.put(Action.UPLOAD_IMAGE, WRITER.and(OWNER));
    rules.put(Action.DOWNLOAD_IMAGE, ADMIN.or((caller, target) -> target.status() != ImageStatus.DEACTIVATED));
    rules.put(Action.DEACTIVATE, WRITER.and(OWNER));
    rules.put(Action.REACTIVATE, WRITER.and(OWNER));
    rules.put(Action.ADD_MEMBER, WRITER.and(OWNER));
    rules.put(Action.GET_MEMBER, SEES_MEMBER);
    rules.put(Action.MODIFY_MEMBER, WRITER.and(THE_MEMBER));
    rules.put(Action.DELETE_MEMBER, WRITER.and(OWNER));
    rules.put(Action.SET_IMAGE_LOCATION, WRITER.and(ADMIN.or((caller, target) -> target.status() != ImageStatus.ACTIVE)));
    rules.put(Action.DELETE_IMAGE_LOCATION, WRITER.and(ADMIN));
    rules.put(Action.STORES_INFO_DETAIL, ADMIN);
    for (Action action : Action.values()) {
      if (!rules.containsKey(action)) {
        throw new IllegalStateException("No default rule for " + action.rule());
      }
    }
    return rules;
  }
}
