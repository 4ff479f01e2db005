package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.event.DomainEvent;
import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.PropertyProtections;
import io.glint.policy.Target;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The image records' use cases (create, show, list, update, delete) with Glance's rules: visibility, ownership,
 * status machine, quotas. Every door (v2, later v1, imports) goes through here. Locations are
 * {@link ImageLocations}', tags {@link ImageTags}', the deactivate/reactivate actions {@link ImageActions}'.
 */
public final class ImageService {

  private final ImageRepository repository;
  private final ImageLookup lookup;
  private final ImageUpdater updater;
  private final Policy policy;
  private final PropertyProtections protections;
  private final ImageRules rules;
  private final ImagePatcher patcher;
  private final Scrubber scrubber;
  private final boolean delayedDelete;
  private final DomainEvents events;
  private StagingArea staging;
  private ImportQuotas quotas = ImportQuotas.off();

  public ImageService(ImageRepository repository, ImageLookup lookup, Policy policy,
      PropertyProtections protections, ImageRules rules, Scrubber scrubber, boolean delayedDelete,
      DomainEvents events) {
    this.repository = repository;
    this.lookup = lookup;
    this.updater = new ImageUpdater(repository, lookup);
    this.policy = policy;
    this.protections = protections;
    this.rules = rules;
    this.patcher = new ImagePatcher(policy, protections, rules);
    this.scrubber = scrubber;
    this.delayedDelete = delayedDelete;
    this.events = events;
  }

  /** Deleting an image that is staged or importing removes its staged data from here (Glance does too). */
  public ImageService withStaging(StagingArea area) {
    this.staging = area;
    return this;
  }

  /** Glint's per-project limits: {@code image_count_total} on create. */
  public ImageService withQuotas(ImportQuotas limits) {
    this.quotas = limits;
    return this;
  }

  public ImageRules rules() {
    return rules;
  }

