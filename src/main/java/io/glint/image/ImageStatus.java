package io.glint.image;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Image statuses with Glance's transition table ({@code Image.valid_state_targets}, glance/domain). */
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
    return name().toLowerCase(Locale.ROOT);
  }

  public static ImageStatus fromWire(String value) {
    for (ImageStatus s : values()) {
      if (s.wireName().equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException("Unknown image status: " + value);
  }

  public boolean canTransitionTo(ImageStatus target) {
    return targets.contains(target);
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
