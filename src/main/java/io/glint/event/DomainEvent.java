package io.glint.event;

import io.glint.auth.RequestContext;
import java.time.Instant;

/**
 * Something that happened to an image, published after the change was committed. {@code type} is Glance's
 * notification event type ({@code image.create}, {@code image.member.update}, ...); {@code subject} is the
 * image or member as it is after the change (for a deletion, as it was); {@code actor} is who did it.
 */
public record DomainEvent(EventType type, String imageId, Object subject, RequestContext actor, Instant at) {

  public static DomainEvent of(EventType type, String imageId, Object subject, RequestContext actor) {
    return new DomainEvent(type, imageId, subject, actor, Instant.now());
  }
}
