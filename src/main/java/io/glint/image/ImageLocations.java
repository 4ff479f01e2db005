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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where an image's data is: the {@code /locations} of a JSON-patch (with the other operations of the same
 * patch, saved together), the per-store delete of multi-store mode, and the locations views show. Data of a
 * removed location is removed from its store, as Glance does.
 */
public final class ImageLocations {
  private final ImageRepository repository;
  private final ImageLookup lookup;
  private final ImageUpdater updater;
  private final Policy policy;
  private final ImagePatcher patcher;
  private final LocationPatcher locationPatcher;
  /** The legacy v1 API's {@code x-image-meta-location}: v1 had no show_multiple_locations switch. */
  private final LocationPatcher v1LocationPatcher;
  private final LocationChecker locationChecker;
  private final Scrubber scrubber;
  private final DomainEvents events;

  /** Glance's show_multiple_locations, image_location_quota and hashing_algorithm. */
  public record Settings(boolean showMultipleLocations, int quota, String hashAlgo) {}

  /** A patched image with its live locations as saved (for the response: no need to read them again). */
  public record Patched(Image image, List<ImageLocation> locations) {}

  public ImageLocations(ImageRepository repository, ImageLookup lookup, Policy policy,
      PropertyProtections protections, ImageRules rules, Settings settings, LocationChecker locationChecker,
      Scrubber scrubber, DomainEvents events) {
    this.repository = repository;
    this.lookup = lookup;
    this.updater = new ImageUpdater(repository, lookup);
    this.policy = policy;
    this.patcher = new ImagePatcher(policy, protections, rules);
    this.locationPatcher = new LocationPatcher(policy, settings.showMultipleLocations(), settings.quota(),
        settings.hashAlgo());
    this.v1LocationPatcher = new LocationPatcher(policy, true, settings.quota(), settings.hashAlgo());
    this.locationChecker = locationChecker;
    this.scrubber = scrubber;
    this.events = events;
  }

  /** Whether a patch changes locations, and so is {@link #patch}'s rather than {@link ImageService#update}'s. */
  public static boolean touchesLocations(List<PatchOp> ops) {
    return ops.stream().anyMatch(op -> op.root().equals("locations"));
  }

  /**
   * {@code PATCH /v2/images/{id}} with {@code /locations} operations: all changes are saved at once, or none.
   * New URLs are checked (and sized) after the checks that need no network and before anything is saved; the
   * image read for those checks is the one the first attempt changes.
   */
  public Future<Patched> patch(RequestContext ctx, String id, List<PatchOp> ops) {
    return patch(ctx, id, ops, locationPatcher);
  }

  /**
   * The legacy v1 API's {@code x-image-meta-location}: adds {@code url} as the image's location (which activates a
   * queued image), with the same checks as a v2 patch (policy {@code set_image_location}, outbound filtering, a
   * store serving it, its size) whatever {@code show_multiple_locations} says, as v1 had no such switch.
   */
  public Future<Patched> register(RequestContext ctx, String id, String url) {
    PatchOp op = new PatchOp("add", List.of("locations", "-"), Map.of("url", url, "metadata", Map.of()), false);
    return patch(ctx, id, List.of(op), v1LocationPatcher);
  }

  private Future<Patched> patch(RequestContext ctx, String id, List<PatchOp> ops, LocationPatcher lp) {
    Future<ImageRepository.LocationUpdate> saved = lookup.visibleFresh(ctx, id)
        .compose(image -> {
          policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
          lp.precheck(ctx, Target.of(image), ops);
          return checkNewLocations(ops)
              .compose(sizes -> updater.untilSaved(ctx, image, current -> savePatch(ctx, current, ops, sizes, lp)));
        })
        .compose(result -> scrubber.remove(result.removed()).map(result));
    return saved
        .onSuccess(result -> events.publish(DomainEvent.of(EventType.IMAGE_UPDATE, id, result.image(), ctx)))
        .map(result -> new Patched(result.image(), result.locations()));
  }

