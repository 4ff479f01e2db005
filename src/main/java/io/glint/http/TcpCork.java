package io.glint.http;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.vertx.core.http.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code TCP_CORK} around a {@code sendfile} response, as nginx's {@code tcp_nopush}: the kernel sends only full
 * segments (head and first file bytes together) while the file goes out, and the tail as soon as the cork is
 * removed. Only on the native epoll transport; elsewhere (or if Vert.x's internals change) it does nothing.
 */
public final class TcpCork {
  private static final Logger LOG = LoggerFactory.getLogger(TcpCork.class);
  private static volatile boolean broken;

  private TcpCork() {}

  /** Corks the connection's socket; returns whether it did. */
  public static boolean cork(HttpConnection connection) {
    return set(connection, true);
  }

  /** Removes the cork, which sends whatever is held. */
  public static void uncork(HttpConnection connection) {
    set(connection, false);
  }

  private static boolean set(HttpConnection connection, boolean on) {
    if (broken) {
      return false;
    }
    try {
      if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
        Channel channel = base.channel();
        if (channel instanceof EpollSocketChannel epoll && epoll.isActive()) {
          epoll.config().setTcpCork(on);
          return true;
        }
      }
    } catch (RuntimeException | LinkageError e) {
      broken = true;
      LOG.debug("TCP_CORK unavailable: {}", e.toString());
    }
    return false;
  }
}