  /** {@code POST /v2/images}. */
  public Future<Image> create(RequestContext ctx, NewImage request) {
    try {
      String owner = request.ownerGiven() ? request.owner() : ctx.owner();
      Visibility visibility = request.visibility() == null ? Visibility.SHARED : request.visibility();
      // Glance's image factory: unless admin, only images owned by the caller's own project (never by nobody).
      Target target = Target.newImage(owner, visibility);
      policy.enforce(ctx, Action.ADD_IMAGE, target, "You are not permitted to create images owned by '"
          + (owner == null ? "None" : owner) + "'.");
      patcher.enforceVisibility(ctx, visibility, target);
      request.properties().keySet().forEach(p -> patcher.protect(ctx, p, PropertyProtections.Operation.CREATE));
      rules.checkQuotas(request.properties(), request.tags());
      Instant now = ImageUpdater.now();
      Image.Builder b = new Image.Builder();
      b.id = request.id() != null ? request.id() : UUID.randomUUID().toString();
      b.name = request.name();
      b.status = ImageStatus.QUEUED;
      b.visibility = visibility;
      b.isProtected = Boolean.TRUE.equals(request.isProtected());
      b.osHidden = Boolean.TRUE.equals(request.osHidden());
      b.owner = owner;
      b.containerFormat = request.containerFormat();
      b.diskFormat = request.diskFormat();
      b.minDisk = request.minDisk() == null ? 0 : request.minDisk();
      b.minRam = request.minRam() == null ? 0 : request.minRam();
      b.createdAt = now;
      b.updatedAt = now;
      b.properties.putAll(request.properties());
      b.tags.addAll(request.tags());
      Image image = b.build();
      return events.announce(quotas.beforeCreate(ctx).compose(v -> repository.insert(image)), EventType.IMAGE_CREATE,
          b.id, ctx);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** {@code GET /v2/images/{id}}: 404 when missing or not visible to the caller. */
  public Future<Image> get(RequestContext ctx, String id) {
    return lookup.visible(ctx, id);
  }

  /** {@code GET /v2/images}. */
  public Future<ImagePage> list(RequestContext ctx, ImageQuery query) {
    try {
      policy.enforce(ctx, Action.GET_IMAGES, Target.project(ctx.owner()));
    } catch (GlintException e) {
      return Future.failedFuture(e);
    }
    Future<Image> marker = query.marker() == null ? Future.succeededFuture() : marker(ctx, query.marker());
    return marker
        .compose(m -> repository.list(ctx, query, m))
        .map(found -> {
          // As Glance: each listed image must pass get_image too; the next marker follows the query's page.
          List<Image> images = found.stream()
              .filter(i -> policy.allows(ctx, Action.GET_IMAGE, Target.listed(i, ctx.owner())))
              .toList();
          return new ImagePage(images,
              !images.isEmpty() && found.size() == query.limit() ? images.get(images.size() - 1).id() : null);
        });
  }

  /** The image as {@code ctx} may see it: without the custom properties the property protections hide. */
  public Image readable(RequestContext ctx, Image image) {
    return protections.readable(ctx, image);
  }

  /**
   * The marker image of a listing. As in Glance, admins may page from a deleted image. A marker that is missing
   * or that the caller cannot see is a 400 (Glance answers 403 for an invisible one, which tells the caller
   * that the image exists; Glint does not).
   */
  private Future<Image> marker(RequestContext ctx, String id) {
    Future<Optional<Image>> found = policy.canSeeDeleted(ctx) ? repository.findIncludingDeleted(id)
        : repository.find(id);
    return found
        .compose(image -> lookup.visibleOrNotFound(ctx, id, image))
        .recover(ImageLookup.whenImageMissing(missing -> GlintException.badRequest(missing.getMessage())));
  }

  /**
   * {@code PATCH /v2/images/{id}} of anything but locations (those are {@link ImageLocations#patch}'s): all
   * changes are saved at once, or none.
   */
  public Future<Image> update(RequestContext ctx, String id, List<PatchOp> ops) {
    return events.announce(updater.modify(ctx, id, image -> {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
      return patcher.apply(ctx, image, ops);
    }), EventType.IMAGE_UPDATE, id, ctx);
  }

  /** {@code DELETE /v2/images/{id}}. */
  public Future<Void> delete(RequestContext ctx, String id) {
    ImageStatus[] before = new ImageStatus[1];
    Image[] last = new Image[1];
    Future<Void> deleted = lookup.visibleFresh(ctx, id)
        .compose(image -> updater.untilSaved(ctx, image, current -> {
          before[0] = current.status();
          return markDeleted(ctx, current, last);
        }))
        .compose(scrubber::remove)
        .compose(v -> staging != null && (before[0] == ImageStatus.UPLOADING || before[0] == ImageStatus.IMPORTING)
            ? staging.delete(id) : Future.succeededFuture());
    // The subject is the image as it was when deleted (Glance's image.delete payload).
    return deleted.onSuccess(v -> events.publish(DomainEvent.of(EventType.IMAGE_DELETE, id, last[0], ctx)));
  }

  /** One attempt at deleting: the locations whose data is to go now, or empty when the image changed meanwhile. */
  private Future<Optional<List<ImageLocation>>> markDeleted(RequestContext ctx, Image image, Image[] deleted) {
    policy.enforce(ctx, Action.DELETE_IMAGE, Target.of(image));
    if (image.isProtected()) {
      throw GlintException.forbidden("Image " + image.id() + " is protected and cannot be deleted.");
    }
    try {
      image.status().transitionTo(ImageStatus.DELETED);
    } catch (InvalidImageTransition e) {
      throw GlintException.badRequest(e.getMessage()); // as Glance's images controller: 400 here, not 409
    }
    return repository.locations(image.id()).compose(locations -> {
      ImageStatus target = delayedDelete && !locations.isEmpty() ? ImageStatus.PENDING_DELETE : ImageStatus.DELETED;
      Image.Builder gone = image.toBuilder();
      gone.status = target;
      deleted[0] = gone.build();
      return repository.markDeleted(image.id(), image.status(), target)
          .map(done -> done
              ? Optional.of(target == ImageStatus.DELETED ? locations : List.<ImageLocation>of())
              : Optional.<List<ImageLocation>>empty());
    });
  }
}
