package io.glint.event;

/** The kinds of {@link DomainEvent}, named as Glance's notifications are. */
public enum EventType {
  IMAGE_CREATE("image.create"),
  IMAGE_UPDATE("image.update"),
  /** Data is about to be written (subject: the image, in saving). */
  IMAGE_PREPARE("image.prepare"),
  /** Data was written (subject: the image); or failed to be (subject: an {@link EventFailure}). */
  IMAGE_UPLOAD("image.upload"),
  IMAGE_ACTIVATE("image.activate"),
  IMAGE_DEACTIVATE("image.deactivate"),
  IMAGE_REACTIVATE("image.reactivate"),
  IMAGE_DELETE("image.delete"),
  /** A download ended (subject: an {@code ImageSent}). */
  IMAGE_SEND("image.send"),
  IMAGE_MEMBER_CREATE("image.member.create"),
  IMAGE_MEMBER_UPDATE("image.member.update"),
  IMAGE_MEMBER_DELETE("image.member.delete"),
  /** Task events: the subject is the task as it is after the change. */
  TASK_CREATE("task.create"),
  TASK_RUN("task.run"),
  TASK_PROCESSING("task.processing"),
  TASK_SUCCESS("task.success"),
  TASK_FAILURE("task.failure");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** Glance's event type string. */
  public String wireName() {
    return wireName;
  }
}
