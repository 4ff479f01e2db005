package io.glint.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on a random loopback port in front of a server, for what a test must see or break on the
 * wire: it counts the bytes the server sent towards the client (how far a download has pulled from it), and can
 * stop forwarding what clients send (a server that takes nothing for a while).
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "tcp-proxy");
    t.setDaemon(true);
    return t;
  });
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong downstream = new AtomicLong();
  private volatile boolean closed;
  private volatile boolean upstreamPaused;

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Bytes the server has sent towards clients so far. */
  public long downstreamBytes() {
    return downstream.get();
  }

  /** Stops forwarding what clients send (the server seems to take nothing: clients' sockets fill up). */
  public void pauseUpstream() {
    upstreamPaused = true;
  }

  /** Forwards what clients send again. */
  public void resumeUpstream() {
    upstreamPaused = false;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(server);
        threads.execute(() -> pump(client, server, null, true));
        threads.execute(() -> pump(server, client, downstream, false));
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicLong counter, boolean upstream) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while (true) {
        while (upstream && upstreamPaused && !closed) {
          Thread.sleep(10);
        }
        if ((n = in.read(buffer)) <= 0) {
          break;
        }
        out.write(buffer, 0, n);
        if (counter != null) {
          counter.addAndGet(n);
        }
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    sockets.forEach(TcpProxy::closeQuietly);
    threads.shutdownNow();
  }
}
