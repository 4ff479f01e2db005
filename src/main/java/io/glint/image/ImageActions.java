package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.Future;
import java.util.function.UnaryOperator;

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
    return events.announce(changeStatus(ctx, id, "deactivate", Action.DEACTIVATE, ImageStatus::deactivate),
        EventType.IMAGE_DEACTIVATE, id, ctx);
  }

  /** {@code POST /v2/images/{id}/actions/reactivate}: deactivated → active; already active is a no-op. */
  public Future<Image> reactivate(RequestContext ctx, String id) {
    return events.announce(changeStatus(ctx, id, "reactivate", Action.REACTIVATE, ImageStatus::reactivate),
        EventType.IMAGE_REACTIVATE, id, ctx);
  }

  private Future<Image> changeStatus(RequestContext ctx, String id, String name, Action action,
      UnaryOperator<ImageStatus> next) {
    return updater.modify(ctx, id, image -> {
      policy.enforce(ctx, action, Target.of(image), "You do not own this image");
      Image.Builder b = image.toBuilder();
      try {
        b.status = next.apply(image.status());
      } catch (InvalidImageTransition e) {
        // Glance's image_actions controller answers 403 here, where the state machine says 409.
        throw GlintException.forbidden("Not allowed to " + name + " image in status '" + e.from() + "'");
      }
      return b.build();
    });
  }
}
