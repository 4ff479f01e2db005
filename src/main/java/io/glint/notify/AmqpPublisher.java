package io.glint.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.glint.config.NotificationSettings;
import io.glint.config.TransportUrl;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oslo.messaging's {@code messagingv2} / {@code messaging} drivers over RabbitMQ's Java client, as its rabbit
 * driver publishes notifications: to the topic exchange {@code control_exchange}, with routing key {@code
 * <topic>.<priority>} for each topic, the queue of that name declared and bound on first use (so that a consumer
 * that comes later finds the events waiting), durable and persistent when {@code amqp_durable_queues}.
 *
 * <p>The client's calls block, so they are all made by one thread of its own; {@link #send} only appends to a
 * bounded buffer (full: the notification is dropped and counted). The thread publishes what waits in batches with
 * publisher confirms, and removes a notification from the buffer only once the broker confirmed it. When the
 * broker is unreachable or fails, it reconnects (trying each host of the transport URL in turn, waiting
 * {@code rabbit_retry_interval} + n × {@code rabbit_retry_backoff}, at most {@code rabbit_interval_max}) and
 * sends again what was not confirmed: at least once, so a consumer may see a notification twice (same {@code
 * message_id}) across a broker failure.
 */
final class AmqpPublisher implements NotificationDriver {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpPublisher.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 256;
  private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

  /** oslo.messaging's two wire forms: the 2.0 envelope ({@code messagingv2}), or the bare message. */
  enum Format { V2, V1 }

  private final NotificationSettings settings;
  private final List<Format> formats;
  private final ArrayDeque<Notification> buffer = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition waiting = lock.newCondition();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong confirmed = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;
  private volatile boolean connected;
  private long closeDeadline;

  // Owned by the publishing thread.
  private Connection connection;
  private Channel channel;
  private final Set<String> declared = new HashSet<>();
  private int nextHost;
  private int failures;

  AmqpPublisher(NotificationSettings settings, List<Format> formats) {
    this.settings = settings;
    this.formats = List.copyOf(formats);
    this.thread = new Thread(this::run, "glint-notifications");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  @Override
  public void send(Notification n) {
    lock.lock();
    try {
      if (closing) {
        return;
      }
      if (buffer.size() >= settings.bufferSize()) {
        long d = dropped.incrementAndGet();
        if (d == 1 || d % 1000 == 0) {
          LOG.warn("Notification buffer full ({} waiting for RabbitMQ): {} notification(s) dropped so far",
              buffer.size(), d);
        }
        return;
      }
      buffer.addLast(n);
      waiting.signal();
    } finally {
      lock.unlock();
    }
  }

  boolean connected() {
    return connected;
  }

  long dropped() {
    return dropped.get();
  }

  long confirmed() {
    return confirmed.get();
  }

  int pending() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closing = true;
      closeDeadline = System.nanoTime() + CLOSE_GRACE.toNanos();
      waiting.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(CLOSE_GRACE.toMillis() + 1000);
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int left = pending();
    if (left > 0) {
      LOG.warn("{} notification(s) not sent to RabbitMQ at shutdown", left);
    }
  }

  // ------------------------------------------------------------------------------ publishing thread

