package io.glint.policy;

/**
 * What a caller asks to do, named as Glance's policy rules are ({@code glance/policies/}), so that an operator's
 * oslo.policy file can later name them too. The rule each one follows by default is in {@link DefaultRules}.
 */
public enum Action {
  ADD_IMAGE("add_image"),
  GET_IMAGE("get_image"),
  MODIFY_IMAGE("modify_image"),
  DELETE_IMAGE("delete_image"),
  PUBLICIZE_IMAGE("publicize_image"),
  COMMUNITIZE_IMAGE("communitize_image"),
  /** Changing an image's owner (Glance decides it in code: admins only). */
  SET_IMAGE_OWNER("set_image_owner"),
  UPLOAD_IMAGE("upload_image"),
  DOWNLOAD_IMAGE("download_image"),
  DEACTIVATE("deactivate"),
  REACTIVATE("reactivate"),
  ADD_MEMBER("add_member"),
  GET_MEMBER("get_member"),
  MODIFY_MEMBER("modify_member"),
  DELETE_MEMBER("delete_member"),
  /** Adding, replacing or removing locations by JSON-patch (OSSN-0065: of an active image, admins only). */
  SET_IMAGE_LOCATION("set_image_location"),
  /** {@code DELETE /v2/stores/{store}/{image}}. */
  DELETE_IMAGE_LOCATION("delete_image_location"),
  STORES_INFO_DETAIL("stores_info_detail");

  private final String rule;

  Action(String rule) {
    this.rule = rule;
  }

  /** Glance's rule name. */
  public String rule() {
    return rule;
  }
}
