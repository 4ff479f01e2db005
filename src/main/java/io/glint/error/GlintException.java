package io.glint.error;

/**
 * A failure the API reports to the client. Inner layers throw it with a {@link Kind} that says what went
 * wrong in domain terms; the HTTP layer ({@code io.glint.http.FailureHandler}) is the one place that turns a
 * kind into a status code and a Glance-shaped body.
 */
public class GlintException extends RuntimeException {

  /** What went wrong, in domain terms. The HTTP mapping lives in {@code io.glint.http.HttpErrors}. */
  public enum Kind {
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    CONFLICT,
    GONE,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    RANGE_NOT_SATISFIABLE,
    HEADER_TOO_LARGE,
    UNAVAILABLE,
    /** The server refuses work to protect itself (a resource bound is reached); logged where it is decided. */
    OVERLOADED,
    NOT_IMPLEMENTED
  }

  private final Kind kind;

  public GlintException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public static GlintException badRequest(String message) {
    return new GlintException(Kind.BAD_REQUEST, message);
  }

  public static GlintException forbidden(String message) {
    return new GlintException(Kind.FORBIDDEN, message);
  }

  public static GlintException notFound(String message) {
    return new GlintException(Kind.NOT_FOUND, message);
  }

  public static GlintException conflict(String message) {
    return new GlintException(Kind.CONFLICT, message);
  }

  public static GlintException tooLarge(String message) {
    return new GlintException(Kind.TOO_LARGE, message);
  }

  public static GlintException unauthorized(String message) {
    return new GlintException(Kind.UNAUTHORIZED, message);
  }

  public static GlintException unsupportedMediaType(String message) {
    return new GlintException(Kind.UNSUPPORTED_MEDIA_TYPE, message);
  }

  public static GlintException imageNotFound(String id) {
    return new ImageNotFound(id);
  }

  /** No image with this id, or none the caller may see: a 404 that callers can recognise by type. */
  public static final class ImageNotFound extends GlintException {
    private final String imageId;

    ImageNotFound(String imageId) {
      super(Kind.NOT_FOUND, "No image found with ID " + imageId);
      this.imageId = imageId;
    }

    public String imageId() {
      return imageId;
    }
  }
}
