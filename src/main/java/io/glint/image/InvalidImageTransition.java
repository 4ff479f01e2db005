package io.glint.image;

/**
 * A status change the transition table forbids: a conflict with the image's current state (409, as Glance's
 * {@code InvalidImageStatusTransition}), unless a caller words it otherwise.
 */
public final class InvalidImageTransition extends io.glint.error.GlintException {
  private final ImageStatus from;
  private final ImageStatus to;

  public InvalidImageTransition(ImageStatus from, ImageStatus to) {
    super(Kind.CONFLICT, "Image status transition from " + from + " to " + to + " is not allowed");
    this.from = from;
    this.to = to;
  }

  public ImageStatus from() {
    return from;
  }

  public ImageStatus to() {
    return to;
  }
}
