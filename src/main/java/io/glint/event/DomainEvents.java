package io.glint.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the services announce committed changes, and where notifications, metrics and cache eviction listen.
 * Listeners run on the publishing thread, in subscription order, and must not block; one that throws is logged
 * and skipped: a listener's failure never fails the request whose change it reports.
 */
public final class DomainEvents {
  private static final Logger LOG = LoggerFactory.getLogger(DomainEvents.class);

  private final List<Consumer<DomainEvent>> listeners = new CopyOnWriteArrayList<>();

  /** Events that are published and logged at debug level, and nothing else yet. */
  public static DomainEvents withDebugLog() {
    DomainEvents events = new DomainEvents();
    events.subscribe(e -> {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} image {} by project {} [{}]", e.type().wireName(), e.imageId(),
            e.actor() == null ? null : e.actor().owner(), e.actor() == null ? null : e.actor().requestId());
      }
    });
    return events;
  }

  public void subscribe(Consumer<DomainEvent> listener) {
    listeners.add(listener);
  }

  public void unsubscribe(Consumer<DomainEvent> listener) {
    listeners.remove(listener);
  }

  /**
   * Publishes {@code type} about image {@code imageId} once {@code change} has succeeded (committed then), with
   * its result as the subject; returns {@code change} unaltered.
   */
  public <T> io.vertx.core.Future<T> announce(io.vertx.core.Future<T> change, EventType type, String imageId,
      io.glint.auth.RequestContext actor) {
    return change.onSuccess(subject -> publish(DomainEvent.of(type, imageId, subject, actor)));
  }

  public void publish(DomainEvent event) {
    for (Consumer<DomainEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("Listener of {} failed: {}", event.type().wireName(), e.toString());
      }
    }
  }
}
