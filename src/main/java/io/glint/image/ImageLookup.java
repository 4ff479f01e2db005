package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the image a caller may see ({@code get_image}, membership of shared images), or fails with the typed
 * {@link GlintException.ImageNotFound}: a missing image and one the caller cannot see look the same. Routes
 * that word a missing image otherwise do it here, with {@link #whenImageMissing}.
 */
public final class ImageLookup {
  private final ImageRepository repository;
  private final Policy policy;

  public ImageLookup(ImageRepository repository, Policy policy) {
    this.repository = repository;
    this.policy = policy;
  }

  /** The image as this node may have it cached: for reads. */
  public Future<Image> visible(RequestContext ctx, String id) {
    return repository.find(id).compose(found -> visibleOrNotFound(ctx, id, found));
  }

  /** The image as the database has it now (no cache): for checks that decide a change. */
  public Future<Image> visibleFresh(RequestContext ctx, String id) {
    return repository.findFresh(id).compose(found -> visibleOrNotFound(ctx, id, found));
  }

  /** {@code found} if the caller may see it; else, or when there is none, {@link GlintException.ImageNotFound}. */
  Future<Image> visibleOrNotFound(RequestContext ctx, String id, Optional<Image> found) {
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

  /**
   * A recovery that words a missing image as a route of Glance does ({@code instead}); any other failure passes
   * unchanged. For {@code Future.recover}.
   */
  public static <T> Function<Throwable, Future<T>> whenImageMissing(
      Function<GlintException.ImageNotFound, GlintException> instead) {
    return e -> Future.failedFuture(e instanceof GlintException.ImageNotFound missing ? instead.apply(missing) : e);
  }

  /**
   * The routes of an image's parts (tags, members) say "Image X not found." for a missing image, as Glance's
   * image_tags and image_members controllers do.
   */
  public static <T> Function<Throwable, Future<T>> whenParentImageMissing(String id) {
    return whenImageMissing(missing -> GlintException.notFound("Image " + id + " not found."));
  }
}