  /** Checks every URL a patch would add (scheme, outbound filtering, a store serving it) and sizes it. */
  private Future<Map<String, Long>> checkNewLocations(List<PatchOp> ops) {
    Map<String, Long> sizes = new ConcurrentHashMap<>();
    List<Future<Void>> checks = new ArrayList<>();
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

  /** One attempt at saving a patch with locations; empty when the image changed meanwhile. */
  private Future<Optional<ImageRepository.LocationUpdate>> savePatch(RequestContext ctx, Image image,
      List<PatchOp> ops, Map<String, Long> sizes, LocationPatcher lp) {
    return repository.locations(image.id()).compose(current -> {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
      Image.Builder b = image.toBuilder();
      List<LocationPatcher.Entry> locations = new ArrayList<>();
      current.forEach(l -> locations.add(new LocationPatcher.Entry(l.id(), l.url(), l.metadata())));
      for (PatchOp op : ops) {
        if (op.root().equals("locations")) {
          lp.apply(ctx, Target.of(image), b, locations, op, sizes);
        } else {
          patcher.applyOne(ctx, b, op);
        }
      }
      patcher.checkQuotas(b);
      b.updatedAt = ImageUpdater.later(image.updatedAt());
      List<ImageLocation> wanted = locations.stream()
          .map(e -> new ImageLocation(e.id(), image.id(), e.url(), withStore(e)))
          .toList();
      return repository.updateWithLocations(b.build(), image.updatedAt(), wanted);
    });
  }

  /** A new location's metadata names its store in multi-store mode, as Glance's get_updated_store_location. */
  private Map<String, Object> withStore(LocationPatcher.Entry e) {
    String store = e.id() == 0 && !e.metadata().containsKey("store") ? locationChecker.storeOf(e.url()) : null;
    if (store == null) {
      return e.metadata();
    }
    Map<String, Object> m = new LinkedHashMap<>(e.metadata());
    m.put("store", store);
    return m;
  }

  /**
   * {@code DELETE /v2/stores/{store}/{image}} (multi-store): removes the image's data from one store, never from
   * the last one. Admin only (policy {@code delete_image_location}).
   */
  public Future<Void> deleteFromStore(RequestContext ctx, String storeId, String id) {
    Future<Void> deleted = lookup.visibleFresh(ctx, id)
        .compose(image -> updater.untilSaved(ctx, image, current -> removeStoreLocation(ctx, storeId, current)))
        .recover(ImageLookup.whenImageMissing(missing -> GlintException.notFound("Failed to find image " + id)))
        .compose(result -> scrubber.remove(result.removed()));
    return events.announce(deleted, EventType.IMAGE_UPDATE, id, ctx);
  }

  /** One attempt at dropping the image's location in {@code storeId}; empty when the image changed meanwhile. */
  private Future<Optional<ImageRepository.LocationUpdate>> removeStoreLocation(RequestContext ctx,
      String storeId, Image image) {
    return repository.locations(image.id()).compose(current -> {
      policy.enforce(ctx, Action.DELETE_IMAGE_LOCATION, Target.of(image));
      if (!image.status().allowsLocationRemoval()) {
        throw GlintException.conflict(
            "It's not allowed to remove image data from store if image status is not 'active'");
      }
      if (current.size() == 1) {
        throw GlintException.forbidden("Cannot delete image data from the only store containing it. Consider "
            + "deleting the image instead if you want to remove all image data");
      }
      List<ImageLocation> kept = new ArrayList<>(current);
      ImageLocation inStore = current.stream()
          .filter(l -> storeId.equals(l.metadata().get("store")))
          .findFirst()
          .orElseThrow(() -> GlintException.notFound("Image " + image.id() + " is not stored in store " + storeId
              + "."));
      kept.remove(inStore);
      Image.Builder b = image.toBuilder();
      b.updatedAt = ImageUpdater.later(image.updatedAt());
      return repository.updateWithLocations(b.build(), image.updatedAt(), kept);
    });
  }

  /** Whether {@code ctx} may see the image's locations ({@code locations}, {@code direct_url}, {@code stores}). */
  public boolean readable(RequestContext ctx, Image image) {
    return policy.allows(ctx, Action.GET_IMAGE_LOCATION, Target.of(image));
  }

  /** Locations of images, for views that show them ({@code show_multiple_locations}, {@code direct_url}). */
  public Future<Map<String, List<ImageLocation>>> of(List<Image> images) {
    return repository.locationsOf(images.stream().map(Image::id).toList());
  }
}
