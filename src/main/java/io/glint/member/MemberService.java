package io.glint.member;

import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.image.Image;
import io.glint.image.ImageLookup;
import io.glint.image.Visibility;
import io.vertx.core.Future;
import java.util.List;

/**
 * Image sharing (Glance's {@code image_members} controller with Zed's default rules): only shared images have
 * members; the owner adds and removes them; only the member (or an admin) accepts or rejects; the owner sees
 * every member, a member only itself.
 */
public final class MemberService {
  private final ImageLookup images;
  private final Policy policy;
  private final DomainEvents events;
  private final MemberRepository members;
  private final int quota;

  public MemberService(ImageLookup images, Policy policy, DomainEvents events, MemberRepository members,
      int quota) {
    this.images = images;
    this.policy = policy;
    this.events = events;
    this.members = members;
    this.quota = quota;
  }

  public Future<Member> add(RequestContext ctx, String imageId, String memberId) {
    return events.announce(addMember(ctx, imageId, memberId), EventType.IMAGE_MEMBER_CREATE, imageId,
        ctx);
  }

  private Future<Member> addMember(RequestContext ctx, String imageId, String memberId) {
    return image(ctx, imageId).compose(image -> {
      String denied = "Not allowed to create members for image " + imageId + ".";
      requireShared(image, denied);
      policy.enforce(ctx, Action.ADD_MEMBER, Target.of(image), denied);
      return members.add(imageId, memberId, quota < 0 ? Integer.MAX_VALUE : quota)
          .recover(e -> Future.failedFuture(e instanceof MemberRepository.QuotaExceeded q
              ? GlintException.tooLarge("Image member limit exceeded for image " + imageId + ": " + q.getMessage()
                  + ":")
              : e))
          .map(added -> added.orElseThrow(() -> GlintException.conflict(
              "Member " + memberId + " is duplicated for image " + imageId)));
    });
  }

  public Future<List<Member>> list(RequestContext ctx, String imageId) {
    return image(ctx, imageId).compose(image -> {
      requireShared(image, "Not allowed to list members for image " + imageId + ": Only shared images have members.");
      policy.enforce(ctx, Action.GET_MEMBERS, Target.of(image));
      return members.list(imageId).map(all -> all.stream().filter(m -> canSee(ctx, image, m)).toList());
    });
  }

  public Future<Member> get(RequestContext ctx, String imageId, String memberId) {
    return image(ctx, imageId).compose(image -> {
      if (image.visibility() != Visibility.SHARED) {
        throw GlintException.notFound("Only shared images have members.");
      }
      return visibleMember(ctx, image, memberId);
    });
  }

  /** Sets a member's status; {@code status} is the raw JSON value, checked after the access checks (Glance's order). */
  public Future<Member> setStatus(RequestContext ctx, String imageId, String memberId, Object rawStatus) {
    return events.announce(updateMember(ctx, imageId, memberId, rawStatus),
        EventType.IMAGE_MEMBER_UPDATE, imageId, ctx);
  }

  private Future<Member> updateMember(RequestContext ctx, String imageId, String memberId, Object rawStatus) {
    String status = rawStatus instanceof String s ? s : null;
    return image(ctx, imageId).compose(image -> {
      String denied = "Not allowed to update members for image " + imageId + ".";
      requireShared(image, denied);
      // The owner may not answer for a member: refused before the member is looked up, as in Glance.
      policy.enforce(ctx, Action.MODIFY_MEMBER, Target.of(image), denied);
      return visibleMember(ctx, image, memberId).compose(m -> {
        policy.enforce(ctx, Action.MODIFY_MEMBER, Target.of(image).withMember(memberId), denied);
        if (status == null || !Member.STATUSES.contains(status)) {
          throw GlintException.badRequest(
              "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\".");
        }
        return members.setStatus(imageId, memberId, status)
            .map(saved -> saved.orElseThrow(() -> notInList(memberId, imageId)));
      });
    });
  }

  public Future<Void> remove(RequestContext ctx, String imageId, String memberId) {
    // The subject is the member as it was (Glance's image.member.delete payload).
    return events.announce(removeMember(ctx, imageId, memberId), EventType.IMAGE_MEMBER_DELETE,
        imageId, ctx).mapEmpty();
  }

  private Future<Member> removeMember(RequestContext ctx, String imageId, String memberId) {
    return image(ctx, imageId).compose(image -> {
      String denied = "Not allowed to delete members for image " + imageId + ".";
      requireShared(image, denied);
      policy.enforce(ctx, Action.DELETE_MEMBER, Target.of(image), denied);
      return visibleMember(ctx, image, memberId)
          .compose(m -> members.remove(imageId, memberId)
          .map(removed -> {
            if (!removed) {
              throw notInList(memberId, imageId);
            }
            return m;
          }));
    });
  }

  /**
   * The legacy v1 API's {@code can_share} flag of a member, set by whoever may add members (the owner): the
   * member must exist already.
   */
  public Future<Member> setCanShare(RequestContext ctx, String imageId, String memberId, boolean canShare) {
    Future<Member> saved = image(ctx, imageId).compose(image -> {
      String denied = "Not allowed to update members for image " + imageId + ".";
      requireShared(image, denied);
      policy.enforce(ctx, Action.ADD_MEMBER, Target.of(image), denied);
      return visibleMember(ctx, image, memberId)
          .compose(m -> m.canShare() == canShare ? Future.succeededFuture(m)
              : members.setCanShare(imageId, memberId, canShare)
                  .map(found -> found.orElseThrow(() -> notInList(memberId, imageId))));
    });
    return events.announce(saved, EventType.IMAGE_MEMBER_UPDATE, imageId, ctx);
  }

  /**
   * The memberships of project {@code memberId} ({@code GET /v1/shared-images/{member}}), on images the caller
   * can see, and that the caller may see the member rows of (the member itself, the owner, an admin).
   */
  public Future<List<Member>> sharedWith(RequestContext ctx, String memberId) {
    return members.sharedWith(memberId).compose(all -> {
      List<Future<Member>> checked = all.stream()
          .map(m -> images.visible(ctx, m.imageId())
              .map(image -> image.visibility() == Visibility.SHARED && canSee(ctx, image, m) ? m : null)
              .otherwise((Member) null))
          .toList();
      return Future.all(checked).map(done -> checked.stream().map(Future::result)
          .filter(java.util.Objects::nonNull).toList());
    });
  }

  private Future<Image> image(RequestContext ctx, String imageId) {
    return images.visibleFresh(ctx, imageId).recover(ImageLookup.whenParentImageMissing(imageId));
  }

  private Future<Member> visibleMember(RequestContext ctx, Image image, String memberId) {
    return members.find(image.id(), memberId).map(found -> found
        .filter(m -> canSee(ctx, image, m))
        .orElseThrow(() -> notInList(memberId, image.id())));
  }

  /** The owner (and admins) see every member; a member sees only its own row. */
  private boolean canSee(RequestContext ctx, Image image, Member member) {
    return policy.allows(ctx, Action.GET_MEMBER, Target.of(image).withMember(member.memberId()));
  }

  private static void requireShared(Image image, String message) {
    if (image.visibility() != Visibility.SHARED) {
      throw GlintException.forbidden(message);
    }
  }

  private static GlintException notInList(String memberId, String imageId) {
    return GlintException.notFound(memberId + " not found in the member list of the image " + imageId + ".");
  }
}
