package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.net.GuardedFetch;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.glint.store.ImageStore;
import io.glint.store.StoreRegistry;
import io.glint.task.Task;
import io.glint.task.TaskRepository;
import io.glint.task.TaskStatus;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v2/images/{id}/import} (Glance's {@code ImagesController.import_image}): every check of the
 * request, the image's state and the stores, then the import lock ({@code os_glance_import_task}, taken by
 * compare-and-set together with {@code importing} and the progress properties), the task, and the import
 * itself ({@link ImportJob}) in the background on this node. The caller gets its 202 as soon as the task runs.
 */
public final class ImageImports {
  private static final Logger LOG = LoggerFactory.getLogger(ImageImports.class);
  /** A lock whose task has not moved for this long is stale (Glance: 60 minutes, twice that while pending). */
  static final Duration LOCK_EXPIRY = Duration.ofMinutes(60);
  static final String LOCK = "os_glance_import_task";
  static final String IMPORTING = "os_glance_importing_to_stores";
  static final String FAILED = "os_glance_failed_import";
  static final String STAGE_HOST = "os_glance_stage_host";

  private final ImageRepository repository;
  private final ImageLookup lookup;
  private final Policy policy;
  private final StoreRegistry stores;
  private final TaskRepository tasks;
  private final GuardedFetch fetch;
  private final ImportJob.Parts parts;
  private final ImportQuotas quotas;
  private ImageService images;

  public ImageImports(ImageRepository repository, ImageLookup lookup, Policy policy, StoreRegistry stores,
      TaskRepository tasks, GuardedFetch fetch, ImportJob.Parts parts, ImportQuotas quotas) {
    this.repository = repository;
    this.lookup = lookup;
    this.policy = policy;
    this.stores = stores;
    this.tasks = tasks;
    this.fetch = fetch;
    this.parts = parts;
    this.quotas = quotas;
  }

  /** The parts every import job needs. */
  public static ImportJob.Parts parts(io.vertx.core.Vertx vertx, ImageRepository repository, TaskRepository tasks,
      StoreRegistry stores, StagingArea staging, GuardedFetch fetch, java.util.concurrent.Executor digestPool,
      ImageDataService.Settings settings, ImportPlugins plugins, int taskTimeToLiveHours, Scrubber scrubber,
      List<String> glanceDownloadProperties) {
    return new ImportJob.Parts(vertx, repository, tasks, stores, staging, fetch, digestPool, settings, plugins,
        taskTimeToLiveHours, PROGRESS_INTERVAL, scrubber, glanceDownloadProperties);
  }

  /** How often a running import writes its progress ("Copied 512 MiB") to its task. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

  /** The legacy {@code import} task creates its image through the image service. */
  public ImageImports withImageService(ImageService service) {
    this.images = service;
    return this;
  }

  /**
   * The deprecated {@code POST /v2/tasks} of type {@code import} (Glance's {@code base_import} flow): the URL
   * ({@code import_from}) must pass the same filtering as web-download; the task is recorded and answered at
   * once; then an image is created from {@code image_properties} and filled from the URL as a web-download would,
   * and deleted again when that fails. The task's result names the image.
   */
  @SuppressWarnings("unchecked")
  public Future<Task> legacyImport(RequestContext ctx, Map<String, Object> input) {
    Object from = input.get("import_from");
    if (!(from instanceof String url) || url.isEmpty()) {
      return Future.failedFuture(GlintException.badRequest("Invalid location: " + from));
    }
    if (url.startsWith("file:///") || url.startsWith("filesystem:///")) {
      return Future.failedFuture(GlintException.badRequest("File based imports are not allowed. Please use a "
          + "non-local source of image data."));
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      return Future.failedFuture(GlintException.badRequest("The given uri is not valid. Please specify a valid uri "
          + "from the following list of supported uri ['http']"));
    }
    Object props = input.getOrDefault("image_properties", Map.of());
    if (!(props instanceof Map<?, ?>)) {
      return Future.failedFuture(GlintException.badRequest("Invalid value for 'image_properties'"));
    }
    NewImage request;
    try {
      request = new ImageRequests(images.rules()).parseCreate(new LinkedHashMap<>((Map<String, Object>) props));
    } catch (GlintException e) {
      return Future.failedFuture(e);
    }
    return fetch.check(url)
        .recover(e -> Future.failedFuture(GlintException.badRequest(
            "URI for legacy import task does not pass filtering: " + url)))
        .compose(target -> {
          Instant now = ImageUpdater.now();
          Task task = new Task(UUID.randomUUID().toString(), Task.IMPORT, TaskStatus.PENDING, ctx.owner(), null,
              ctx.userId(), ctx.requestId(), new LinkedHashMap<>(input), null, "", null, now, now);
          return tasks.insert(task);
        })
        .onSuccess(task -> runLegacy(ctx, task, request, url));
  }

