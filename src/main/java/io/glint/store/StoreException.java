package io.glint.store;

/** A store failure with Glance's store error meaning. */
public final class StoreException extends RuntimeException {

  /** glance_store's exception classes that matter for HTTP mapping. */
  public enum Reason {
    NOT_FOUND,
    STORAGE_FULL,
    WRITE_DENIED,
    ADD_DISABLED,
    RANGE_NOT_SUPPORTED,
    UNAVAILABLE,
    INVALID_LOCATION
  }

  private final Reason reason;

  public StoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public StoreException(Reason reason, String message) {
    this(reason, message, null);
  }

  public Reason reason() {
    return reason;
  }
}