  private void run() {
    try {
      ensureConnected();
    } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
      disconnect(e);
    }
    try {
      while (true) {
        List<Notification> batch = nextBatch();
        if (batch == null) {
          break;
        }
        try {
          ensureConnected();
          publish(batch);
          removeConfirmed(batch.size());
          failures = 0;
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
          if (closing && pastDeadline()) {
            break;
          }
          disconnect(e);
          backOff();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      disconnect(null);
    }
  }

  /** The oldest waiting notifications (still in the buffer), or null when closing and done. */
  private List<Notification> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (buffer.isEmpty()) {
        if (closing) {
          return null;
        }
        waiting.await(1, TimeUnit.SECONDS);
      }
      if (closing && pastDeadline()) {
        return null;
      }
      List<Notification> batch = new ArrayList<>(Math.min(BATCH, buffer.size()));
      for (Notification n : buffer) {
        batch.add(n);
        if (batch.size() == BATCH) {
          break;
        }
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void removeConfirmed(int count) {
    lock.lock();
    try {
      for (int i = 0; i < count; i++) {
        buffer.pollFirst();
      }
    } finally {
      lock.unlock();
    }
    confirmed.addAndGet(count);
  }

  private boolean pastDeadline() {
    return System.nanoTime() - closeDeadline > 0;
  }

  private void publish(List<Notification> batch) throws IOException, InterruptedException,
      java.util.concurrent.TimeoutException {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .contentType("application/json").contentEncoding("utf-8")
        .deliveryMode(settings.durable() ? 2 : 1).build();
    for (Notification n : batch) {
      String priority = n.priority().toLowerCase(java.util.Locale.ROOT);
      for (Format format : formats) {
        for (String topic : settings.topics()) {
          String routingKey = topic + "." + priority;
          declare(routingKey);
          channel.basicPublish(settings.exchange(), routingKey, props, body(n, format));
        }
      }
    }
    channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
  }

  /**
   * The message as oslo's amqp driver sends a notification: the notifier's fields plus {@code _unique_id}
   * ({@code _add_unique_id}), wrapped for {@code messagingv2} in {@code {"oslo.version": "2.0", "oslo.message":
   * "<the message as a JSON string>"}}.
   */
  static byte[] body(Notification n, Format format) throws IOException {
    Map<String, Object> message = n.message();
    message.put("_unique_id", UUID.randomUUID().toString().replace("-", ""));
    if (format == Format.V1) {
      return JSON.writeValueAsBytes(message);
    }
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("oslo.version", "2.0");
    envelope.put("oslo.message", JSON.writeValueAsString(message));
    return JSON.writeValueAsBytes(envelope);
  }

  /** oslo's {@code _publish_and_creates_default_queue}: the exchange, and a queue named as the routing key bound to it. */
  private void declare(String routingKey) throws IOException {
    if (declared.isEmpty()) {
      declareExchange();
    }
    if (declared.add(routingKey)) {
      channel.queueDeclare(routingKey, settings.durable(), false, settings.autoDelete(), null);
      channel.queueBind(routingKey, settings.exchange(), routingKey);
    }
  }

  /**
   * The topic exchange, durable per {@code amqp_durable_queues}; when it exists already with the other durability
   * (shared with services configured otherwise), it is taken as it is, as oslo does (which redeclares it
   * non-durable).
   */
  private void declareExchange() throws IOException {
    boolean durable = settings.durable();
    try {
      channel.exchangeDeclare(settings.exchange(), "topic", durable, settings.autoDelete(), null);
    } catch (IOException e) {
      if (!String.valueOf(e.getCause()).contains("inequivalent arg 'durable'")) {
        throw e;
      }
      LOG.warn("Exchange {} exists {}durable, unlike amqp_durable_queues: used as it is", settings.exchange(),
          durable ? "non-" : "");
      channel = connection.createChannel();
      channel.confirmSelect();
      channel.exchangeDeclare(settings.exchange(), "topic", !durable, settings.autoDelete(), null);
    }
    declared.add("");
  }

  private void ensureConnected() throws IOException, java.util.concurrent.TimeoutException {
    if (channel != null && channel.isOpen()) {
      return;
    }
    disconnect(null);
    List<TransportUrl.Host> hosts = settings.transportUrl().hosts();
    Exception last = null;
    for (int i = 0; i < hosts.size(); i++) {
      TransportUrl.Host host = hosts.get((nextHost + i) % hosts.size());
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUsername(host.username());
      factory.setPassword(host.password());
      factory.setVirtualHost(settings.transportUrl().virtualHost());
      factory.setAutomaticRecoveryEnabled(false);
      factory.setTopologyRecoveryEnabled(false);
      factory.setConnectionTimeout(5000);
      factory.setHandshakeTimeout(5000);
      factory.setShutdownTimeout(2000);
      factory.setRequestedHeartbeat(settings.heartbeatSeconds());
      try {
        connection = factory.newConnection(new Address[] {new Address(host.host(), host.port())},
            "glint " + settings.publisherId());
        channel = connection.createChannel();
        channel.confirmSelect();
        declared.clear();
        nextHost = (nextHost + i) % hosts.size();
        connected = true;
        LOG.info("Notifications: connected to RabbitMQ at {}", host);
        return;
      } catch (IOException | java.util.concurrent.TimeoutException e) {
        last = e;
        LOG.debug("RabbitMQ at {} unreachable: {}", host, e.toString());
        disconnect(null);
      }
    }
    nextHost = (nextHost + 1) % hosts.size();
    throw last instanceof IOException io ? io : new IOException("no RabbitMQ host reachable", last);
  }

  private void disconnect(Exception cause) {
    if (cause != null && (connected || failures == 0)) {
      LOG.warn("Notifications: RabbitMQ connection lost or unusable ({}); {} notification(s) wait, reconnecting",
          cause.toString(), pending());
    }
    connected = false;
    Connection c = connection;
    connection = null;
    channel = null;
    if (c != null) {
      try {
        c.abort(2000);
      } catch (RuntimeException e) {
        LOG.debug("Closing the RabbitMQ connection: {}", e.toString());
      }
    }
  }

  /** Waits before the next attempt, as oslo: interval + failures × backoff, at most the maximum. */
  private void backOff() throws InterruptedException {
    long millis = Math.min(settings.retryMax().toMillis(),
        settings.retryInterval().toMillis() + failures * settings.retryBackoff().toMillis());
    failures++;
    lock.lock();
    try {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (System.nanoTime() < until) {
        if (closing && pastDeadline()) {
          return;
        }
        waiting.awaitNanos(Math.min(until - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(200)));
      }
    } finally {
      lock.unlock();
    }
  }
}
