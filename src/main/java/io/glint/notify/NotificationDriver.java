package io.glint.notify;

/**
 * Where notifications go: oslo.messaging's drivers. {@link #send} is called on the thread that made the change
 * (often an event loop): it must never block nor throw.
 */
interface NotificationDriver {

  void send(Notification notification);

  /** Sends what is still waiting, within a short grace period, then releases the driver's resources. */
  default void close() {}
}
