package io.glint.http;

import io.netty.channel.Channel;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a Netty 4.2 epoll defect that breaks half-closed connections. When a channel's interest set
 * becomes empty (the client shut its side, so read-hang-up interest is dropped, while Vert.x has paused reading),
 * Netty removes the socket from epoll ({@code EPOLL_CTL_DEL}, netty/netty#16689) but keeps its registration
 * marked as added; the next interest change (Vert.x resuming reads, or waiting to write a large response) then
 * fails with {@code epoll_ctl(..) failed: No such file or directory} and the connection is closed before the
 * client gets its answer. Seen with Netty 4.2.13 to 4.2.20.
 *
 * <p>{@link #repair} puts such a registration back to "not added", so that the next change adds the socket
 * again, which is what Netty's own code does for a channel not yet added. It reads Netty internals by
 * reflection; should they change, it does nothing (and half-closed clients may lose their answer, as before).
 */
final class EpollHalfClose {
  private static final Logger LOG = LoggerFactory.getLogger(EpollHalfClose.class);
  private static final Field OPS;
  private static final Field OPS_VALUE;
  private static final Field REGISTRATION;
  private static volatile boolean broken;

  static {
    Field ops = null;
    Field opsValue = null;
    Field registration = null;
    try {
      Class<?> channel = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
      ops = channel.getDeclaredField("ops");
      ops.setAccessible(true);
      registration = channel.getDeclaredField("registration");
      registration.setAccessible(true);
      opsValue = Class.forName("io.netty.channel.epoll.EpollIoOps").getDeclaredField("value");
      opsValue.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      broken = true;
      LOG.debug("Epoll half-close repair unavailable: {}", e.toString());
    }
    OPS = ops;
    OPS_VALUE = opsValue;
    REGISTRATION = registration;
  }

  private EpollHalfClose() {}

  /** If Netty took the channel's socket out of epoll but still thinks it is in, marks it as not added. */
  static void repair(Channel channel) {
    if (broken || !channel.isOpen() || !channel.getClass().getName().startsWith("io.netty.channel.epoll.")) {
      return;
    }
    try {
      Object ops = OPS.get(channel);
      Object registration = REGISTRATION.get(channel);
      if (ops == null || registration == null || OPS_VALUE.getInt(ops) != 0) {
        return;
      }
      registration = unwrap(registration);
      Field state = stateField(registration.getClass());
      Object current = state.get(registration);
      if (current instanceof Enum<?> e && e.name().equals("Added")) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object pending = Enum.valueOf((Class<Enum>) e.getDeclaringClass(), "Pending");
        state.set(registration, pending);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      broken = true;
      LOG.warn("Epoll half-close repair failed, disabled (half-closed clients may not get their answer): {}",
          e.toString());
    }
  }

  /** The event loop wraps the epoll registration: follow {@code registration} fields to the epoll one. */
  private static Object unwrap(Object registration) throws ReflectiveOperationException {
    Object current = registration;
    for (int i = 0; i < 3 && !current.getClass().getName().startsWith("io.netty.channel.epoll."); i++) {
      Field inner = current.getClass().getDeclaredField("registration");
      inner.setAccessible(true);
      current = inner.get(current);
    }
    return current;
  }

  private static volatile Field stateField;

  private static Field stateField(Class<?> type) throws NoSuchFieldException {
    Field f = stateField;
    if (f == null || f.getDeclaringClass() != type) {
      f = type.getDeclaredField("state");
      f.setAccessible(true);
      stateField = f;
    }
    return f;
  }
}
