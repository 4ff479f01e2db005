package io.glint.policy;

import io.glint.image.Image;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;

/**
 * What an action is done to, as far as authorization needs to know: the image's owner, visibility and status,
 * whether the caller's project is a member of it, for member actions the member concerned (null when it is not
 * known yet), and the image itself when there is one (its other attributes and custom properties are what
 * policy rules may name, as Glance's {@code ImageTarget} offers them).
 */
public record Target(String owner, Visibility visibility, ImageStatus status, boolean callerIsMember,
    String memberId, Image image) {

  /** A target without an image behind it. */
  public Target(String owner, Visibility visibility, ImageStatus status, boolean callerIsMember, String memberId) {
    this(owner, visibility, status, callerIsMember, memberId, null);
  }

  /** An image as it is. */
  public static Target of(Image image) {
    return new Target(image.owner(), image.visibility(), image.status(), false, null, image);
  }

  /**
   * An image in a listing of {@code callerProject}: the listing query returns another project's shared image only
   * to its members (Glance sets the caller's project as the image's member in the same case).
   */
  public static Target listed(Image image, String callerProject) {
    boolean member = image.visibility() == Visibility.SHARED && callerProject != null
        && !callerProject.equals(image.owner());
    return new Target(image.owner(), image.visibility(), image.status(), member, null, image);
  }

  /** An image to be created, owned by {@code owner}, with {@code visibility}. */
  public static Target newImage(String owner, Visibility visibility) {
    return new Target(owner, visibility, ImageStatus.QUEUED, false, null, null);
  }

  /** A project's collection (Glance's {@code get_images} target: {@code {'project_id': ...}}). */
  public static Target project(String projectId) {
    return new Target(projectId, null, null, false, null, null);
  }

  /** Nothing in particular (service-wide actions such as {@link Action#STORES_INFO_DETAIL}). */
  public static Target none() {
    return new Target(null, null, null, false, null, null);
  }

  /** The same target, knowing whether the caller's project is a member. */
  public Target withCallerMember(boolean member) {
    return new Target(owner, visibility, status, member, memberId, image);
  }

  /** The same target, about member {@code memberId} of the image. */
  public Target withMember(String member) {
    return new Target(owner, visibility, status, callerIsMember, member, image);
  }

  /** The same target in another status (an image a request is changing). */
  public Target withStatus(ImageStatus newStatus) {
    return new Target(owner, visibility, newStatus, callerIsMember, memberId, image);
  }
}
