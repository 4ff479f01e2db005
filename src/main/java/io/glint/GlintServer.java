package io.glint;

import io.glint.auth.AuthStrategy;
import io.glint.cache.CacheApi;
import io.glint.cache.ImageCache;
import io.glint.cache.Prefetcher;
import io.glint.config.GlintConfig;
import io.glint.digest.MultiBufferDigests;
import io.glint.config.ImageCacheSettings;
import io.glint.config.ImageSettings;
import io.glint.config.ImportFilteringSettings;
import io.glint.config.QuotaSettings;
import io.glint.config.ServerSettings;
import io.glint.event.DomainEvents;
import io.glint.notify.Notifier;
import io.glint.http.ApiRouter;
import io.glint.http.ApiVerticle;
import io.glint.http.ConnectionGuard;
import io.glint.http.JsonBodyHandler;
import io.glint.http.Versions;
import io.glint.image.ImageActions;
import io.glint.image.ImportRequest;
import io.glint.image.ImageActionsApi;
import io.glint.image.ImageDataApi;
import io.glint.image.ImageDataService;
import io.glint.image.ImageJson;
import io.glint.image.ImageLocations;
import io.glint.image.ImageLookup;
import io.glint.image.ImageQueryParser;
import io.glint.image.ImageRules;
import io.glint.image.ImageService;
import io.glint.image.ImageTags;
import io.glint.image.ImagesApi;
import io.glint.image.Scrubber;
import io.glint.image.ImageImports;
import io.glint.image.ImageStaging;
import io.glint.image.ImportApi;
import io.glint.image.ImportPluginSet;
import io.glint.image.ImportPlugins;
import io.glint.image.ImportQuotas;
import io.glint.image.StagingArea;
import io.glint.config.ImportSettings;
import io.glint.net.GuardedFetch;
import io.glint.v1.ImagesV1Api;
import io.glint.v1.MembersV1Api;
import io.glint.store.file.FileStore;
import io.glint.task.NotifyingTaskRepository;
import io.glint.task.TaskRepository;
import io.glint.task.TasksApi;
import io.glint.member.MemberService;
import io.glint.member.MembersApi;
import io.glint.metadef.MetadefService;
import io.glint.metadef.NamespacesApi;
import io.glint.metadef.ObjectsApi;
import io.glint.metadef.PropertiesApi;
import io.glint.metadef.ResourceTypesApi;
import io.glint.metadef.TagsApi;
import io.glint.metadata.MetadataVerticle;
import io.glint.metadata.CachingImageRepository;
import io.glint.policy.Policy;
import io.glint.policy.PolicyLoader;
import io.glint.schema.SchemasApi;
import io.glint.image.LocationChecker;
import io.glint.net.UrlGuard;
import io.glint.store.ImageStore;
import io.glint.store.StoreRegistry;
import io.glint.store.Stores;
import io.glint.store.StoresApi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.glint.config.Options;
import io.glint.health.DatabaseProbe;
import io.glint.health.HealthCheck;
import io.glint.health.StoreProbe;
import io.glint.transfer.Transfers;
import io.glint.metrics.EventLoopDelay;
import io.glint.metrics.GlintMetrics;
import io.glint.metrics.HttpMetrics;
import io.glint.metrics.MetricsEndpoint;
import io.glint.metrics.ServiceMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Glint on a Vert.x instance: the metadata verticle (PostgreSQL pool, migrations), start-up recovery
 * of interrupted uploads, the file store, the scrubber, and one API verticle per worker, wired from the
 * configuration. Used by {@link Glint#main} and by the tests.
 */
public final class GlintServer {
  private static final Logger LOG = LoggerFactory.getLogger(GlintServer.class);

  private final Vertx vertx;
  private final MetadataVerticle metadata;
  private final Wiring wiring;
  private final int port;
  private final List<String> deployments;
  private final List<ApiVerticle> apis;
  private final int metricsPort;

  private GlintServer(Vertx vertx, MetadataVerticle metadata, Wiring wiring, int port, List<String> deployments,
      List<ApiVerticle> apis, int metricsPort) {
    this.metricsPort = metricsPort;
    this.vertx = vertx;
    this.metadata = metadata;
    this.wiring = wiring;
    this.port = port;
    this.deployments = deployments;
    this.apis = apis;
  }

  /** The parts built once per server and shared by its API verticles. */
  private record Wiring(ApiRouter.Parts parts, StoreRegistry stores, Scrubber scrubber,
      ExecutorService transferPool, long scrubTimer, long uploadTimer, DomainEvents events, StagingArea staging,
      ImageImports imports, GuardedFetch fetch, Notifier notifier, ImageCache imageCache, long prefetchTimer,
      Transfers transfers, HealthCheck health, GlintMetrics metrics, MetricsEndpoint metricsEndpoint,
      MultiBufferDigests multiBufferDigests) {}

  /** How often a node reports the uploads it receives, and sweeps up those of nodes that stopped reporting. */
  static final Duration UPLOAD_HEARTBEAT = Duration.ofSeconds(30);
  /** A node silent for this long is taken for dead: its uploads in progress go back to queued. */
  static final Duration UPLOAD_SILENCE = Duration.ofMinutes(5);

  /** The most header fields a request may carry: as Glance's Python server (http.client's limit), 431 beyond. */
  static final int MAX_HEADERS = 100;

  /** Deploys Glint on {@code vertx} against the PostgreSQL at {@code databaseUri}. */
  public static Future<GlintServer> deploy(Vertx vertx, GlintConfig config, String databaseUri) {
    return deploy(vertx, config, databaseUri,
        config.get(Options.METRICS_ENABLED) ? GlintMetrics.create() : GlintMetrics.disabled());
  }

  /**
   * As {@link #deploy(Vertx, GlintConfig, String)}, with the metrics registry {@code vertx} was built with
   * ({@link GlintMetrics#vertx}), so that its pool and SQL metrics are in the same scrape.
   */
  public static Future<GlintServer> deploy(Vertx vertx, GlintConfig config, String databaseUri,
      GlintMetrics metrics) {
    prewarm();
    Startup startup = new Startup(vertx, config, databaseUri, metrics);
    return startup.loadPolicy()
        .compose(v -> startup.loadNodeId())
        .compose(v -> startup.deployMetadata())
        .compose(v -> startup.startNotifier())
        .compose(v -> startup.wireServices())
        .compose(v -> startup.recoverOwnUploads())
        .compose(v -> startup.deployMetrics())
        .compose(v -> startup.deployApi())
        .map(v -> startup.started())
        .recover(failure -> startup.stopNotifier().transform(ar -> Future.failedFuture(failure)));
  }

  /** The steps of {@link #deploy}, in order, and what each leaves for the next. */
  private static final class Startup {
    private final Vertx vertx;
    private final GlintConfig config;
    private final String databaseUri;
    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private String nodeId;
    private PolicyLoader.Authorization authorization;
    private MetadataVerticle metadata;
    private Wiring wiring;
    private ApiVerticle firstApi;
    private final DomainEvents events = DomainEvents.withDebugLog();
    private Notifier notifier;
    /** The web console, its files read here on the deploying thread (null when console_enabled is false). */
    private final io.glint.console.ConsoleRoutes console;
    private final List<ApiVerticle> apis = new CopyOnWriteArrayList<>();
    private final GlintMetrics metrics;
    private int metricsPort = -1;

    Startup(Vertx vertx, GlintConfig config, String databaseUri, GlintMetrics metrics) {
      this.vertx = vertx;
      this.config = config;
      this.databaseUri = databaseUri;
      this.console = io.glint.console.ConsoleRoutes.of(config);
      this.metrics = metrics;
    }

    /** The policy ([oslo_policy]) and property protections: a bad file stops start-up before anything runs. */
    Future<Void> loadPolicy() {
      return vertx.executeBlocking(() -> PolicyLoader.load(config)).map(loaded -> {
        authorization = loaded;
        return null;
      });
    }

    /** This node's id, kept in {@code <data_dir>/node-id}. */
    Future<Void> loadNodeId() {
      return vertx.executeBlocking(() -> NodeId.load(config.dataDir())).map(node -> {
        nodeId = node;
        LOG.info("Node id {} (from {})", node, config.dataDir().resolve("node-id"));
        return null;
      });
    }

    /** The PostgreSQL pool and the schema migrations. */
    Future<Void> deployMetadata() {
      metadata = new MetadataVerticle(databaseUri, config.database().maxPoolSize(), config.server().workers(), nodeId);
      return vertx.deployVerticle(metadata).map(id -> {
        deployments.add(id);
        return null;
      });
    }

    /**
     * Glance's notifier, listening to the domain events; its drivers are built on a worker thread (the RabbitMQ
     * client's classes load there, and its publisher thread starts connecting).
     */
    Future<Void> startNotifier() {
      return vertx.executeBlocking(() -> Notifier.start(config.notifications(), events)).map(n -> {
        notifier = n;
        return null;
      });
    }

    /** A start-up that failed stops the notifier it started. */
    Future<Void> stopNotifier() {
      Notifier n = notifier;
      return n == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
        n.close();
        return null;
      });
    }

    /** Stores, policy, services and routes. */
    Future<Void> wireServices() {
      return vertx.executeBlocking(ClassPreloader::preload, false)
          .compose(n -> wire(vertx, config, metadata, nodeId, authorization, events, notifier, console, metrics))
          .map(w -> {
            wiring = w;
            return null;
          });
    }

    /**
     * Uploads and stagings this node was receiving when it last stopped go back to queued; imports it was running
     * fail and their images are put back.
     */
    Future<Void> recoverOwnUploads() {
      return recoverInterruptedUploads(metadata.images(), wiring.stores(), wiring.staging(), true)
          .compose(v -> wiring.imports().recoverOrphaned(true, UPLOAD_SILENCE));
    }

    /**
     * The metrics' own listener when {@code metrics_bind_port} is set, and the event-loop delay probes (one per
     * event loop).
     */
    Future<Void> deployMetrics() {
      if (!metrics.enabled()) {
        return Future.succeededFuture();
      }
      Future<Void> probes = vertx.deployVerticle(() -> new EventLoopDelay(metrics),
          new DeploymentOptions().setInstances(config.server().workers())).map(id -> {
            deployments.add(id);
            return null;
          });
      int port = config.get(Options.METRICS_BIND_PORT);
      if (port < 0) {
        return probes;
      }
      return probes.compose(v -> wiring.metricsEndpoint().listen(vertx, config.server().bindHost(), port))
          .map(actual -> {
            metricsPort = actual;
            LOG.info("Metrics served at http://{}:{}/metrics (no authentication)", config.server().bindHost(),
                actual);
            return null;
          });
    }

    /** One API verticle per worker, all on the same port. */
    Future<Void> deployApi() {
      ServerSettings server = config.server();
      HttpServerOptions options = new HttpServerOptions()
          .setHost(server.bindHost())
          .setPort(server.bindPort())
          .setMaxInitialLineLength(server.maxHeaderLine())
          .setMaxHeaderSize(server.maxHeaderLine() * 4)
          .setIdleTimeout(900)
          .setMaxChunkSize(16 * 1024)
          .setHttp2ClearTextEnabled(false) // Glance speaks HTTP/1.x only
          .setTcpNoDelay(true);
      ConnectionGuard.Limits limits = new ConnectionGuard.Limits(server.maxHeaderLine(), MAX_HEADERS);
      ApiRouter.Parts parts = wiring.parts();
      return vertx.deployVerticle(() -> {
        ApiVerticle verticle = new ApiVerticle(options, limits, vx -> ApiRouter.create(vx, parts));
        apis.add(verticle);
        synchronized (this) {
          if (firstApi == null) {
            firstApi = verticle;
          }
        }
        return verticle;
      }, new DeploymentOptions().setInstances(server.workers())).map(id -> {
        deployments.add(id);
        return null;
      });
    }

    GlintServer started() {
      int port = firstApi.actualPort();
      LOG.info("Glint listening on {}:{} with {} event-loop workers", config.server().bindHost(), port,
          config.server().workers());
      return new GlintServer(vertx, metadata, wiring, port, deployments, apis, metricsPort);
    }
  }

  /**
   * One-time JVM initialisation that would otherwise happen on an event loop at the first request: Netty's
   * adaptive allocator registers a JFR event class on its first chunk, which loads JFR's metadata (seconds on
   * a busy machine). Done here, on the deploying thread.
   */
  private static synchronized void prewarm() {
    if (!prewarmed) {
      new io.netty.buffer.AdaptiveByteBufAllocator().directBuffer(64 * 1024).release();
      prewarmed = true;
    }
  }

  private static boolean prewarmed;

  private static Future<Wiring> wire(Vertx vertx, GlintConfig config, MetadataVerticle metadata, String nodeId,
      PolicyLoader.Authorization authorization, DomainEvents events, Notifier notifier,
      io.glint.console.ConsoleRoutes console, GlintMetrics metrics) {
    CachingImageRepository repository = metadata.images();
    TaskRepository tasks = notifier.active() ? new NotifyingTaskRepository(metadata.tasks(), events) : metadata.tasks();
    ExecutorService transferPool = transferPool(config.server().workers());
    UrlGuard guard = urlGuard(config.importFiltering());
    StoreRegistry stores = Stores.create(vertx, config.stores(), guard, transferPool, nodeId);
    ImportSettings importSettings = config.imports();
    StagingArea staging = new StagingArea(vertx, new FileStore("os_glance_staging_store", vertx,
        importSettings.stagingDir(), transferPool, config.stores().filesystemStoreFsync(), nodeId));
    List<Future<Void>> prepared = new java.util.ArrayList<>(stores.all().stream().map(ImageStore::prepare).toList());
    prepared.add(staging.prepare());
    ImageCacheSettings cacheSettings = config.imageCache();
    ImageCache imageCache = cacheSettings.dir().map(dir -> new ImageCache(vertx, dir, cacheSettings.maxSize(),
        cacheSettings.stallTimeSeconds(), transferPool)).orElse(null);
    if (imageCache != null) {
      prepared.add(vertx.executeBlocking(() -> {
        imageCache.open();
        return null;
      }));
    }
    // the Vector API's classes take seconds to load on a busy machine: not on the event loop
    String multiBufferMode = config.images().multibufferDigests();
    Future<MultiBufferDigests> multiBuffer = multiBufferMode.equals("off")
        ? Future.succeededFuture(MultiBufferDigests.OFF)
        : vertx.executeBlocking(() -> MultiBufferDigests.create(multiBufferMode, transferPool), false);
    return Future.all(prepared).compose(v -> multiBuffer).map(multiBufferDigests -> {
      ImageSettings imageSettings = config.images();
      QuotaSettings quotas = config.quotas();
      ServerSettings server = config.server();
      LocationChecker locationChecker = locationChecker(stores);
      Policy policy = authorization.policy();
      ImageRules rules = new ImageRules(imageSettings.containerFormats(), imageSettings.diskFormats(),
          quotas.imagePropertyQuota(), quotas.imageTagQuota());
      Scrubber scrubber = new Scrubber(repository, stores, Duration.ofSeconds(config.scrubber().scrubTime()));
      ImageLookup lookup = new ImageLookup(repository, policy);
      ImageService images = new ImageService(repository, lookup, policy, authorization.protections(), rules,
          scrubber, config.scrubber().delayedDelete(), events);
      ImageLocations locations = new ImageLocations(repository, lookup, policy, authorization.protections(), rules,
          new ImageLocations.Settings(imageSettings.showMultipleLocations(), quotas.imageLocationQuota(),
              imageSettings.hashingAlgorithm()), locationChecker, scrubber, events);
      ImageDataService.Settings dataSettings = new ImageDataService.Settings(quotas.imageSizeCap(),
          quotas.userStorageQuota(), imageSettings.hashingAlgorithm(), imageSettings.hashingAlgorithmJcaName(),
          multiBufferDigests);
      ImageDataService data = new ImageDataService(repository, lookup, policy, events, stores, transferPool,
          dataSettings);
      images.withStaging(staging);
      Prefetcher prefetcher = null;
      long prefetchTimer = -1;
      if (imageCache != null) {
        data.withCache(imageCache);
        imageCache.withIdentities(data::cacheIdentity);
        repository.onChange(imageCache::imageChanged);
        imageCache.startHousekeeping(Math.max(1_000L, Math.min(60_000L, cacheSettings.stallTimeSeconds() * 250L)));
        Prefetcher p = new Prefetcher(imageCache, data::prefetch);
        prefetcher = p;
        prefetchTimer = vertx.setPeriodic(cacheSettings.prefetcherIntervalSeconds() * 1000L, t -> p.run());
      }
      ImportQuotas importQuotas = new ImportQuotas(importSettings.limits()).withRepository(repository);
      images.withQuotas(importQuotas);
      data.withQuotas(importQuotas);
      ImportPlugins plugins = ImportPluginSet.build(vertx, importSettings, quotas.imageSizeCap());
      GuardedFetch fetch = new GuardedFetch(vertx, guard, config.stores().httpStoreIdleTimeout());
      ImageStaging staging1 = new ImageStaging(repository, lookup, policy, staging, transferPool, dataSettings,
          importSettings.selfUrl(), !plugins.has("image_decompression"), importQuotas);
      ImageImports imports = new ImageImports(repository, lookup, policy, stores, tasks, fetch,
          ImageImports.parts(vertx, repository, tasks, stores, staging, fetch, transferPool, dataSettings,
              plugins, importSettings.taskTimeToLiveHours(), scrubber, importSettings.glanceDownloadProperties()),
          importQuotas).withImageService(images);
      if (importSettings.enabledImportMethods().contains(ImportRequest.GLANCE_DOWNLOAD)
          && AuthStrategy.choose(config).strategy() != AuthStrategy.KEYSTONE) {
        LOG.warn("enabled_import_methods offers glance-download, but without Keystone authentication there is no "
            + "service catalog to find another region's Glance in: such imports are refused (400)");
      }
      String publicEndpoint = server.publicEndpoint().orElse(null);
      MetadefService metadefs = new MetadefService(metadata.metadefs(), policy).withEvents(events);
      JsonBodyHandler json = new JsonBodyHandler(server.maxRequestBodySize(), server.maxRequestBodyMemory());
      MemberService members = new MemberService(lookup, policy, events, metadata.members(),
          quotas.imageMemberQuota());
      ImageQueryParser queryParser = new ImageQueryParser(imageSettings.limitParamDefault(),
          imageSettings.apiLimitMax());
      Transfers transfers = new Transfers();
      List<io.glint.http.Routes> v1 = server.enableV1Api()
          ? List.of(new ImagesV1Api(images, data, locations, queryParser, fetch, policy, transfers), new MembersV1Api(members, json))
          : List.of();
      HealthCheck health = new HealthCheck(Optional.ofNullable(config.get(Options.HEALTHCHECK_DISABLE_BY_FILE_PATH)),
          config.get(Options.HEALTHCHECK_DETAILED));
      health.register(new DatabaseProbe(metadata::ping));
      stores.all().forEach(store -> health.register(new StoreProbe(store)));
      MetricsEndpoint metricsEndpoint = new MetricsEndpoint(metrics);
      ServiceMetrics.register(metrics, transfers, stores.all().stream().map(ImageStore::id).toList(),
          config.images().hashingAlgorithm(), metadata::poolSize, config.database().maxPoolSize());
      ServiceMetrics.registerNotifications(metrics, notifier);
      if (notifier.usesBroker()) {
        health.register(new io.glint.health.BrokerProbe(notifier));
      }
      if (imageCache != null) {
        ServiceMetrics.registerCache(metrics, imageCache.metrics());
      }
      ApiRouter.Parts parts = new ApiRouter.Parts(
          AuthStrategy.authenticator(vertx, config, policy::isAdmin),
          List.of(
              new ImagesApi(images, locations, queryParser, publicEndpoint, new ImageJson.Options(
                  imageSettings.showMultipleLocations(), imageSettings.showImageDirectUrl(), stores.multiStore()),
                  stores.multiStore() ? String.join(",", stores.all().stream().map(ImageStore::id).toList()) : null,
                  json).withImportMethods(importSettings.enabledImportMethods())
                  .withListCache(new io.glint.image.ListCache(config.get(Options.IMAGE_LIST_CACHE_SIZE),
                      metadata.images()::generation)),
              new ImportApi(staging1, imports, importSettings.enabledImportMethods(), json, importQuotas)
                  .withTransfers(transfers),
              new TasksApi(tasks, policy, json, imports::legacyImport, imageSettings.limitParamDefault(),
                  imageSettings.apiLimitMax()),
              new ImageDataApi(images, data, transfers),
              new ImageActionsApi(new ImageTags(repository, lookup, policy, rules, events),
                  new ImageActions(repository, lookup, policy, events)),
              new MembersApi(members, json),
              new StoresApi(stores, locations, policy),
              new CacheApi(imageCache, prefetcher, lookup, policy),
              new NamespacesApi(metadefs, json, publicEndpoint, imageSettings.limitParamDefault(),
                  imageSettings.apiLimitMax()),
              new ResourceTypesApi(metadefs, json),
              new PropertiesApi(metadefs, json),
              new ObjectsApi(metadefs, json),
              new TagsApi(metadefs, json),
              new SchemasApi(imageSettings.containerFormats(), imageSettings.diskFormats())),
          v1,
          new Versions(imageCache != null, stores.multiStore(), publicEndpoint, server.enableV1Api()),
          server.maxRequestIdLength(),
          console,
          new ApiRouter.Operations(health, policy::isAdmin,
              metrics.enabled() ? new HttpMetrics(metrics) : null,
              metrics.enabled() && config.get(Options.METRICS_BIND_PORT) < 0 ? metricsEndpoint : null,
              config.get(Options.ACCESS_LOG),
              new io.glint.http.Cors.Settings(config.get(Options.CORS_ALLOWED_ORIGIN),
                  config.get(Options.CORS_ALLOW_CREDENTIALS), config.get(Options.CORS_EXPOSE_HEADERS),
                  config.get(Options.CORS_MAX_AGE), config.get(Options.CORS_ALLOW_METHODS),
                  config.get(Options.CORS_ALLOW_HEADERS)),
              config.get(Options.GZIP_RESPONSES) ? new io.glint.http.ResponseGzip(config.get(Options.GZIP_MIN_LENGTH))
                  : null));
      long scrubTimer = vertx.setPeriodic(config.scrubber().wakeupTime() * 1000L, t -> scrubber.scrub()
          .compose(done -> tasks.purgeExpired(java.time.Instant.now()))
          .onFailure(e -> LOG.warn("Scrubber run failed: {}", e.toString())));
      long uploadTimer = vertx.setPeriodic(UPLOAD_HEARTBEAT.toMillis(), t -> repository.uploadsAlive()
          .compose(alive -> tasks.alive())
          .compose(alive -> recoverInterruptedUploads(repository, stores, staging, false))
          .compose(done -> imports.recoverOrphaned(false, UPLOAD_SILENCE))
          .onFailure(e -> LOG.warn("Upload heartbeat failed: {}", e.toString())));
      return new Wiring(parts, stores, scrubber, transferPool, scrubTimer, uploadTimer, events, staging, imports,
          fetch, notifier, imageCache, prefetchTimer, transfers, health, metrics, metricsEndpoint,
          multiBufferDigests);
    });
  }

  /** The threads that hash, copy and write image data off the event loops. */
  private static ExecutorService transferPool(int workers) {
    AtomicInteger threads = new AtomicInteger();
    return Executors.newFixedThreadPool(Math.max(4, 2 * workers), r -> {
      Thread t = new Thread(r, "glint-transfer-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The one check of every URL Glint fetches, by Glance's [import_filtering_opts]. */
  private static UrlGuard urlGuard(ImportFilteringSettings filtering) {
    return new UrlGuard(new UrlGuard.Rules(filtering.allowedSchemes(), filtering.disallowedSchemes(),
        filtering.allowedHosts(), filtering.disallowedHosts(), filtering.allowedPorts(),
        filtering.disallowedPorts()));
  }

  /**
   * Users may add locations only in stores that read from URLs they give: today the HTTP store, through the
   * outbound URL guard. A refused or unreachable URL is a 400 "Invalid location", as in Glance.
   */
  private static LocationChecker locationChecker(StoreRegistry stores) {
    return new LocationChecker() {
      @Override
      public Future<Long> size(String url) {
        ImageStore store = stores.all().stream().filter(s -> s.acceptsUserLocations() && s.owns(url)).findFirst()
            .orElse(null);
        if (store == null) {
          return Future.failedFuture(io.glint.error.GlintException.badRequest("Invalid location"));
        }
        return store.sizeOf(url).recover(e -> Future.failedFuture(io.glint.error.GlintException.badRequest(
            "Invalid location: " + e.getMessage())));
      }

      @Override
      public String storeOf(String url) {
        return stores.multiStore() ? stores.forLocation(url).map(ImageStore::id).orElse(null) : null;
      }
    };
  }

  /**
   * Uploads cut by a crash or a stop left their images in saving: put them back to queued and remove any data
   * they placed. At start-up ({@code ownToo}) this node's own; at any time those of nodes silent for
   * {@link #UPLOAD_SILENCE}. Uploads another live node receives are left alone. Temporary files were already
   * removed by each store's {@link ImageStore#prepare()}.
   */
  private static Future<Void> recoverInterruptedUploads(CachingImageRepository repository, StoreRegistry stores,
      StagingArea staging, boolean ownToo) {
    return repository.recoverSaving(ownToo, UPLOAD_SILENCE).compose(ids -> {
      if (!ids.isEmpty()) {
        LOG.warn("Recovered {} image(s) left in 'saving' by an interrupted upload{}, now 'queued': {}", ids.size(),
            ownToo ? "" : " of a node that stopped reporting", ids);
      }
      Future<Void> chain = Future.succeededFuture();
      for (String id : ids) {
        for (ImageStore store : stores.all()) {
          chain = chain.compose(v -> store.discardInterrupted(id));
        }
        chain = chain.compose(v -> staging.delete(id));
      }
      return chain;
    });
  }

  /** How long, past the grace period, a stop waits for the clean-up of the uploads it cut. */
  static final Duration CLEANUP_WAIT = Duration.ofSeconds(15);

  /**
   * Stops this server gracefully (SIGTERM): the health check answers 503 at once, the API servers stop accepting
   * connections and close the idle ones, requests in flight (uploads and downloads included) get {@code grace} to
   * finish; connections still busy then are closed, which cuts their uploads exactly as a client abort does (image
   * back to queued, partial data removed). Once those clean-ups are done (at most {@link #CLEANUP_WAIT} more), the
   * rest stops as {@link #undeploy()}.
   */
  public Future<Void> shutdown(Duration grace) {
    long t0 = System.nanoTime();
    wiring.health().shuttingDown();
    LOG.info("Graceful shutdown: no new connections; {} transfer(s) in flight get up to {} s to finish",
        wiring.transfers().inFlight(), grace.toSeconds());
    return Future.join(apis.stream().map(api -> api.shutdown(grace)).toList())
        .transform(ar -> {
          int cut = wiring.transfers().inFlight();
          if (cut > 0) {
            LOG.warn("Graceful shutdown: {} transfer(s) still running after {} s were cut; cleaning up", cut,
                grace.toSeconds());
          }
          return wiring.transfers().idle().timeout(CLEANUP_WAIT.toMillis(), TimeUnit.MILLISECONDS)
              .otherwise(e -> {
                LOG.warn("Graceful shutdown: {} transfer(s) not settled {} s after the cut",
                    wiring.transfers().inFlight(), CLEANUP_WAIT.toSeconds());
                return null;
              });
        })
        .compose(v -> undeploy())
        .onComplete(ar -> LOG.info("Graceful shutdown done in {} ms", (System.nanoTime() - t0) / 1_000_000));
  }

  /** The port of the metrics' own listener ({@code metrics_bind_port}), or -1. */
  public int metricsPort() {
    return metricsPort;
  }

  /** The metrics registry: features register their meters here. */
  public GlintMetrics metrics() {
    return wiring.metrics();
  }

  /** The transfers in flight (graceful shutdown, metrics). */
  public Transfers transfers() {
    return wiring.transfers();
  }

  /** The SIMD lanes uploads' digests may share ({@code multibuffer_digests}). */
  public MultiBufferDigests multiBufferDigests() {
    return wiring.multiBufferDigests();
  }

  /** The health check ({@code /healthcheck}); other features {@link HealthCheck#register} probes here. */
  public HealthCheck health() {
    return wiring.health();
  }

  /** Stops this server: the API verticles first, then the metadata verticle (and its pool). */
  public Future<Void> undeploy() {
    vertx.cancelTimer(wiring.scrubTimer());
    vertx.cancelTimer(wiring.uploadTimer());
    if (wiring.imageCache() != null) {
      vertx.cancelTimer(wiring.prefetchTimer());
      wiring.imageCache().stop();
    }
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain
        .eventually(() -> wiring.metricsEndpoint().close())
        .compose(v -> wiring.fetch().close())
        .eventually(() -> wiring.parts().authenticator().close())
        .eventually(() -> Future.join(wiring.stores().all().stream().map(ImageStore::close).toList()))
        .eventually(() -> vertx.executeBlocking(() -> {
          wiring.notifier().close();
          return null;
        }))
        .onComplete(ar -> wiring.transferPool().shutdown());
  }

  public int port() {
    return port;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The image repository, with its cache of hot rows ({@link CachingImageRepository#invalidateAll}). */
  public CachingImageRepository images() {
    return metadata.images();
  }

  /** The configured stores. */
  public StoreRegistry stores() {
    return wiring.stores();
  }

  /** Where committed changes are announced (listeners subscribe here). */
  public DomainEvents events() {
    return wiring.events();
  }

  /** Glance's notifier: its drivers and, with RabbitMQ, the publisher's state. */
  public Notifier notifier() {
    return wiring.notifier();
  }

  /** The node's image cache, when {@code image_cache_dir} is set. */
  public java.util.Optional<ImageCache> imageCache() {
    return java.util.Optional.ofNullable(wiring.imageCache());
  }

  /** The staging area of the interoperable import. */
  public StagingArea staging() {
    return wiring.staging();
  }

  /** The scrubber (tests run it on demand). */
  public Scrubber scrubber() {
    return wiring.scrubber();
  }
}
