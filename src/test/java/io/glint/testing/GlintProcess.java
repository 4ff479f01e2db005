package io.glint.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Glint as a separate operating-system process (java -cp <test classpath> io.glint.Glint), on the test database,
 * for what cannot be done in-process: kill -9 mid-upload, a deliberately small heap, measuring its memory.
 */
public final class GlintProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private GlintProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts Glint with its data under {@code dataDir}, the given JVM options and extra flags. */
  public static GlintProcess start(Path dataDir, List<String> jvmOptions, List<String> flags) throws Exception {
    return start(dataDir, jvmOptions, flags, List.of());
  }

  /**
   * As {@link #start(Path, List, List)}, with the java command run through {@code launcher} (a command prefix
   * such as {@code unshare ... sh -c '...; exec "$@"' arg0}).
   */
  public static GlintProcess start(Path dataDir, List<String> jvmOptions, List<String> flags, List<String> launcher)
      throws Exception {
    return start(dataDir, jvmOptions, flags, launcher, false);
  }

  /** As {@link #start(Path, List, List)}, with Glint's own embedded PostgreSQL under {@code dataDir/pg}. */
  public static GlintProcess startEmbedded(Path dataDir, List<String> jvmOptions, List<String> flags)
      throws Exception {
    return start(dataDir, jvmOptions, flags, List.of(), true);
  }

  private static GlintProcess start(Path dataDir, List<String> jvmOptions, List<String> flags, List<String> launcher,
      boolean embedded) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add("io.glint.Glint");
    cmd.add("--bind_host=127.0.0.1");
    cmd.add("--bind_port=" + port);
    cmd.add("--workers=2");
    cmd.add("--data_dir=" + dataDir);
    if (!embedded) {
      cmd.add("--database.connection=" + TestDatabase.uri());
    }
    cmd.addAll(flags);
    Path log = Files.createTempFile("glint-process", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    GlintProcess gp = new GlintProcess(p, port, log);
    gp.awaitReady(Duration.ofSeconds(60));
    return gp;
  }

  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Glint exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(base() + "/versions").toURL().openConnection();
        c.setConnectTimeout(500);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("Glint did not start in " + timeout + ":\n" + Files.readString(log));
  }

  public int port() {
    return port;
  }

  public String base() {
    return "http://127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  /** Resident memory of the process in bytes (VmRSS), from /proc. */
  public long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  /** Waits for the process to exit by itself; its exit status, or -1 if it is still running after the wait. */
  public int awaitExit(Duration limit) throws InterruptedException {
    return process.waitFor(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** SIGTERM, without waiting: the process stops gracefully (its shutdown hook runs). */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook, no cleanup, as a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
