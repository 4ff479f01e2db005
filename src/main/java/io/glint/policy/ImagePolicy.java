package io.glint.policy;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.image.Image;
import io.glint.image.Visibility;

/**
 * Glance Zed's default authorization for images: its policy defaults with {@code enforce_new_defaults=False}
 * (the deprecated rules are OR-ed in, so roles other than {@code admin} do not restrict) plus the
 * owner-or-admin checks Glance makes in code. This is the one seam where an oslo.policy rule engine and the
 * secure-RBAC defaults will plug in; callers name the action as Glance's policy does.
 */
public final class ImagePolicy {

  /** Glance's {@code is_image_visible}; {@code isMember} says whether the caller's project is a member. */
  public boolean canSee(RequestContext ctx, Image image, boolean isMember) {
    if (ctx.admin() || image.owner() == null) {
      return true;
    }
    if (image.visibility() == Visibility.PUBLIC || image.visibility() == Visibility.COMMUNITY) {
      return true;
    }
    if (ctx.owner() != null) {
      if (ctx.owner().equals(image.owner())) {
        return true;
      }
      return image.visibility() == Visibility.SHARED && isMember;
    }
    return false;
  }

  /** Whether seeing the image needs a membership lookup first (shared image of another project). */
  public boolean needsMembership(RequestContext ctx, Image image) {
    return !ctx.admin() && image.owner() != null && image.visibility() == Visibility.SHARED
        && ctx.owner() != null && !ctx.owner().equals(image.owner());
  }

  /** Glance's {@code is_image_mutable}: admin, or the caller's project owns the image. */
  public boolean canModify(RequestContext ctx, Image image) {
    if (ctx.admin()) {
      return true;
    }
    return image.owner() != null && ctx.owner() != null && image.owner().equals(ctx.owner());
  }

  /** Refuses any write by an anonymous (read-only) context. */
  public void checkWritable(RequestContext ctx) {
    if (ctx.readOnly()) {
      throw GlintException.forbidden("Read-only access");
    }
  }

  /**
   * Policy {@code add_image} and Glance's image factory rule: unless admin, the new image's owner (the one
   * requested, else the caller's project) must be the caller's own project; an image owned by nobody (an
   * explicit {@code "owner": null}, or a caller without a project) would be visible to every project.
   */
  public void checkCreate(RequestContext ctx, String owner) {
    checkWritable(ctx);
    if (!ctx.admin() && (owner == null || !owner.equals(ctx.owner()))) {
      throw GlintException.forbidden("You are not permitted to create images owned by '"
          + (owner == null ? "None" : owner) + "'.");
    }
  }

  /** Policies {@code modify_image}, {@code delete_image}, etc.: owner or admin. */
  public void checkMutable(RequestContext ctx, Image image, String action) {
    checkWritable(ctx);
    if (!canModify(ctx, image)) {
      throw GlintException.forbidden("You are not authorized to complete " + action + " action.");
    }
  }

  /** Policies {@code publicize_image} (admin) and {@code communitize_image} (owner or admin). */
  public void checkVisibility(RequestContext ctx, Visibility visibility) {
    if (visibility == Visibility.PUBLIC && !ctx.admin()) {
      throw GlintException.forbidden("You are not authorized to complete publicize_image action.");
    }
  }
}
