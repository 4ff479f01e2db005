package io.glint.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real RabbitMQ for tests: Debian's {@code rabbitmq-server} started as a separate process with its own node name,
 * AMQP port, distribution port and epmd port (all random, so it never meets the machine's own broker on 5672 and
 * epmd on 4369), its data, logs, configuration and Erlang cookie in a temporary directory. It can be stopped and
 * started again with the same node, ports and data (a broker restart). Messages are read with the plain RabbitMQ
 * Java client, as guest over 127.0.0.1. {@link #close()} stops it and its epmd, and removes its directory.
 */
public final class TestRabbit implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final String node;
  private final int port;
  private final int distPort;
  private final int epmdPort;
  private Process process;
  private Connection observer;

  private TestRabbit(Path dir, String node, int port, int distPort, int epmdPort) {
    this.dir = dir;
    this.node = node;
    this.port = port;
    this.distPort = distPort;
    this.epmdPort = epmdPort;
  }

  /** Starts a new broker and waits until it accepts AMQP connections. */
  public static TestRabbit start() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("glint-rabbit");
    Files.createDirectories(dir.resolve("mnesia"));
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("home"));
    Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
    Files.writeString(dir.resolve("rabbitmq.conf"), "log.console = false\nlog.file.level = info\n");
    String node = "glint-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "@localhost";
    TestRabbit rabbit = new TestRabbit(dir, node, freePort(), freePort(), freePort());
    rabbit.startBroker();
    return rabbit;
  }

  /** The AMQP port. */
  public int port() {
    return port;
  }

  /** An oslo.messaging transport URL of this broker, as guest. */
  public String transportUrl() {
    return "rabbit://guest:guest@127.0.0.1:" + port + "/";
  }

  /** Stops the broker (as an operator would: SIGTERM), keeping its data; {@link #restart()} starts it again. */
  public void stop() throws InterruptedException {
    closeObserver();
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // The shell script is gone; its Erlang VM may linger a moment.
    for (ProcessHandle child : process.descendants().toList()) {
      child.destroy();
      child.onExit().completeOnTimeout(child, 20, TimeUnit.SECONDS).join();
      child.destroyForcibly();
    }
    process = null;
  }

  /** Starts the stopped broker again, same node, ports and data. */
  public void restart() throws IOException, InterruptedException {
    startBroker();
  }

  @Override
  public void close() throws Exception {
    stop();
    ProcessBuilder kill = new ProcessBuilder(epmd(), "-kill").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    kill.environment().put("ERL_EPMD_PORT", Integer.toString(epmdPort));
    kill.start().waitFor(20, TimeUnit.SECONDS);
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  // ------------------------------------------------------------------------------------- reading

  /** A channel of a plain client connection to the broker (reopened after a restart). */
  public synchronized Channel channel() throws Exception {
    if (observer == null || !observer.isOpen()) {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setHost("127.0.0.1");
      factory.setPort(port);
      factory.setAutomaticRecoveryEnabled(false);
      observer = factory.newConnection("glint-test-observer");
    }
    return observer.createChannel();
  }

  /** A message taken from a queue: its routing, properties and body. */
  public record Message(String exchange, String routingKey, String contentType, String body) {}

  /**
   * Takes messages from {@code queue} until {@code enough} of them are there or {@code timeout} passes; returns
   * what was taken (acknowledged).
   */
  public List<Message> take(String queue, int enough, Duration timeout) throws Exception {
    List<Message> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Channel ch = channel();
    try {
      while (out.size() < enough && System.nanoTime() < deadline) {
        GetResponse r;
        try {
          r = ch.basicGet(queue, true);
        } catch (IOException e) { // the queue does not exist yet: nothing was published
          ch = channel();
          Thread.sleep(100);
          continue;
        }
        if (r == null) {
          Thread.sleep(50);
          continue;
        }
        out.add(new Message(r.getEnvelope().getExchange(), r.getEnvelope().getRoutingKey(),
            r.getProps().getContentType(), new String(r.getBody(), java.nio.charset.StandardCharsets.UTF_8)));
      }
    } finally {
      if (ch.isOpen()) {
        ch.close();
      }
    }
    return out;
  }

  /** Empties {@code queue} if it exists. */
  public void purge(String queue) throws Exception {
    Channel ch = channel();
    try {
      ch.queuePurge(queue);
      ch.close();
    } catch (IOException e) {
      // no such queue yet
    }
  }

  // ------------------------------------------------------------------------------------- process

  private void startBroker() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(server()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("console.log").toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("RABBITMQ_") || k.startsWith("ERL_"));
    env.put("HOME", dir.resolve("home").toString());
    env.put("RABBITMQ_NODENAME", node);
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", Integer.toString(port));
    env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
    env.put("ERL_EPMD_PORT", Integer.toString(epmdPort));
    env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_PID_FILE", dir.resolve("rabbit.pid").toString());
    process = pb.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("rabbitmq-server exited with " + process.exitValue() + ": " + logTail());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("rabbitmq-server did not listen on " + port + " within " + START_TIMEOUT + ": "
        + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("console.log")));
      Path log = dir.resolve("log").resolve(node + ".log");
      if (Files.exists(log)) {
        lines.addAll(Files.readAllLines(log));
      }
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private synchronized void closeObserver() {
    if (observer != null) {
      try {
        observer.abort(1000);
      } catch (RuntimeException ignored) {
        // already gone
      }
      observer = null;
    }
  }

  /** Debian's broker script, called directly (the /usr/sbin wrapper switches to the rabbitmq user). */
  private static String server() {
    for (String candidate : List.of("/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/sbin/rabbitmq-server")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server; "
        + ".ci/run does it)");
  }

  private static String epmd() {
    return Files.isExecutable(Path.of("/usr/bin/epmd")) ? "/usr/bin/epmd" : "epmd";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
