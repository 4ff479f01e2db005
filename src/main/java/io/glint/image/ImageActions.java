package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.Future;

/** The image actions of Glance's {@code image_actions} controller: deactivate and reactivate. */
public final class ImageActions {
  private final ImageUpdater updater;
  private final Policy policy;
  private final DomainEvents events;

  public ImageActions(ImageRepository repository, ImageLookup lookup, Policy policy, DomainEvents events) {
    this.updater = new ImageUpdater(repository, lookup);
    this.policy = policy;
    this.events = events;
  }

  /** {@code POST /v2/images/{id}/actions/deactivate}: active → deactivated; already deactivated is a no-op. */
  public Future<Image> deactivate(RequestContext ctx, String id) {
    return events.announce(changeStatus(ctx, id, "deactivate", ImageStatus.ACTIVE, ImageStatus.DEACTIVATED),
        EventType.IMAGE_DEACTIVATE, id, ctx);
  }

  /** {@code POST /v2/images/{id}/actions/reactivate}: deactivated → active; already active is a no-op. */
  public Future<Image> reactivate(RequestContext ctx, String id) {
    return events.announce(changeStatus(ctx, id, "reactivate", ImageStatus.DEACTIVATED, ImageStatus.ACTIVE),
        EventType.IMAGE_REACTIVATE, id, ctx);
  }

  private Future<Image> changeStatus(RequestContext ctx, String id, String action, ImageStatus from,
      ImageStatus to) {
    return updater.modify(ctx, id, image -> {
      policy.enforce(ctx, to == ImageStatus.DEACTIVATED ? Action.DEACTIVATE : Action.REACTIVATE, Target.of(image),
          "You do not own this image");
      if (image.status() == to) {
        return image;
      }
      if (image.status() != from) {
        throw GlintException.forbidden("Not allowed to " + action + " image in status '" + image.status() + "'");
      }
      Image.Builder b = image.toBuilder();
      b.status = from.transitionTo(to);
      return b.build();
    });
  }
}
