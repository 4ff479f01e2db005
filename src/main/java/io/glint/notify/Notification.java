package io.glint.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One notification as oslo.messaging's {@code Notifier._notify} builds it: {@code message_id}, {@code publisher_id},
 * {@code event_type}, {@code priority} (upper case), {@code payload} and {@code timestamp} (Python's {@code
 * str(datetime.utcnow())}, {@code YYYY-MM-DD HH:MM:SS.ffffff}).
 */
public record Notification(String messageId, String publisherId, String eventType, String priority, Object payload,
    String timestamp) {

  public static final String INFO = "INFO";
  public static final String ERROR = "ERROR";

  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
      .withZone(ZoneOffset.UTC);

  public static Notification of(String publisherId, String eventType, String priority, Object payload, Instant at) {
    return new Notification(UUID.randomUUID().toString(), publisherId, eventType, priority, payload,
        TIMESTAMP.format(at));
  }

  /** The message's fields in oslo's order, as a map ready for JSON. */
  public Map<String, Object> message() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message_id", messageId);
    m.put("publisher_id", publisherId);
    m.put("event_type", eventType);
    m.put("priority", priority);
    m.put("payload", payload);
    m.put("timestamp", timestamp);
    return m;
  }
}
