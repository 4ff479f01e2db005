package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.PropertyProtections;
import io.glint.policy.Target;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The image use cases (create, show, list, update, delete) with Glance's rules: visibility, ownership,
 * status machine, quotas. Every door (v2, later v1, imports) goes through here.
 */
public final class ImageService {

  private static final int MAX_UPDATE_ATTEMPTS = 5;

  private final ImageRepository repository;
  private final Policy policy;
  private final PropertyProtections protections;
  private final ImageRules rules;
  private final ImagePatcher patcher;
  private final Scrubber scrubber;
  private final boolean delayedDelete;
  private final LocationPatcher locationPatcher;
  private final LocationChecker locationChecker;
  private final DomainEvents events;

  /** Location settings: Glance's show_multiple_locations, image_location_quota and hashing_algorithm. */
  public record LocationSettings(boolean showMultipleLocations, int quota, String hashAlgo) {}

  public ImageService(ImageRepository repository, Policy policy, PropertyProtections protections, ImageRules rules,
      Scrubber scrubber, boolean delayedDelete, LocationSettings locations, LocationChecker locationChecker,
      DomainEvents events) {
    this.events = events;
    this.repository = repository;
    this.policy = policy;
    this.protections = protections;
    this.rules = rules;
    this.patcher = new ImagePatcher(policy, protections, rules);
    this.scrubber = scrubber;
    this.delayedDelete = delayedDelete;
    this.locationPatcher = new LocationPatcher(policy, locations.showMultipleLocations(), locations.quota(),
        locations.hashAlgo());
    this.locationChecker = locationChecker;
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
      Instant now = now();
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
      return events.announce(repository.insert(b.build()), EventType.IMAGE_CREATE, b.id, ctx);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** {@code GET /v2/images/{id}}: 404 when missing or not visible to the caller. */
  public Future<Image> get(RequestContext ctx, String id) {
    return repository.find(id).compose(found -> visibleOrNotFound(ctx, id, found));
  }

  /** The image as the database has it now (no cache), 404 when the caller cannot see it. */
  public Future<Image> getFresh(RequestContext ctx, String id) {
    return repository.findFresh(id).compose(found -> visibleOrNotFound(ctx, id, found));
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

  /**
   * The marker image of a listing. As in Glance, admins may page from a deleted image. A marker that is missing
   * or that the caller cannot see is a 400 (Glance answers 403 for an invisible one, which tells the caller
   * that the image exists; Glint does not).
   */
  private Future<Image> marker(RequestContext ctx, String id) {
    Future<Optional<Image>> found = policy.canSeeDeleted(ctx) ? repository.findIncludingDeleted(id)
        : repository.find(id);
    return found
        .compose(image -> visibleOrNotFound(ctx, id, image))
        .recover(whenImageMissing(missing -> GlintException.badRequest(missing.getMessage())));
  }

  /** {@code PATCH /v2/images/{id}}: all changes are saved at once, or none. */
  public Future<Image> update(RequestContext ctx, String id, List<PatchOp> ops) {
    if (ops.stream().anyMatch(op -> op.root().equals("locations"))) {
      return getFresh(ctx, id)
          .compose(image -> {
            policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
            locationPatcher.precheck(ctx, Target.of(image), ops);
            return checkNewLocations(ops);
          })
          .compose(sizes -> events.announce(updateWithLocations(ctx, id, ops, sizes, 1), EventType.IMAGE_UPDATE,
              id, ctx));
    }
    return events.announce(modify(ctx, id, image -> {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
      return patcher.apply(ctx, image, ops);
    }, 1), EventType.IMAGE_UPDATE, id, ctx);
  }

  /** Checks every URL a patch would add (scheme, outbound filtering, a store serving it) and sizes it. */
  private Future<java.util.Map<String, Long>> checkNewLocations(List<PatchOp> ops) {
    java.util.Map<String, Long> sizes = new java.util.concurrent.ConcurrentHashMap<>();
    List<Future<Void>> checks = new java.util.ArrayList<>();
    for (String url : LocationPatcher.newUrls(ops)) {
      if (url.isEmpty()) {
        continue; // the patcher reports the malformed location
      }
      if (!LocationPatcher.schemeAcceptable(url)) {
        return Future.failedFuture(GlintException.badRequest("Invalid location"));
      }
      checks.add(locationChecker.size(url).map(size -> {
        if (size <= 0) {
          throw GlintException.badRequest("Invalid location: the store reports no data at "
              + LocationPatcher.redact(url));
        }
        sizes.put(url, size);
        return null;
      }));
    }
    return Future.all(checks).map(v -> sizes);
  }

  private Future<Image> updateWithLocations(RequestContext ctx, String id, List<PatchOp> ops,
      java.util.Map<String, Long> sizes, int attempt) {
    return repository.findFresh(id)
        .compose(found -> visibleOrNotFound(ctx, id, found))
        .compose(image -> repository.locations(id).compose(current -> {
          policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
          Image.Builder b = image.toBuilder();
          List<LocationPatcher.Entry> locations = new java.util.ArrayList<>();
          current.forEach(l -> locations.add(new LocationPatcher.Entry(l.id(), l.url(), l.metadata())));
          for (PatchOp op : ops) {
            if (op.root().equals("locations")) {
              locationPatcher.apply(ctx, Target.of(image), b, locations, op, sizes);
            } else {
              patcher.applyOne(ctx, b, op);
            }
          }
          patcher.checkQuotas(b);
          b.updatedAt = later(image.updatedAt());
          List<ImageLocation> wanted = locations.stream()
              .map(e -> new ImageLocation(e.id(), id, e.url(), withStore(e)))
              .toList();
          return repository.updateWithLocations(b.build(), image.updatedAt(), wanted);
        }))
        .compose(result -> {
          if (result.isEmpty()) {
            return retryOrConflict(id, attempt, () -> updateWithLocations(ctx, id, ops, sizes, attempt + 1));
          }
          // Glance deletes the data of a removed location from its store.
          return scrubber.remove(result.get().removed()).map(v -> result.get().image());
        });
  }

  /**
   * {@code DELETE /v2/stores/{store}/{image}} (multi-store): removes the image's data from one store, never from
   * the last one. Admin only (policy {@code delete_image_location}).
   */
  public Future<Void> deleteFromStore(RequestContext ctx, String storeId, String id) {
    return events.announce(deleteFromStore(ctx, storeId, id, 1), EventType.IMAGE_UPDATE, id, ctx);
  }

  private Future<Void> deleteFromStore(RequestContext ctx, String storeId, String id, int attempt) {
    return repository.findFresh(id)
        .compose(found -> visibleOrNotFound(ctx, id, found))
        .recover(whenImageMissing(missing -> GlintException.notFound("Failed to find image " + id)))
        .compose(image -> repository.locations(id).compose(current -> {
          policy.enforce(ctx, Action.DELETE_IMAGE_LOCATION, Target.of(image));
          if (image.status() != ImageStatus.ACTIVE) {
            throw GlintException.conflict(
                "It's not allowed to remove image data from store if image status is not 'active'");
          }
          if (current.size() == 1) {
            throw GlintException.forbidden("Cannot delete image data from the only store containing it. Consider "
                + "deleting the image instead if you want to remove all image data");
          }
          List<ImageLocation> kept = new java.util.ArrayList<>(current);
          boolean removed = kept.removeIf(new java.util.function.Predicate<>() {
            boolean done;

            @Override
            public boolean test(ImageLocation l) {
              if (!done && storeId.equals(l.metadata().get("store"))) {
                done = true;
                return true;
              }
              return false;
            }
          });
          if (!removed) {
            throw GlintException.notFound("Image " + id + " is not stored in store " + storeId + ".");
          }
          Image.Builder b = image.toBuilder();
          b.updatedAt = later(image.updatedAt());
          return repository.updateWithLocations(b.build(), image.updatedAt(), kept);
        }))
        .compose(result -> {
          if (result.isEmpty()) {
            return retryOrConflict(id, attempt, () -> deleteFromStore(ctx, storeId, id, attempt + 1));
          }
          return scrubber.remove(result.get().removed());
        });
  }

  /** A new location's metadata names its store in multi-store mode, as Glance's get_updated_store_location. */
  private java.util.Map<String, Object> withStore(LocationPatcher.Entry e) {
    String store = e.id() == 0 && !e.metadata().containsKey("store") ? locationChecker.storeOf(e.url()) : null;
    if (store == null) {
      return e.metadata();
    }
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(e.metadata());
    m.put("store", store);
    return m;
  }

  /** Locations of images, for views that show them ({@code show_multiple_locations}, {@code direct_url}). */
  public Future<java.util.Map<String, List<ImageLocation>>> locationsOf(List<Image> images) {
    return repository.locationsOf(images.stream().map(Image::id).toList());
  }

  /** {@code PUT /v2/images/{id}/tags/{tag}}: idempotent. */
  public Future<Image> addTag(RequestContext ctx, String id, String tag) {
    ImageRules.checkTag(tag);
    return events.announce(imageNotFoundAs(id, modify(ctx, id, image -> {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image), "Not allowed to update tags for image " + id + ".");
      Image.Builder b = image.toBuilder();
      b.tags.add(tag);
      try {
        rules.checkQuotas(b.properties, b.tags);
      } catch (GlintException e) {
        throw GlintException.tooLarge("Image tag limit exceeded for image " + id + ": " + e.getMessage() + ":");
      }
      return b.build();
    }, 1)), EventType.IMAGE_UPDATE, id, ctx);
  }

