package io.glint.task;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.glint.policy.Action;
import io.glint.policy.Policy;
import io.glint.policy.Target;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The tasks API ({@code glance/api/v2/tasks.py}): {@code GET /v2/tasks}, {@code GET /v2/tasks/{id}}, the
 * deprecated {@code POST /v2/tasks} (type {@code import}), {@code DELETE} always 405, and the task schemas. The
 * whole API is behind the {@code tasks_api_access} rule (admins by default); a caller sees its project's tasks,
 * an admin everyone's.
 */
public final class TasksApi implements io.glint.http.Routes {
  private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
      "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$");

  private final TaskRepository tasks;
  private final Policy policy;
  private final JsonBodyHandler json;
  private final BiFunction<RequestContext, Map<String, Object>, Future<Task>> legacyImport;
  private final int limitDefault;
  private final int limitMax;

  /**
   * @param legacyImport starts a legacy {@code import} task from its input ({@code import_from},
   *     {@code import_from_format}, {@code image_properties})
   */
  public TasksApi(TaskRepository tasks, Policy policy, JsonBodyHandler json,
      BiFunction<RequestContext, Map<String, Object>, Future<Task>> legacyImport, int limitDefault, int limitMax) {
    this.tasks = tasks;
    this.policy = policy;
    this.json = json;
    this.legacyImport = legacyImport;
    this.limitDefault = limitDefault;
    this.limitMax = limitMax;
  }

  @Override
  public void mount(Router v2) {
    v2.get("/tasks").handler(this::list);
    v2.post("/tasks").handler(this::access).handler(json).handler(this::create);
    v2.get("/tasks/:id").handler(this::show);
    v2.delete("/tasks/:id").handler(this::delete);
    v2.get("/schemas/task").handler(ctx -> send(ctx, 200, TaskJson.schema()));
    v2.get("/schemas/tasks").handler(ctx -> send(ctx, 200, TaskJson.collectionSchema()));
    Http.allow(v2, "/tasks", "GET, POST");
    Http.allow(v2, "/tasks/:id", "GET");
    Http.allow(v2, "/schemas/task", "GET");
    Http.allow(v2, "/schemas/tasks", "GET");
  }

  private void access(RoutingContext ctx) {
    ctx.request().pause();
    enforce(ctx);
    ctx.next();
  }

  private void enforce(RoutingContext ctx) {
    RequestContext caller = AuthHandler.context(ctx);
    policy.enforce(caller, Action.TASKS_API_ACCESS, Target.project(caller.owner()));
  }

  private void list(RoutingContext ctx) {
    enforce(ctx);
    RequestContext caller = AuthHandler.context(ctx);
    List<Map.Entry<String, String>> params = Http.queryParams(ctx);
    String limitRaw = null;
    String marker = null;
    String sortKey = "created_at";
    String sortDir = "desc";
    String status = null;
    String type = null;
    for (Map.Entry<String, String> p : params) {
      switch (p.getKey()) {
        case "limit" -> limitRaw = p.getValue();
        case "marker" -> marker = p.getValue();
        case "sort_key" -> sortKey = p.getValue();
        case "sort_dir" -> sortDir = p.getValue();
        case "status" -> status = p.getValue();
        case "type" -> type = p.getValue();
        default -> { }
      }
    }
    if (!sortDir.equals("asc") && !sortDir.equals("desc")) {
      throw GlintException.badRequest("Invalid sort direction: " + sortDir);
    }
    if (status != null && !status.isEmpty() && !List.of("pending", "processing", "success", "failure").contains(status)) {
      throw GlintException.badRequest("Invalid status value: " + status);
    }
    if (type != null && !type.isEmpty() && !type.equals("import")) {
      throw GlintException.badRequest("Invalid type value: " + type);
    }
    if (!List.of("created_at", "updated_at", "id", "status", "type", "expires_at", "owner").contains(sortKey)) {
      throw GlintException.badRequest("Unsupported sort_key. Acceptable values: created_at, updated_at, id, status, "
          + "type, expires_at, owner");
    }
    if (marker != null && !UUID.matcher(marker).matches()) {
      throw GlintException.badRequest("Invalid marker format");
    }
    int limit = limitDefault;
    if (limitRaw != null) {
      try {
        limit = Integer.parseInt(limitRaw.strip());
      } catch (NumberFormatException e) {
        throw GlintException.badRequest("limit param must be an integer");
      }
      if (limit < 0) {
        throw GlintException.badRequest("limit param must be positive");
      }
    }
    int pageSize = Math.min(limit, limitMax);
    String owner = caller.admin() ? null : caller.owner();
    String filterStatus = status == null || status.isEmpty() ? null : status;
    String filterType = type == null || type.isEmpty() ? null : type;
    String sk = sortKey;
    boolean asc = sortDir.equals("asc");
    Future<Optional<Task>> markerTask = marker == null ? Future.succeededFuture(Optional.empty())
        : tasks.find(marker).map(found -> {
          if (found.isEmpty() || (owner != null && !owner.equals(found.get().owner()))) {
            throw GlintException.badRequest("Task with the given id " + ctx.queryParams().get("marker")
                + " was not found");
          }
          return found;
        });
    markerTask
        .compose(m -> tasks.list(new TaskRepository.TaskQuery(owner, m.orElse(null), pageSize, sk, asc, filterStatus,
            filterType)))
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.forEach(t -> items.add(TaskJson.stub(t)));
          String query = Http.queryWithMarker(params, null);
          JsonObject body = new JsonObject().put("tasks", items)
              .put("first", query.isEmpty() ? "/v2/tasks" : "/v2/tasks?" + query)
              .put("schema", "/v2/schemas/tasks");
          if (!page.isEmpty() && page.size() == pageSize) {
            body.put("next", "/v2/tasks?" + Http.queryWithMarker(params, page.get(page.size() - 1).id()));
          }
          send(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    enforce(ctx);
    RequestContext caller = AuthHandler.context(ctx);
    String id = Http.pathParam(ctx, "id");
    tasks.find(id)
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.fail(GlintException.notFound("Task with the given id " + id + " was not found"));
          } else if (!visible(caller, found.get())) {
            ctx.fail(GlintException.forbidden("Forbidding request, task " + id + " is not visible"));
          } else {
            send(ctx, 200, TaskJson.full(found.get()));
          }
        })
        .onFailure(ctx::fail);
  }

  private static boolean visible(RequestContext caller, Task task) {
    return caller.admin() || task.owner() == null || (caller.owner() != null && caller.owner().equals(task.owner()));
  }

  @SuppressWarnings("unchecked")
  private void create(RoutingContext ctx) {
    RequestContext caller = AuthHandler.context(ctx);
    Object parsed = Http.jsonBody(ctx);
    if (!(parsed instanceof Map<?, ?> body)) {
      throw GlintException.badRequest("Body expected in request.");
    }
    for (String required : List.of("type", "input")) {
      if (!body.containsKey(required)) {
        throw GlintException.badRequest("Task '" + required + "' is required");
      }
    }
    for (Object key : body.keySet()) {
      if (!List.of("type", "input").contains(key)) {
        throw GlintException.badRequest("Additional properties are not allowed ('" + key + "' was unexpected)");
      }
    }
    Object type = body.get("type");
    if (!(type instanceof String t) || !List.of("import", "api_image_import", "location_import").contains(t)) {
      throw GlintException.badRequest("Invalid value for 'type': " + type);
    }
    if (!(body.get("input") instanceof Map<?, ?> input)) {
      throw GlintException.badRequest("Invalid value for 'input': must be an object");
    }
    if (!t.equals("import")) {
      throw GlintException.badRequest("Task type " + t + " cannot be created through the tasks API; use "
          + "POST /v2/images/{image_id}/import");
    }
    legacyImport.apply(caller, (Map<String, Object>) input)
        .onSuccess(task -> {
          ctx.response().putHeader("Location", "/v2/tasks/" + task.id());
          send(ctx, 201, TaskJson.full(task));
        })
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    enforce(ctx);
    ctx.response().putHeader("Allow", "GET");
    ctx.fail(new GlintException(GlintException.Kind.METHOD_NOT_ALLOWED, "This operation is currently not permitted "
        + "on Glance Tasks. They are auto deleted after reaching the time based on their expires_at property."));
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    io.glint.http.ApiResponses.json(ctx, status, body.toBuffer());
  }
}
