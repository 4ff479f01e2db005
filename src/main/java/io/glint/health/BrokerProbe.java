package io.glint.health;

import io.glint.notify.Notifier;
import io.vertx.core.Future;

/**
 * Whether the notification broker (RabbitMQ) is connected. Registered only when notifications go to a broker; a
 * broker that is down fails this probe (and so the detailed view) but no API call: notifications wait in their
 * buffer meanwhile, and the details say how many.
 */
public final class BrokerProbe implements HealthProbe {
  private final Notifier notifier;

  public BrokerProbe(Notifier notifier) {
    this.notifier = notifier;
  }

  @Override
  public String name() {
    return "BrokerProbe";
  }

  @Override
  public Future<Result> check() {
    String details = notifier.pending() + " notifications waiting, " + notifier.dropped() + " dropped";
    return Future.succeededFuture(notifier.brokerConnected()
        ? Result.ok("broker connected; " + details)
        : Result.failed("BROKER UNREACHABLE", details));
  }
}