  /** {@code DELETE /v2/images/{id}/tags/{tag}}: 404 when the image does not have the tag. */
  public Future<Image> removeTag(RequestContext ctx, String id, String tag) {
    return events.announce(imageNotFoundAs(id, modify(ctx, id, image -> {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image), "Not allowed to delete tags for image " + id + ".");
      if (!image.tags().contains(tag)) {
        throw GlintException.notFound(null);
      }
      Image.Builder b = image.toBuilder();
      b.tags.remove(tag);
      return b.build();
    }, 1)), EventType.IMAGE_UPDATE, id, ctx);
  }

  /** Tag routes say "Image X not found." for a missing image, as Glance's image_tags controller. */
  private static Future<Image> imageNotFoundAs(String id, Future<Image> result) {
    return result.recover(whenImageMissing(missing -> GlintException.notFound("Image " + id + " not found.")));
  }

  /**
   * A recovery that words a missing image as a route of Glance does ({@code instead}); any other failure passes
   * unchanged. For {@code Future.recover}.
   */
  public static <T> java.util.function.Function<Throwable, Future<T>> whenImageMissing(
      java.util.function.Function<GlintException.ImageNotFound, GlintException> instead) {
    return e -> Future.failedFuture(e instanceof GlintException.ImageNotFound missing ? instead.apply(missing) : e);
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
    return modify(ctx, id, image -> {
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
    }, 1);
  }

  /** The image as {@code ctx} may see it: without the custom properties the property protections hide. */
  public Image readable(RequestContext ctx, Image image) {
    return protections.readable(ctx, image);
  }

  /** Whether {@code ctx} may see the image's locations ({@code locations}, {@code direct_url}, {@code stores}). */
  public boolean locationsReadable(RequestContext ctx, Image image) {
    return policy.allows(ctx, Action.GET_IMAGE_LOCATION, Target.of(image));
  }

  /** Where committed changes are announced (for the services built on this one). */
  public DomainEvents events() {
    return events;
  }

  /** The authorization engine (for the services built on this one). */
  public Policy policy() {
    return policy;
  }

  /**
   * Read-modify-write of one image with optimistic concurrency: the change is computed from a fresh read and
   * saved only if the row is unchanged; otherwise it is recomputed (a few times) from the new state.
   */
  private Future<Image> modify(RequestContext ctx, String id, java.util.function.UnaryOperator<Image> change,
      int attempt) {
    return repository.findFresh(id)
        .compose(found -> visibleOrNotFound(ctx, id, found))
        .compose(image -> {
          Image changed = change.apply(image);
          if (changed.equals(image)) {
            return Future.succeededFuture(image);
          }
          Image.Builder b = changed.toBuilder();
          b.updatedAt = later(image.updatedAt());
          return repository.update(b.build(), image.updatedAt())
              .compose(saved -> {
                if (saved.isPresent()) {
                  return Future.succeededFuture(saved.get());
                }
                return retryOrConflict(id, attempt, () -> modify(ctx, id, change, attempt + 1));
              });
        });
  }

  /** {@code DELETE /v2/images/{id}}. */
  public Future<Void> delete(RequestContext ctx, String id) {
    return events.announce(deleteAttempt(ctx, id, 1), EventType.IMAGE_DELETE, id, ctx);
  }

  private Future<Void> deleteAttempt(RequestContext ctx, String id, int attempt) {
    return repository.findFresh(id)
        .compose(found -> visibleOrNotFound(ctx, id, found))
        .compose(image -> {
          policy.enforce(ctx, Action.DELETE_IMAGE, Target.of(image));
          if (image.isProtected()) {
            throw GlintException.forbidden("Image " + id + " is protected and cannot be deleted.");
          }
          if (!image.status().canTransitionTo(ImageStatus.DELETED)) {
            throw GlintException.badRequest(
                "Image status transition from " + image.status() + " to deleted is not allowed");
          }
          return repository.locations(id).compose(locations -> {
            ImageStatus target = delayedDelete && !locations.isEmpty()
                ? ImageStatus.PENDING_DELETE : ImageStatus.DELETED;
            return repository.markDeleted(id, image.status(), target).compose(done -> {
              if (!done) {
                return retryOrConflict(id, attempt, () -> deleteAttempt(ctx, id, attempt + 1));
              }
              return target == ImageStatus.DELETED ? scrubber.remove(locations) : Future.succeededFuture();
            });
          });
        });
  }

  /**
   * After a lost compare-and-set: tries again ({@code retry}, from a fresh read) unless {@code attempt} was the
   * last of {@link #MAX_UPDATE_ATTEMPTS}; then 409.
   */
  private static <T> Future<T> retryOrConflict(String id, int attempt, java.util.function.Supplier<Future<T>> retry) {
    return attempt >= MAX_UPDATE_ATTEMPTS
        ? Future.failedFuture(GlintException.conflict("Image " + id + " was modified concurrently; retry."))
        : retry.get();
  }

  private Future<Image> visibleOrNotFound(RequestContext ctx, String id, Optional<Image> found) {
    if (found.isEmpty()) {
      return Future.failedFuture(GlintException.imageNotFound(id));
    }
    Image image = found.get();
    Target target = Target.of(image);
    if (!policy.needsMembership(ctx, target)) {
      return policy.allows(ctx, Action.GET_IMAGE, target)
          ? Future.succeededFuture(image)
          : Future.failedFuture(GlintException.imageNotFound(id));
    }
    return repository.isMember(image.id(), ctx.owner())
        .compose(member -> member
            ? Future.succeededFuture(image)
            : Future.failedFuture(GlintException.imageNotFound(id)));
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  private static Instant later(Instant previous) {
    Instant now = now();
    return now.isAfter(previous) ? now : previous.plus(1, ChronoUnit.MICROS);
  }
}
