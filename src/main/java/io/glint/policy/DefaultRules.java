package io.glint.policy;

import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import java.util.EnumMap;
import java.util.Map;

/**
 * The checks Glance makes in code rather than in policy, one per {@link Action}, composed (AND) with the action's
 * policy rule by {@link Policy}. Always: an anonymous (read-only) caller never writes ({@code utils.mutating}), the
 * visibility filter of Glance's database layer ({@code is_image_visible}), the member rows a caller may see and
 * answer for, and no download of a deactivated image but by admins. With the legacy defaults only
 * ({@code enforce_new_defaults = False}): the owner-or-admin checks ({@code check_is_image_mutable},
 * {@code check_admin_or_same_owner}, the ownership checks of {@code image_members.py}), which the secure-RBAC
 * rules express in policy instead. The one place these checks are written.
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

  /** Nothing to check in code. */
  static final Rule ANYONE = (caller, target) -> true;

  /** The in-code checks with the legacy defaults (Glint's default profile). */
  public static Map<Action, Rule> all() {
    return inCode(false);
  }

  /** The in-code checks of every action; with {@code newDefaults}, without the legacy ownership checks. */
  public static Map<Action, Rule> inCode(boolean newDefaults) {
    Rule mutable = newDefaults ? WRITER : WRITER.and(OWNER);
    Map<Action, Rule> rules = new EnumMap<>(Action.class);
    rules.put(Action.ADD_IMAGE, mutable);
    rules.put(Action.GET_IMAGE, VISIBLE);
    rules.put(Action.GET_IMAGES, ANYONE);
    rules.put(Action.MODIFY_IMAGE, mutable);
    rules.put(Action.DELETE_IMAGE, mutable);
    rules.put(Action.PUBLICIZE_IMAGE, WRITER);
    rules.put(Action.COMMUNITIZE_IMAGE, mutable);
    rules.put(Action.SET_IMAGE_OWNER, WRITER);
    rules.put(Action.UPLOAD_IMAGE, mutable);
    rules.put(Action.COPY_FROM, mutable);
    rules.put(Action.DOWNLOAD_IMAGE, ADMIN.or((caller, target) -> target.status() != ImageStatus.DEACTIVATED));
    rules.put(Action.DEACTIVATE, mutable);
    rules.put(Action.REACTIVATE, mutable);
    rules.put(Action.ADD_MEMBER, mutable);
    rules.put(Action.GET_MEMBER, SEES_MEMBER);
    rules.put(Action.GET_MEMBERS, ANYONE);
    rules.put(Action.MODIFY_MEMBER, WRITER.and(THE_MEMBER));
    rules.put(Action.DELETE_MEMBER, mutable);
    rules.put(Action.SET_IMAGE_LOCATION, WRITER);
    rules.put(Action.MODIFY_ACTIVE_IMAGE_LOCATIONS, WRITER);
    rules.put(Action.GET_IMAGE_LOCATION, ANYONE);
    rules.put(Action.DELETE_IMAGE_LOCATION, mutable);
    rules.put(Action.STORES_INFO_DETAIL, ANYONE);
    rules.put(Action.CACHE_IMAGE, ANYONE);
    rules.put(Action.CACHE_LIST, ANYONE);
    rules.put(Action.CACHE_DELETE, ANYONE);
    rules.put(Action.COPY_IMAGE, WRITER);
    rules.put(Action.TASKS_API_ACCESS, ANYONE);
    rules.put(Action.GET_TASK, ANYONE);
    rules.put(Action.GET_TASKS, ANYONE);
    rules.put(Action.ADD_TASK, WRITER);
    rules.put(Action.MODIFY_TASK, WRITER);
    // Metadata definitions: reads are decided by policy (the database's visibility filter is applied by the
    // metadef service); an anonymous caller never writes.
    for (Action action : Action.values()) {
      if (action.rule().contains("metadef")) {
        boolean read = action.rule().startsWith("get_") || action.rule().startsWith("list_");
        rules.put(action, read ? ANYONE : WRITER);
      }
    }
    for (Action action : Action.values()) {
      if (!rules.containsKey(action)) {
        throw new IllegalStateException("No in-code check for " + action.rule());
      }
    }
    return rules;
  }
}
