package io.glint.image;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Image statuses with Glance's transition table ({@code Image.valid_state_targets}, glance/domain), and what each
 * status allows: the one place that decides it. A refused transition is an {@link InvalidImageTransition} (409),
 * which a caller words otherwise where Glance does.
 */
public enum ImageStatus {
  QUEUED,
  SAVING,
  UPLOADING,
  IMPORTING,
  ACTIVE,
  DEACTIVATED,
  KILLED,
  DELETED,
  PENDING_DELETE;

  private Set<ImageStatus> targets;
  /** {@link #name()} lower-cased once (the wire name is on every rendered image). */
  private final String wire = name().toLowerCase(Locale.ROOT);

  private static final ImageStatus[] VALUES = values();

  static {
    QUEUED.targets = EnumSet.of(SAVING, UPLOADING, IMPORTING, ACTIVE, DELETED);
    SAVING.targets = EnumSet.of(ACTIVE, KILLED, DELETED, QUEUED);
    UPLOADING.targets = EnumSet.of(IMPORTING, QUEUED, DELETED);
    IMPORTING.targets = EnumSet.of(ACTIVE, DELETED, QUEUED);
    ACTIVE.targets = EnumSet.of(PENDING_DELETE, DELETED, DEACTIVATED);
    KILLED.targets = EnumSet.of(DELETED);
    PENDING_DELETE.targets = EnumSet.of(DELETED, ACTIVE);
    DEACTIVATED.targets = EnumSet.of(ACTIVE, DELETED);
    DELETED.targets = EnumSet.noneOf(ImageStatus.class);
  }

  /** The wire name, e.g. {@code pending_delete}. */
  public String wireName() {
    return wire;
  }

  public static ImageStatus fromWire(String value) {
    for (ImageStatus s : VALUES) {
      if (s.wire.equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("Unknown image status: " + value);
  }

  public boolean canTransitionTo(ImageStatus target) {
    return targets.contains(target);
  }

  /**
   * Whether image data may be added: by an upload (to saving) or by a first location (to active). Only a queued
   * image takes data; only then may it be given the digests of its data ({@code validation_data}).
   */
  public boolean acceptsData() {
    return this == QUEUED;
  }

  /** Whether locations may be added or replaced: an active image's, or a queued one's (which becomes active). */
  public boolean acceptsLocations() {
    return this == ACTIVE || this == QUEUED;
  }

  /** Whether a location, and its data in a store, may be removed: only an active image's. */
  public boolean allowsLocationRemoval() {
    return this == ACTIVE;
  }

  /** Whether {@code disk_format} and {@code container_format} may still change: before the image has data. */
  public boolean formatsChangeable() {
    return this == QUEUED || this == IMPORTING;
  }

  /** Whether the image's data is served (to whom is the policy's {@code download_image}). */
  public boolean servesData() {
    return this == ACTIVE || this == DEACTIVATED;
  }

  /**
   * The status after Glance's deactivate action: active becomes deactivated, deactivated stays.
   *
   * @throws InvalidImageTransition from any other status
   */
  public ImageStatus deactivate() {
    return toggle(ACTIVE, DEACTIVATED);
  }

  /**
   * The status after Glance's reactivate action: deactivated becomes active, active stays.
   *
   * @throws InvalidImageTransition from any other status
   */
  public ImageStatus reactivate() {
    return toggle(DEACTIVATED, ACTIVE);
  }

  private ImageStatus toggle(ImageStatus from, ImageStatus to) {
    if (this == to) {
      return this;
    }
    if (this != from) {
      throw new InvalidImageTransition(this, to);
    }
    return transitionTo(to);
  }

  /** Whether this transition leaves the data-less states and so needs both formats set (Glance rule). */
  public boolean needsFormatsFor(ImageStatus target) {
    return (this == QUEUED || this == UPLOADING)
        && (target == SAVING || target == ACTIVE || target == IMPORTING);
  }

  /**
   * Checks a transition as Glance's {@code Image.status} setter does.
   *
   * @throws InvalidImageTransition when the table forbids it
   */
  public ImageStatus transitionTo(ImageStatus target) {
    if (!canTransitionTo(target)) {
      throw new InvalidImageTransition(this, target);
    }
    return target;
  }

  @Override
  public String toString() {
    return wireName();
  }
}
