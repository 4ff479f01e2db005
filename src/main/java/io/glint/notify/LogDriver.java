package io.glint.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oslo.messaging's {@code log} driver: each notification is one log line, the message as JSON, on the logger
 * {@code oslo.messaging.notification.<event_type>} at the notification's priority.
 */
final class LogDriver implements NotificationDriver {
  static final String LOGGER_BASE = "oslo.messaging.notification";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void send(Notification n) {
    Logger log = LoggerFactory.getLogger(LOGGER_BASE + "." + n.eventType());
    boolean enabled = switch (n.priority()) {
      case Notification.ERROR, "CRITICAL" -> log.isErrorEnabled();
      case "WARN", "WARNING" -> log.isWarnEnabled();
      case "DEBUG" -> log.isDebugEnabled();
      default -> log.isInfoEnabled();
    };
    if (!enabled) {
      return;
    }
    String line;
    try {
      line = JSON.writeValueAsString(n.message());
    } catch (JsonProcessingException e) {
      line = n.eventType() + " (payload not serialisable: " + e.getOriginalMessage() + ")";
    }
    switch (n.priority()) {
      case Notification.ERROR, "CRITICAL" -> log.error(line);
      case "WARN", "WARNING" -> log.warn(line);
      case "DEBUG" -> log.debug(line);
      default -> log.info(line);
    }
  }
}