  private void runLegacy(RequestContext ctx, Task task, NewImage request, String url) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("method", Map.of("name", ImportRequest.WEB_DOWNLOAD, "uri", url));
    ImportRequest importRequest = new ImportRequest(body, ImportRequest.WEB_DOWNLOAD, url, null, false, true, false);
    List<String> targets = new ArrayList<>();
    targets.add(stores.multiStore() ? stores.defaultStore().id() : null);
    images.create(ctx, request)
        .compose(image -> {
          Image.Builder b = image.toBuilder();
          b.properties.put(LOCK, task.id());
          b.status = image.status().transitionTo(ImageStatus.IMPORTING);
          b.updatedAt = ImageUpdater.later(image.updatedAt());
          return repository.update(b.build(), image.updatedAt()).compose(saved -> saved.isPresent()
              ? Future.succeededFuture(saved.get())
              : Future.failedFuture(new IllegalStateException("the new image changed before its import")));
        })
        .compose(image -> new ImportJob(parts, task, image, importRequest, targets, ctx).run()
            .compose(v -> tasks.find(task.id()))
            .compose(found -> {
              if (found.isPresent() && found.get().status() == TaskStatus.FAILURE) {
                LOG.info("Legacy import task {} failed; deleting its image {}", task.id(), image.id());
                return images.delete(ctx, image.id()).recover(e -> Future.succeededFuture());
              }
              return Future.succeededFuture();
            }))
        .onFailure(e -> {
          LOG.warn("Legacy import task {} failed: {}", task.id(), e.toString());
          tasks.transition(task.id(), TaskStatus.PENDING, TaskStatus.FAILURE, e.getMessage(), null,
              ImportJob.expiry(parts));
        });
  }

  /** What an accepted import does: its stores (null = the single store) and whether it is a no-op. */
  record Plan(Image image, List<String> stores, boolean nothingToDo) {}

  /**
   * Checks and starts an import; completes (202) once its task is recorded and running, or with nothing to do
   * (copy-image with {@code all_stores} when every store has the image).
   *
   * @param storeHeader the {@code X-Image-Meta-Store} header, or null
   */
  public Future<Void> start(RequestContext ctx, String id, ImportRequest request, String storeHeader) {
    return start(ctx, id, request, storeHeader, 1);
  }

  private Future<Void> start(RequestContext ctx, String id, ImportRequest request, String storeHeader,
      int attempt) {
    return lookup.visibleFresh(ctx, id)
        .compose(image -> quotas.beforeImport(ctx, image, request).map(image))
        .compose(image -> checkLock(image).compose(stale -> {
          Plan plan = plan(ctx, image, request, storeHeader);
          if (plan.nothingToDo()) {
            LOG.info("Exiting copying workflow as image {} is available in all configured stores.", id);
            return Future.succeededFuture();
          }
          Future<Void> uriChecked = request.method().equals(ImportRequest.WEB_DOWNLOAD)
              ? checkUri(request.uri()) : Future.succeededFuture();
          return uriChecked.compose(v -> lockAndRun(ctx, plan, request, stale, attempt, storeHeader));
        }));
  }

  private Future<Void> checkUri(String uri) {
    if (uri == null) {
      return Future.failedFuture(GlintException.badRequest("URI for web-download does not pass filtering: None"));
    }
    return fetch.check(uri).<Void>mapEmpty().recover(e -> Future.failedFuture(
        GlintException.badRequest("URI for web-download does not pass filtering: " + uri)));
  }

  private Plan plan(RequestContext ctx, Image image, ImportRequest request, String storeHeader) {
    String method = request.method();
    ImageStatus status = image.status();
    if (status == ImageStatus.ACTIVE && !method.equals(ImportRequest.COPY_IMAGE)) {
      throw GlintException.conflict("Image with status active cannot be target for import");
    }
    if (status != ImageStatus.ACTIVE && method.equals(ImportRequest.COPY_IMAGE)) {
      throw GlintException.conflict("Only images with status active can be targeted for copying");
    }
    if (status != ImageStatus.QUEUED && (method.equals(ImportRequest.WEB_DOWNLOAD)
        || method.equals(ImportRequest.GLANCE_DOWNLOAD))) {
      throw GlintException.conflict("Image needs to be in 'queued' state to use '" + method + "' method");
    }
    if (status != ImageStatus.UPLOADING && method.equals(ImportRequest.GLANCE_DIRECT)) {
      throw GlintException.conflict("Image needs to be staged before 'glance-direct' method can be used");
    }
    if (image.containerFormat() == null) {
      throw GlintException.conflict("'container_format' needs to be set before import");
    }
    if (image.diskFormat() == null) {
      throw GlintException.conflict("'disk_format' needs to be set before import");
    }
    if (method.equals(ImportRequest.GLANCE_DOWNLOAD)) {
      checkGlanceDownload(request);
    }
    if (method.equals(ImportRequest.COPY_IMAGE)) {
      policy.enforce(ctx, Action.COPY_IMAGE, Target.of(image));
    } else {
      policy.enforce(ctx, Action.MODIFY_IMAGE, Target.of(image));
    }
    if (method.equals(ImportRequest.GLANCE_DOWNLOAD) && ctx.token() == null) {
      // No catalog to look the remote Glance up in (not keystone mode): what Glance's get_glance_endpoint says.
      Map<?, ?> m = request.methodObject();
      throw GlintException.badRequest(GlanceDownload.endpointNotFound(
          String.valueOf(m.get("glance_service_interface")), String.valueOf(m.get("glance_region"))));
    }
    List<String> targets = new ArrayList<>();
    if (!stores.multiStore()) {
      targets.add(null);
    } else {
      if (request.allStores()) {
        if (request.stores() != null || storeHeader != null) {
          throw GlintException.badRequest("All_stores parameter can't be used with x-image-meta-store header or "
              + "stores parameter");
        }
        stores.all().stream().filter(s -> s.capabilities().writable()).forEach(s -> targets.add(s.id()));
      } else if (request.stores() != null) {
        if (storeHeader != null) {
          throw GlintException.badRequest("Stores parameter and x-image-meta-store header can't be both specified");
        }
        targets.addAll(request.stores());
      } else {
        targets.add(storeHeader != null ? storeHeader : stores.defaultStore().id());
      }
      for (String target : targets) {
        Optional<ImageStore> store = stores.byId(target);
        if (store.isEmpty() || !store.get().capabilities().writable()) {
          throw GlintException.conflict("Unknown scheme '" + target + "' found in URI");
        }
      }
    }
    return new Plan(image, targets, false);
  }

  /** Glance's checks of a glance-download request: region and remote image id given, the id a UUID. */
  private static void checkGlanceDownload(ImportRequest request) {
    Map<?, ?> m = request.methodObject();
    if (!m.containsKey("glance_region")) {
      throw GlintException.badRequest("'glance_region' needs to be set for glance-download import method");
    }
    if (!m.containsKey("glance_image_id")) {
      throw GlintException.badRequest("'glance_image_id' needs to be set for glance-download import method");
    }
    Object remote = m.get("glance_image_id");
    if (!pythonUuid(String.valueOf(remote))) {
      throw GlintException.badRequest("Remote image id does not look like a UUID: " + remote);
    }
  }

  /** What Python's {@code uuid.UUID(text)} accepts: 32 hex digits, with braces, dashes, {@code urn:uuid:}. */
  static boolean pythonUuid(String text) {
    String t = text.replace("urn:", "").replace("uuid:", "");
    t = t.replaceAll("^\\{+|\\}+$", "").replace("-", "");
    return t.matches("[0-9a-fA-F]{32}");
  }

  /** Removes from a copy-image plan the stores that already hold the image (all_stores) or refuses (400). */
  private Future<Plan> withoutExistingStores(Plan plan, ImportRequest request) {
    if (!request.method().equals(ImportRequest.COPY_IMAGE) || !stores.multiStore()) {
      return Future.succeededFuture(plan);
    }
    return repository.locations(plan.image().id()).map(locations -> {
      List<String> targets = new ArrayList<>(plan.stores());
      for (ImageLocation l : locations) {
        Object existing = l.metadata().get("store");
        if (existing != null && targets.contains(existing)) {
          if (!request.allStores()) {
            throw GlintException.badRequest("Image is already present at store '" + existing + "'");
          }
          targets.remove(existing);
        }
      }
      return new Plan(plan.image(), targets, targets.isEmpty());
    });
  }

  private Future<Void> lockAndRun(RequestContext ctx, Plan first, ImportRequest request, Task stale, int attempt,
      String storeHeader) {
    if (!request.allStoresMustSucceed() && !stores.multiStore()) {
      return Future.failedFuture(GlintException.badRequest("All_stores_must_succeed can only be set with "
          + "enabled_backends " + (request.uri() == null ? "None" : request.uri())));
    }
    return withoutExistingStores(first, request).compose(plan -> {
      if (plan.nothingToDo()) {
        LOG.info("Exiting copying workflow as image {} is available in all configured stores.", plan.image().id());
        return Future.succeededFuture();
      }
      Image image = plan.image();
      String taskId = UUID.randomUUID().toString();
      Image.Builder b = image.toBuilder();
      b.properties.put(LOCK, taskId);
      if (!request.method().equals(ImportRequest.COPY_IMAGE)) {
        b.status = image.status().transitionTo(ImageStatus.IMPORTING);
      }
      List<String> named = plan.stores().stream().filter(s -> s != null).toList();
      if (stale != null) {
        dropStores(b, storesOf(stale));
      }
      mergeStores(b, IMPORTING, named, false);
      mergeStores(b, FAILED, named, true);
      b.properties.remove(STAGE_HOST);
      b.updatedAt = ImageUpdater.later(image.updatedAt());
      return repository.update(b.build(), image.updatedAt()).compose(saved -> {
        if (saved.isEmpty()) {
          if (attempt >= ImageUpdater.MAX_ATTEMPTS) {
            return Future.failedFuture(GlintException.conflict("New operation on image '" + image.id()
                + "' is not permitted as prior operation is still in progress"));
          }
          return start(ctx, image.id(), request, storeHeader, attempt + 1); // lost a race: check everything again
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("image_id", image.id());
        input.put("import_req", request.body());
        input.put("backend", new ArrayList<>(plan.stores()));
        Instant now = ImageUpdater.now();
        Task task = new Task(taskId, Task.API_IMAGE_IMPORT, TaskStatus.PENDING, ctx.owner(), image.id(),
            ctx.userId(), ctx.requestId(), input, null, "", null, now, now);
        return tasks.insert(task)
            .recover(e -> dropLockAfter(image.id(), taskId, e))
            .map(inserted -> {
              new ImportJob(parts, inserted, saved.get(), request, plan.stores(), ctx).run();
              return null;
            });
      });
    });
  }

  private <T> Future<T> dropLockAfter(String imageId, String taskId, Throwable failure) {
    return ImportJob.underLock(repository, imageId, taskId, b -> {
      b.properties.remove(LOCK);
      if (b.status == ImageStatus.IMPORTING) {
        b.status = ImageStatus.QUEUED;
      }
      return b;
    }).transform(ar -> Future.failedFuture(failure));
  }

  /**
   * Glance's {@code _enforce_import_lock}: with no lock, nothing; a lock whose task is gone, or has not moved for
   * {@link #LOCK_EXPIRY} (twice that while pending), is broken (the task failed) and its task returned; any other
   * lock is a 409.
   */
  private Future<Task> checkLock(Image image) {
    String other = image.properties().get(LOCK);
    if (other == null) {
      return Future.succeededFuture();
    }
    return tasks.find(other).compose(found -> {
      Task task = found.orElse(null);
      if (task != null) {
        Duration expiry = task.status() == TaskStatus.PENDING ? LOCK_EXPIRY.multipliedBy(2) : LOCK_EXPIRY;
        Duration age = Duration.between(task.updatedAt(), Instant.now());
        if (age.compareTo(expiry) < 0) {
          LOG.warn("Image {} has active import task {} in status {}; lock remains valid for {} more seconds",
              image.id(), task.id(), task.status(), expiry.minus(age).toSeconds());
          return Future.failedFuture(GlintException.conflict("Image has active task"));
        }
        if (!task.status().finished()) {
          return tasks.transition(task.id(), task.status(), TaskStatus.FAILURE, "Expired lock preempted", null,
              ImportJob.expiry(parts)).compose(v -> bust(image, other, task));
        }
      } else {
        LOG.warn("Image {} has non-existent import task {}; considering it stale", image.id(), other);
      }
      return bust(image, other, task);
    });
  }

  private Future<Task> bust(Image image, String other, Task task) {
    LOG.warn("Image {} has stale import task {} in status {}; removing the lock because it expired", image.id(),
        other, task == null ? "missing" : task.status());
    return Future.succeededFuture(task);
  }

  @SuppressWarnings("unchecked")
  static List<String> storesOf(Task task) {
    Object backend = task.input() == null ? null : task.input().get("backend");
    List<String> out = new ArrayList<>();
    if (backend instanceof List<?> list) {
      list.forEach(s -> {
        if (s instanceof String id) {
          out.add(id);
        }
      });
    }
    return out;
  }

  private static void dropStores(Image.Builder b, List<String> named) {
    mergeStores(b, IMPORTING, named, true);
    mergeStores(b, FAILED, named, true);
  }

  /** Glance's {@code merge_store_list}: a sorted, comma-joined set of store ids in property {@code key}. */
  static void mergeStores(Image.Builder b, String key, List<String> named, boolean subtract) {
    java.util.TreeSet<String> set = new java.util.TreeSet<>();
    String existing = b.properties.get(key);
    if (existing != null) {
      for (String s : existing.split(",")) {
        if (!s.isBlank()) {
          set.add(s);
        }
      }
    }
    if (named.isEmpty() && existing == null) {
      return;
    }
    if (subtract) {
      set.removeAll(named);
    } else {
      set.addAll(named);
    }
    b.properties.put(key, String.join(",", set));
  }

  /**
   * Fails the tasks nobody runs any more and puts their images back: at start-up ({@code ownToo}) this node's
   * own, and at any time those of nodes silent for {@code silence}.
   */
  public Future<Void> recoverOrphaned(boolean ownToo, Duration silence) {
    return tasks.orphaned(ownToo, silence).compose(found -> {
      Future<Void> chain = Future.succeededFuture();
      for (Task t : found) {
        chain = chain.compose(v -> ImportJob.recover(parts, t));
      }
      return chain;
    });
  }

  /** The tasks of an image the caller may see ({@code GET /v2/images/{id}/tasks}): 404 when it may not. */
  public Future<List<Task>> tasksOf(RequestContext ctx, String id) {
    return lookup.visible(ctx, id)
        .recover(e -> Future.failedFuture(e instanceof GlintException g && g.kind() == GlintException.Kind.NOT_FOUND
            ? GlintException.notFound(null) : e))
        .compose(image -> tasks.ofImage(image.id(), ctx.admin() ? null : ctx.owner()));
  }
}
