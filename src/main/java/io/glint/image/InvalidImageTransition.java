package io.glint.image;

/** A status change the transition table forbids. Callers decide the HTTP meaning (409 or 400, as Glance). */
public final class InvalidImageTransition extends RuntimeException {
  private final ImageStatus from;
  private final ImageStatus to;

  public InvalidImageTransition(ImageStatus from, ImageStatus to) {
    super("Image status transition from " + from + " to " + to + " is not allowed", null, false, false);
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
