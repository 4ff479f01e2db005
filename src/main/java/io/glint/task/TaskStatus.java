package io.glint.task;

import java.util.Locale;

/** Glance's task statuses and their transitions ({@code Task._validate_task_status_transition}). */
public enum TaskStatus {
  PENDING,
  PROCESSING,
  SUCCESS,
  FAILURE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TaskStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** Whether the task is over (success or failure): then it expires after {@code task_time_to_live}. */
  public boolean finished() {
    return this == SUCCESS || this == FAILURE;
  }

  public boolean canTransitionTo(TaskStatus target) {
    return switch (this) {
      case PENDING -> target == PROCESSING || target == FAILURE;
      case PROCESSING -> target == SUCCESS || target == FAILURE;
      default -> false;
    };
  }

  @Override
  public String toString() {
    return wireName();
  }
}
