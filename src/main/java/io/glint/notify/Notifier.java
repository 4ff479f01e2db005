package io.glint.notify;

import io.glint.config.NotificationSettings;
import io.glint.event.DomainEvent;
import io.glint.event.DomainEvents;
import io.glint.event.EventFailure;
import io.glint.event.EventType;
import io.glint.image.ImageSent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's notifier: listens to the {@link DomainEvents}, turns each event into Glance's notification (its event
 * type, priority and payload), leaves out those of {@code disabled_notifications}, and hands the rest to the
 * configured drivers ({@code [oslo_messaging_notifications] driver}). Never blocks nor fails the change it
 * reports: the RabbitMQ drivers only put the notification in their buffer.
 */
public final class Notifier {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  private final NotificationSettings settings;
  private final NotificationFilter filter;
  private final List<NotificationDriver> drivers;
  private final AmqpPublisher publisher;
  private final Consumer<DomainEvent> listener = this::onEvent;
  private DomainEvents events;

  private Notifier(NotificationSettings settings, List<NotificationDriver> drivers, AmqpPublisher publisher) {
    this.settings = settings;
    this.filter = new NotificationFilter(settings.disabled());
    this.drivers = drivers;
    this.publisher = publisher;
  }

  /**
   * The notifier of {@code settings}, listening to {@code events}; with no driver (or only noop) it listens to
   * nothing. The RabbitMQ publisher, if any, starts connecting in the background.
   */
  public static Notifier start(NotificationSettings settings, DomainEvents events) {
    List<NotificationDriver> drivers = new ArrayList<>();
    AmqpPublisher publisher = null;
    List<AmqpPublisher.Format> formats = new ArrayList<>();
    if (settings.drivers().contains("messagingv2")) {
      formats.add(AmqpPublisher.Format.V2);
    }
    if (settings.drivers().contains("messaging")) {
      formats.add(AmqpPublisher.Format.V1);
    }
    if (!formats.isEmpty()) {
      publisher = new AmqpPublisher(settings, formats);
      drivers.add(publisher);
    }
    if (settings.drivers().contains("log")) {
      drivers.add(new LogDriver());
    }
    Notifier notifier = new Notifier(settings, drivers, publisher);
    if (!drivers.isEmpty()) {
      LOG.info("Notifications: drivers {}, publisher {}{}", settings.drivers(), settings.publisherId(),
          publisher == null ? "" : ", RabbitMQ " + settings.transportUrl() + " exchange " + settings.exchange()
              + " topics " + settings.topics());
      notifier.events = events;
      events.subscribe(notifier.listener);
      if (publisher != null) {
        publisher.start();
      }
    }
    return notifier;
  }

  private void onEvent(DomainEvent event) {
    String type = eventType(event.type());
    if (!filter.enabled(type)) {
      return;
    }
    Object payload = Payloads.of(event);
    if (payload == null) {
      return;
    }
    boolean error = event.subject() instanceof EventFailure
        || event.subject() instanceof ImageSent sent && !sent.complete();
    Notification n = Notification.of(settings.publisherId(), type, error ? Notification.ERROR : Notification.INFO,
        payload, event.at());
    for (NotificationDriver driver : drivers) {
      try {
        driver.send(n);
      } catch (RuntimeException e) {
        LOG.warn("Notification {} not sent: {}", type, e.toString());
      }
    }
  }

  /** Glance saves a deactivated or reactivated image through its repository: an {@code image.update}. */
  private static String eventType(EventType type) {
    return switch (type) {
      case IMAGE_DEACTIVATE, IMAGE_REACTIVATE -> EventType.IMAGE_UPDATE.wireName();
      default -> type.wireName();
    };
  }

  /** Whether any driver sends notifications (else the events are not even formatted). */
  public boolean active() {
    return !drivers.isEmpty();
  }

  /** Whether notifications go to RabbitMQ and the publisher is connected now (false when there is no broker). */
  public boolean brokerConnected() {
    return publisher != null && publisher.connected();
  }

  /** Whether notifications go to RabbitMQ (a messaging driver is configured). */
  public boolean usesBroker() {
    return publisher != null;
  }

  /** Notifications dropped because the buffer was full (0 without a broker). */
  public long dropped() {
    return publisher == null ? 0 : publisher.dropped();
  }

  /** Notifications waiting for the broker, unconfirmed ones included. */
  public int pending() {
    return publisher == null ? 0 : publisher.pending();
  }

  /** Stops listening, then gives the publisher a short while to send what is waiting. */
  public void close() {
    if (events != null) {
      events.unsubscribe(listener);
    }
    for (NotificationDriver driver : drivers) {
      driver.close();
    }
  }
}
