package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.Future;

/** An image's tags, one at a time (Glance's {@code image_tags} controller). */
public final class ImageTags {
  private final ImageUpdater updater;
  private final Policy policy;
  private final ImageRules rules;
  private final DomainEvents events;

  public ImageTags(ImageRepository repository, ImageLookup lookup, Policy policy, ImageRules rules,
      DomainEvents events) {
    this.updater = new ImageUpdater(repository, lookup);
    this.policy = policy;
    this.rules = rules;
    this.events = events;
  }

  /** {@code PUT /v2/images/{id}/tags/{tag}}: idempotent. */
  public Future<Image> add(RequestContext ctx, String id, String tag) {
    ImageRules.checkTag(tag);
    Future<Image> added = updater.modify(ctx, id, image -> {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image), "Not allowed to update tags for image " + id + ".");
      Image.Builder b = image.toBuilder();
      b.tags.add(tag);
      try {
        rules.checkQuotas(b.properties, b.tags);
      } catch (GlintException e) {
        throw GlintException.tooLarge("Image tag limit exceeded for image " + id + ": " + e.getMessage() + ":");
      }
      return b.build();
    });
    return events.announce(added.recover(ImageLookup.whenParentImageMissing(id)), EventType.IMAGE_UPDATE, id, ctx);
  }

  /** {@code DELETE /v2/images/{id}/tags/{tag}}: 404 when the image does not have the tag. */
  public Future<Image> remove(RequestContext ctx, String id, String tag) {
    Future<Image> removed = updater.modify(ctx, id, image -> {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image), "Not allowed to delete tags for image " + id + ".");
      if (!image.tags().contains(tag)) {
        throw GlintException.notFound(null);
      }
      Image.Builder b = image.toBuilder();
      b.tags.remove(tag);
      return b.build();
    });
    return events.announce(removed.recover(ImageLookup.whenParentImageMissing(id)), EventType.IMAGE_UPDATE, id,
        ctx);
  }
}
