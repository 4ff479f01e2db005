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
  TASK_FAILURE("task.failure"),
  /** Metadata definition events: the subject is a {@code MetadefChange}. */
  METADEF_NAMESPACE_CREATE("metadef_namespace.create"),
  METADEF_NAMESPACE_UPDATE("metadef_namespace.update"),
  METADEF_NAMESPACE_DELETE("metadef_namespace.delete"),
  METADEF_NAMESPACE_DELETE_OBJECTS("metadef_namespace.delete_objects"),
  METADEF_NAMESPACE_DELETE_PROPERTIES("metadef_namespace.delete_properties"),
  METADEF_NAMESPACE_DELETE_TAGS("metadef_namespace.delete_tags"),
  METADEF_OBJECT_CREATE("metadef_object.create"),
  METADEF_OBJECT_UPDATE("metadef_object.update"),
  METADEF_OBJECT_DELETE("metadef_object.delete"),
  METADEF_PROPERTY_CREATE("metadef_property.create"),
  METADEF_PROPERTY_UPDATE("metadef_property.update"),
  METADEF_PROPERTY_DELETE("metadef_property.delete"),
  METADEF_RESOURCE_TYPE_CREATE("metadef_resource_type.create"),
  METADEF_RESOURCE_TYPE_DELETE("metadef_resource_type.delete"),
  METADEF_TAG_CREATE("metadef_tag.create"),
  METADEF_TAG_UPDATE("metadef_tag.update"),
  METADEF_TAG_DELETE("metadef_tag.delete");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** Glance's event type string. */
  public String wireName() {
    return wireName;
  }
}
