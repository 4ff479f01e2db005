package io.glint.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code /healthcheck} as oslo.middleware's {@code Healthcheck} with the {@code disable_by_file} backend, the one
 * Glance's paste pipeline configures: 200 {@code OK}, or 503 {@code DISABLED BY FILE} while
 * {@code [healthcheck] disable_by_file_path} exists, and 503 {@code SHUTTING DOWN} once a graceful shutdown began.
 * HEAD answers 204 or 503 without a body. The answer is text/plain, or oslo's JSON ({@code {"reasons": [...],
 * "detailed": false}}) when Accept prefers application/json. Admins (policy's {@code context_is_admin}) asking for
 * {@code ?detailed} (or with {@code [healthcheck] detailed = true}) get the detailed JSON view, which also runs
 * every {@link HealthProbe}: the database, each store, and those other features {@link #register}. The plain check
 * touches neither the database nor the stores: load balancers call it every few seconds.
 */
public final class HealthCheck {
  static final long PROBE_TIMEOUT_MS = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private final Optional<Path> disableByFile;
  private final boolean detailedByDefault;
  private final List<HealthProbe> probes = new CopyOnWriteArrayList<>();
  private volatile boolean shuttingDown;

  public HealthCheck(Optional<Path> disableByFile, boolean detailedByDefault) {
    this.disableByFile = disableByFile;
    this.detailedByDefault = detailedByDefault;
  }

  /** Adds a probe to the detailed view (a broker connection, a cache...). */
  public HealthCheck register(HealthProbe probe) {
    probes.add(probe);
    return this;
  }

  /** From now on the check answers 503 {@code SHUTTING DOWN}: the server is draining. */
  public void shuttingDown() {
    shuttingDown = true;
  }

  public boolean isShuttingDown() {
    return shuttingDown;
  }

  /** Whether a request with these query parameters asks for the detailed view (then the caller must be admin). */
  public boolean wantsDetails(boolean detailedParam) {
    return detailedParam || detailedByDefault;
  }

  /** The plain check's result: the disable file, then the shutdown. Cheap: one stat(2). */
  HealthProbe.Result plain() {
    if (shuttingDown) {
      return HealthProbe.Result.failed("SHUTTING DOWN", "graceful shutdown in progress");
    }
    if (disableByFile.isPresent() && Files.exists(disableByFile.get())) {
      return HealthProbe.Result.failed("DISABLED BY FILE", "");
    }
    return HealthProbe.Result.ok("");
  }

  /** Answers a plain (not detailed) check. */
  public void answer(HttpMethod method, String accept, HttpServerResponse response) {
    HealthProbe.Result r = plain();
    send(method, accept, response, List.of(new Named("DisableByFileHealthcheck", r)), false);
  }

  /** Answers the detailed check: the plain result and every probe's, run together. */
  public Future<Void> answerDetailed(HttpMethod method, String accept, HttpServerResponse response) {
    List<Future<Named>> checks = new ArrayList<>();
    checks.add(Future.succeededFuture(new Named("DisableByFileHealthcheck", plain())));
    for (HealthProbe p : probes) {
      Future<HealthProbe.Result> f;
      try {
        f = p.check();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      checks.add(f.timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .otherwise(e -> HealthProbe.Result.failed("UNAVAILABLE", String.valueOf(e.getMessage())))
          .map(r -> new Named(p.name(), r)));
    }
    return Future.all(checks).map(all -> {
      List<Named> results = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        results.add(all.resultAt(i));
      }
      send(method, accept, response, results, true);
      return null;
    });
  }

  private record Named(String name, HealthProbe.Result result) {}

  private void send(HttpMethod method, String accept, HttpServerResponse response, List<Named> results,
      boolean detailed) {
    boolean healthy = results.stream().allMatch(n -> n.result().available());
    response.putHeader("Cache-Control", "no-cache");
    if (method == HttpMethod.HEAD) {
      response.setStatusCode(healthy ? 204 : 503).putHeader("Content-Type", "text/plain; charset=UTF-8").end();
      return;
    }
    response.setStatusCode(healthy ? 200 : 503);
    if (detailed || prefersJson(accept)) {
      response.putHeader("Content-Type", "application/json; charset=UTF-8").end(json(results, detailed));
    } else {
      StringBuilder body = new StringBuilder();
      results.forEach(n -> body.append(n.result().reason()));
      response.putHeader("Content-Type", "text/plain; charset=UTF-8").end(body.toString());
    }
  }

  /** oslo offers text/plain, text/html, application/json in that order; we serve plain unless JSON wins. */
  static boolean prefersJson(String accept) {
    if (accept == null) {
      return false;
    }
    double json = -1;
    double plain = -1;
    for (String part : accept.split(",")) {
      String[] bits = part.trim().split(";");
      if (bits.length == 0) {
        continue;
      }
      String type = bits[0].trim().toLowerCase(java.util.Locale.ROOT);
      double q = 1;
      for (int i = 1; i < bits.length; i++) {
        String b = bits[i].trim();
        if (b.startsWith("q=")) {
          try {
            q = Double.parseDouble(b.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (type.equals("application/json")) {
        json = Math.max(json, q);
      } else if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*")) {
        plain = Math.max(plain, q);
      }
    }
    return json > 0 && json > plain;
  }

  private static String json(List<Named> results, boolean detailed) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("detailed", detailed);
    if (detailed) {
      List<Map<String, Object>> reasons = new ArrayList<>();
      for (Named n : results) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("reason", n.result().reason());
        r.put("details", n.result().details() == null ? "" : n.result().details());
        r.put("class", n.name());
        reasons.add(r);
      }
      body.put("reasons", reasons);
      body.put("now", Instant.now().toString());
      body.put("java_version", System.getProperty("java.vm.name") + " " + Runtime.version());
      body.put("platform", System.getProperty("os.name") + "-" + System.getProperty("os.version") + "-"
          + System.getProperty("os.arch"));
      Map<String, Object> gc = new LinkedHashMap<>();
      for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
        gc.put(bean.getName(), Map.of("count", bean.getCollectionCount(), "time_ms", bean.getCollectionTime()));
      }
      body.put("gc", gc);
      Runtime rt = Runtime.getRuntime();
      body.put("memory", Map.of("heap_used_bytes", rt.totalMemory() - rt.freeMemory(), "heap_max_bytes",
          rt.maxMemory()));
      body.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
    } else {
      body.put("reasons", results.stream().map(n -> n.result().reason()).toList());
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
