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
import java.time.Duration;
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

  private GlintServer(Vertx vertx, MetadataVerticle metadata, Wiring wiring, int port, List<String> deployments) {
    this.vertx = vertx;
    this.metadata = metadata;
    this.wiring = wiring;
    this.port = port;
    this.deployments = deployments;
  }

  /** The parts built once per server and shared by its API verticles. */
  private record Wiring(ApiRouter.Parts parts, StoreRegistry stores, Scrubber scrubber,
      ExecutorService transferPool, long scrubTimer, long uploadTimer, DomainEvents events, StagingArea staging,
      ImageImports imports, GuardedFetch fetch, Notifier notifier, ImageCache imageCache, long prefetchTimer) {}

  /** How often a node reports the uploads it receives, and sweeps up those of nodes that stopped reporting. */
  static final Duration UPLOAD_HEARTBEAT = Duration.ofSeconds(30);
  /** A node silent for this long is taken for dead: its uploads in progress go back to queued. */
  static final Duration UPLOAD_SILENCE = Duration.ofMinutes(5);

  /** The most header fields a request may carry: as Glance's Python server (http.client's limit), 431 beyond. */
  static final int MAX_HEADERS = 100;

  /** Deploys Glint on {@code vertx} against the PostgreSQL at {@code databaseUri}. */
  public static Future<GlintServer> deploy(Vertx vertx, GlintConfig config, String databaseUri) {
    prewarm();
    Startup startup = new Startup(vertx, config, databaseUri);
    return startup.loadPolicy()
        .compose(v -> startup.loadNodeId())
        .compose(v -> startup.deployMetadata())
        .compose(v -> startup.startNotifier())
        .compose(v -> startup.wireServices())
        .compose(v -> startup.recoverOwnUploads())
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

    Startup(Vertx vertx, GlintConfig config, String databaseUri) {
      this.vertx = vertx;
      this.config = config;
      this.databaseUri = databaseUri;
      this.console = io.glint.console.ConsoleRoutes.of(config);
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
      return wire(vertx, config, metadata, nodeId, authorization, events, notifier, console).map(w -> {
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
      return new GlintServer(vertx, metadata, wiring, port, deployments);
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
      io.glint.console.ConsoleRoutes console) {
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
      List<io.glint.http.Routes> v1 = server.enableV1Api()
          ? List.of(new ImagesV1Api(images, data, locations, queryParser, fetch, policy), new MembersV1Api(members, json))
          : List.of();
      ApiRouter.Parts parts = new ApiRouter.Parts(
          AuthStrategy.authenticator(vertx, config, policy::isAdmin),
          List.of(
              new ImagesApi(images, locations, queryParser, publicEndpoint, new ImageJson.Options(
                  imageSettings.showMultipleLocations(), imageSettings.showImageDirectUrl(), stores.multiStore()),
                  stores.multiStore() ? String.join(",", stores.all().stream().map(ImageStore::id).toList()) : null,
                  json).withImportMethods(importSettings.enabledImportMethods()),
              new ImportApi(staging1, imports, importSettings.enabledImportMethods(), json, importQuotas),
              new TasksApi(tasks, policy, json, imports::legacyImport, imageSettings.limitParamDefault(),
                  imageSettings.apiLimitMax()),
              new ImageDataApi(images, data),
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
          console);
      long scrubTimer = vertx.setPeriodic(config.scrubber().wakeupTime() * 1000L, t -> scrubber.scrub()
          .compose(done -> tasks.purgeExpired(java.time.Instant.now()))
          .onFailure(e -> LOG.warn("Scrubber run failed: {}", e.toString())));
      long uploadTimer = vertx.setPeriodic(UPLOAD_HEARTBEAT.toMillis(), t -> repository.uploadsAlive()
          .compose(alive -> tasks.alive())
          .compose(alive -> recoverInterruptedUploads(repository, stores, staging, false))
          .compose(done -> imports.recoverOrphaned(false, UPLOAD_SILENCE))
          .onFailure(e -> LOG.warn("Upload heartbeat failed: {}", e.toString())));
      return new Wiring(parts, stores, scrubber, transferPool, scrubTimer, uploadTimer, events, staging, imports,
          fetch, notifier, imageCache, prefetchTimer);
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
