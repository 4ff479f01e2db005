package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.vertx.core.Future;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Changes to an image under optimistic concurrency: each attempt computes its change from the image as read and
 * saves it only if the row is unchanged (compare-and-set on {@code updated_at} or status); a lost race is
 * computed again from a fresh read, and after {@link #MAX_ATTEMPTS} lost races answered 409.
 */
final class ImageUpdater {
  /**
   * Each lost race means another writer's change was saved, and each writer saves once: with n writers changing
   * one image at the same moment, none loses more than n - 1 times. Up to 16 concurrent writers of one image all
   * succeed; more than that may get a 409 to retry.
   */
  static final int MAX_ATTEMPTS = 16;

  private final ImageRepository repository;
  private final ImageLookup lookup;

  ImageUpdater(ImageRepository repository, ImageLookup lookup) {
    this.repository = repository;
    this.lookup = lookup;
  }

  /** Read-modify-write of the image record: {@code change} may throw to refuse; an unchanged image is not saved. */
  Future<Image> modify(RequestContext ctx, String id, UnaryOperator<Image> change) {
    return lookup.visibleFresh(ctx, id)
        .compose(image -> untilSaved(ctx, image, current -> save(current, change.apply(current))));
  }

  private Future<Optional<Image>> save(Image image, Image changed) {
    if (changed.equals(image)) {
      return Future.succeededFuture(Optional.of(image));
    }
    Image.Builder b = changed.toBuilder();
    b.updatedAt = later(image.updatedAt());
    return repository.update(b.build(), image.updatedAt());
  }

  /**
   * The compare-and-set loop. {@code attempt} computes a change from the image it is given and saves it,
   * answering empty when the row changed meanwhile; it first gets {@code image} (already loaded by the caller),
   * then, after each lost race, the image read afresh. After {@link #MAX_ATTEMPTS} lost races: 409.
   */
  <T> Future<T> untilSaved(RequestContext ctx, Image image, Function<Image, Future<Optional<T>>> attempt) {
    return untilSaved(ctx, image, attempt, 1);
  }

  private <T> Future<T> untilSaved(RequestContext ctx, Image image, Function<Image, Future<Optional<T>>> attempt,
      int attempted) {
    return Future.succeededFuture(image).compose(attempt).compose(saved -> {
      if (saved.isPresent()) {
        return Future.succeededFuture(saved.get());
      }
      if (attempted >= MAX_ATTEMPTS) {
        return Future.failedFuture(
            GlintException.conflict("Image " + image.id() + " was modified concurrently; retry."));
      }
      return lookup.visibleFresh(ctx, image.id()).compose(fresh -> untilSaved(ctx, fresh, attempt, attempted + 1));
    });
  }

  /** Now, at the precision the database keeps. */
  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /** A new {@code updated_at}: now, or just after {@code previous} when the clock has not moved past it. */
  static Instant later(Instant previous) {
    Instant now = now();
    return now.isAfter(previous) ? now : previous.plus(1, ChronoUnit.MICROS);
  }
}
