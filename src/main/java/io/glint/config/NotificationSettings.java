package io.glint.config;

import static io.glint.config.Options.*;

import java.time.Duration;
import java.util.List;

/**
 * Notifications, as Glance sends them through oslo.messaging.
 *
 * @param drivers [oslo_messaging_notifications] driver: messagingv2, messaging, log, noop (empty: none)
 * @param transportUrl the broker: [oslo_messaging_notifications] transport_url, else [DEFAULT] transport_url, else
 *     oslo.messaging's default ({@link TransportUrl#DEFAULT})
 * @param topics [oslo_messaging_notifications] topics
 * @param exchange [DEFAULT] control_exchange
 * @param publisherId [DEFAULT] default_publisher_id, or image.&lt;host name&gt;
 * @param disabled [DEFAULT] disabled_notifications
 * @param bufferSize most notifications waiting for the broker
 * @param durable [oslo_messaging_rabbit] amqp_durable_queues
 * @param autoDelete [oslo_messaging_rabbit] amqp_auto_delete
 * @param retryInterval first wait before reconnecting
 * @param retryBackoff added to the wait after each failed attempt
 * @param retryMax longest wait between attempts
 * @param heartbeatSeconds AMQP heartbeat (0: none)
 */
public record NotificationSettings(List<String> drivers, TransportUrl transportUrl, List<String> topics,
    String exchange, String publisherId, List<String> disabled, int bufferSize, boolean durable, boolean autoDelete,
    Duration retryInterval, Duration retryBackoff, Duration retryMax, int heartbeatSeconds) {

  static NotificationSettings from(GlintConfig c) {
    String url = c.get(NOTIFICATION_TRANSPORT_URL);
    if (url == null) {
      url = c.get(TRANSPORT_URL);
    }
    String publisher = c.get(DEFAULT_PUBLISHER_ID);
    return new NotificationSettings(c.get(NOTIFICATION_DRIVER), TransportUrl.parse(url == null ? TransportUrl.DEFAULT : url),
        c.get(NOTIFICATION_TOPICS), c.get(CONTROL_EXCHANGE), publisher == null ? "image." + hostName() : publisher,
        c.get(DISABLED_NOTIFICATIONS), c.get(NOTIFICATION_BUFFER_SIZE), c.get(AMQP_DURABLE_QUEUES),
        c.get(AMQP_AUTO_DELETE), seconds(c.get(RABBIT_RETRY_INTERVAL)), seconds(c.get(RABBIT_RETRY_BACKOFF)),
        seconds(c.get(RABBIT_INTERVAL_MAX)), c.get(HEARTBEAT_TIMEOUT_THRESHOLD));
  }

  /** Whether a driver that publishes to RabbitMQ is configured. */
  public boolean usesBroker() {
    return drivers.contains("messagingv2") || drivers.contains("messaging");
  }

  private static Duration seconds(double s) {
    return Duration.ofMillis(Math.round(s * 1000));
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
