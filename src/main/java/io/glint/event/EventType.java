package io.glint.event;

/** The kinds of {@link DomainEvent}, named as Glance's notifications are. */
public enum EventType {
  IMAGE_CREATE("image.create"),
  IMAGE_UPDATE("image.update"),
  IMAGE_UPLOAD("image.upload"),
  IMAGE_ACTIVATE("image.activate"),
  IMAGE_DEACTIVATE("image.deactivate"),
  IMAGE_REACTIVATE("image.reactivate"),
  IMAGE_DELETE("image.delete"),
  IMAGE_MEMBER_CREATE("image.member.create"),
  IMAGE_MEMBER_UPDATE("image.member.update"),
  IMAGE_MEMBER_DELETE("image.member.delete");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** Glance's event type string. */
  public String wireName() {
    return wireName;
  }
}
