package io.glint.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Glint's metrics: one Micrometer registry scraped in Prometheus text format at {@code GET /metrics}. Features
 * register what they count here ({@link #counter}, {@link #gauge}, {@link #functionCounter}, {@link #bind}); the
 * names follow Prometheus' conventions ({@code glint_*}, base units, {@code _total} added to counters by the
 * registry). Built before Vert.x ({@link #vertx}) so that Vert.x's own metrics SPI (the PostgreSQL pool and
 * SQL client) lands in the same registry. {@link #disabled()} is a registry nobody scrapes and Vert.x without
 * metrics: {@code metrics_enabled = false}.
 */
public final class GlintMetrics {
  /** Latency buckets (seconds) of every timer: 1 ms to 60 s, fixed so that the scrape stays small. */
  static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

  private final PrometheusMeterRegistry registry;
  private final boolean enabled;

  private GlintMetrics(boolean enabled) {
    this.enabled = enabled;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() == Meter.Type.TIMER) {
          double[] slos = new double[BUCKETS.length];
          for (int i = 0; i < BUCKETS.length; i++) {
            slos[i] = BUCKETS[i].toNanos();
          }
          return DistributionStatisticConfig.builder().serviceLevelObjectives(slos).build().merge(config);
        }
        return config;
      }
    });
    registry.config().meterFilter(PROMTOOL_NAMES);
    if (enabled) {
      prewarm();
      new JvmMemoryMetrics().bindTo(registry);
      new JvmGcMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ClassLoaderMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean os) {
        FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
            .description("CPU time used by the process").register(registry);
      }
    }
  }

  /**
   * Names {@code promtool check metrics} accepts: Micrometer's {@code process.cpu.time} (exposed as {@code
   * process_cpu_time_ns_total}, an abbreviated unit) is replaced by Prometheus' usual {@code
   * process_cpu_seconds_total}, and the gauge {@code system.cpu.count} ({@code _count} is for histograms and
   * summaries) is exposed as {@code system_cpus}.
   */
  private static final MeterFilter PROMTOOL_NAMES = new MeterFilter() {
    @Override
    public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
      return id.getName().equals("process.cpu.time") ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
          : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
      return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
    }
  };

  /**
   * Loads, on the thread building the server, the classes that registering and recording meters and scraping
   * need, which would otherwise be loaded on an event loop at start-up or at the first request (seconds on a busy
   * machine): meters of every kind on a throwaway registry, recorded and scraped once.
   */
  private void prewarm() {
    PrometheusMeterRegistry warm = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Timer.builder("warm_timer").serviceLevelObjectives(BUCKETS).register(warm).record(Duration.ofMillis(1));
    Counter.builder("warm_counter").tags("a", "b").register(warm).increment();
    FunctionCounter.builder("warm_function", new java.util.concurrent.atomic.LongAdder(),
        java.util.concurrent.atomic.LongAdder::doubleValue).register(warm);
    Gauge.builder("warm_gauge", () -> 1).register(warm);
    DistributionSummary.builder("warm_summary").register(warm).record(1);
    warm.scrape();
    warm.close();
  }

  /** A live registry with the JVM's memory, GC, threads, class loading, CPU and uptime. */
  public static GlintMetrics create() {
    return new GlintMetrics(true);
  }

  /** Metrics off: meters are still accepted (features need not check) but nothing is served or sampled. */
  public static GlintMetrics disabled() {
    return new GlintMetrics(false);
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * A Vert.x with {@code options} and its metrics SPI on this registry, for the SQL client and pools only ({@code
   * vertx_sql_*}, {@code vertx_pool_*}): the HTTP server's requests are counted by Glint's own handler, with route
   * templates, and the rest is left out. Metrics off: a plain Vert.x.
   */
  public Vertx vertx(VertxOptions options) {
    if (!enabled) {
      return Vertx.vertx(options);
    }
    // the enum overload: categories are MetricsDomain.toCategory() strings ("vertx.http.server"), not enum names;
    // with the names nothing was disabled, and Vert.x looked up (and registered) meters on every HTTP request
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions().setEnabled(true);
    for (MetricsDomain domain : List.of(MetricsDomain.HTTP_SERVER, MetricsDomain.HTTP_CLIENT, MetricsDomain.NET_SERVER,
        MetricsDomain.NET_CLIENT, MetricsDomain.DATAGRAM_SOCKET, MetricsDomain.EVENT_BUS, MetricsDomain.VERTICLES)) {
      metricsOptions.addDisabledMetricsCategory(domain);
    }
    options.setMetricsOptions(metricsOptions
        .setLabels(EnumSet.of(Label.POOL_TYPE, Label.POOL_NAME, Label.NAMESPACE, Label.CLIENT_NAME)));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  /** The registry, for what the helpers below do not cover. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The scrape: every meter in Prometheus text format 0.0.4. */
  public String scrape() {
    return registry.scrape();
  }

  /** A counter {@code name} (exposed as {@code name_total}) with {@code tags} as key, value pairs. */
  public Counter counter(String name, String help, String... tags) {
    return Counter.builder(name).description(help).tags(tags).register(registry);
  }

  /** A counter read from {@code obj} at each scrape (a LongAdder, an AtomicLong, a snapshot's field...). */
  public <T> void functionCounter(String name, String help, T obj, ToDoubleFunction<T> f, String... tags) {
    FunctionCounter.builder(name, obj, f).description(help).tags(tags).register(registry);
  }

  /** A gauge read at each scrape. */
  public void gauge(String name, String help, Supplier<Number> value, String... tags) {
    Gauge.builder(name, value).description(help).tags(tags).register(registry);
  }

  /** A timer with the fixed latency buckets. */
  public Timer timer(String name, String help, String... tags) {
    return Timer.builder(name).description(help).tags(Tags.of(tags)).register(registry);
  }

  /** A distribution of sizes (bytes...). */
  public DistributionSummary summary(String name, String help, String baseUnit, String... tags) {
    return DistributionSummary.builder(name).description(help).baseUnit(baseUnit).tags(tags).register(registry);
  }

  /** Binds a set of meters a feature keeps together (a cache's counters, say). */
  public void bind(MeterBinder binder) {
    binder.bindTo(registry);
  }
}
