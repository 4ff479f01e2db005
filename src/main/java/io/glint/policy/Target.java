package io.glint.policy;

import io.glint.image.Image;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;

/**
 * What an action is done to, as far as authorization needs to know: the image's owner, visibility and status,
 * whether the caller's project is a member of it, and for member actions the member concerned (null when it is
 * not known yet).
 */
public record Target(String owner, Visibility visibility, ImageStatus status, boolean callerIsMember,
    String memberId) {

  /** An image as it is. */
  public static Target of(Image image) {
    return new Target(image.owner(), image.visibility(), image.status(), false, null);
  }

  /** An image to be created, owned by {@code owner}, with {@code visibility}. */
  public static Target newImage(String owner, Visibility visibility) {
    return new Target(owner, visibility, ImageStatus.QUEUED, false, null);
  }

  /** Nothing in particular (service-wide actions such as {@link Action#STORES_INFO_DETAIL}). */
  public static Target none() {
    return new Target(null, null, null, false, null);
  }

  /** The same target, knowing whether the caller's project is a member. */
  public Target withCallerMember(boolean member) {
    return new Target(owner, visibility, status, member, memberId);
  }

  /** The same target, about member {@code memberId} of the image. */
  public Target withMember(String member) {
    return new Target(owner, visibility, status, callerIsMember, member);
  }
}
