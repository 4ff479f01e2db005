package io.glint.cache;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP origin for the HTTP store behind the image cache: serves byte arrays by path, counts the GETs of
 * each path, and can hold a body after its first MiB until a gate opens, or die mid-body on its first GET.
 */
final class CacheOrigin implements AutoCloseable {
  static final int HELD_AFTER = 1024 * 1024;

  /** How a path is served. {@code gate}: after the first MiB wait for it; {@code dieOnce}: the first GET dies. */
  record Plan(byte[] data, CountDownLatch gate, boolean dieOnce) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();

  CacheOrigin() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
    server.setExecutor(threads);
    server.createContext("/", this::serve);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  void put(String path, Plan plan) {
    plans.put(path, plan);
  }

  int gets(String path) {
    AtomicInteger n = gets.get(path);
    return n == null ? 0 : n.get();
  }

  private void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Plan plan = plans.get(path);
    if (plan == null) {
      exchange.sendResponseHeaders(404, -1);
      exchange.close();
      return;
    }
    byte[] data = plan.data();
    exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().add("Content-Length", Integer.toString(data.length));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
      return;
    }
    int n = gets.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    exchange.sendResponseHeaders(200, data.length);
    OutputStream out = exchange.getResponseBody();
    try {
      int first = Math.min(HELD_AFTER, data.length);
      out.write(data, 0, first);
      out.flush();
      if (plan.gate() != null) {
        plan.gate().await(60, TimeUnit.SECONDS);
      }
      if (plan.dieOnce() && n == 1) {
        exchange.close(); // fewer bytes than declared: the connection is cut
        return;
      }
      for (int at = first; at < data.length; at += 65_536) {
        out.write(data, at, Math.min(65_536, data.length - at));
      }
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    } catch (IOException e) {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
