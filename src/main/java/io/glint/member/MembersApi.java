package io.glint.member;

import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.glint.image.IsoTime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code /v2/images/{id}/members[/{member}]}. */
public final class MembersApi implements io.glint.http.Routes {
  private final MemberService service;
  private final JsonBodyHandler json;

  public MembersApi(MemberService service, JsonBodyHandler json) {
    this.service = service;
    this.json = json;
  }

  @Override
  public void mount(Router v2) {
    v2.get("/images/:id/members").handler(Http::rejectBody).handler(this::list);
    v2.post("/images/:id/members").handler(json).handler(this::add);
    v2.get("/images/:id/members/:member").handler(Http::rejectBody).handler(this::show);
    v2.put("/images/:id/members/:member").handler(json).handler(this::update);
    v2.delete("/images/:id/members/:member").handler(Http::rejectBody).handler(this::remove);
    Http.allow(v2, "/images/:id/members", "GET, POST");
    Http.allow(v2, "/images/:id/members/:member", "GET, PUT, DELETE");
  }

  private void list(RoutingContext ctx) {
    service.list(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .onSuccess(members -> {
          JsonArray array = new JsonArray();
          members.forEach(m -> array.add(render(m)));
          send(ctx, new JsonObject().put("members", array).put("schema", "/v2/schemas/members"));
        })
        .onFailure(ctx::fail);
  }

  private void add(RoutingContext ctx) {
    Object body = Http.jsonBody(ctx);
    if (!(body instanceof Map<?, ?> map)) {
      throw GlintException.badRequest("Expected a member in the form: {\"member\": \"image_id\"}");
    }
    if (!map.containsKey("member")) {
      throw GlintException.badRequest("Member to be added not specified");
    }
    Object member = map.get("member");
    if (member == null || "".equals(member) || Boolean.FALSE.equals(member)) {
      throw GlintException.badRequest("Member can't be empty");
    }
    if (!(member instanceof String id)) {
      throw GlintException.badRequest("Expected a member in the form: {\"member\": \"image_id\"}");
    }
    if (id.length() > 255) {
      throw GlintException.badRequest("Member id is too long (at most 255 characters).");
    }
    io.glint.image.ImageRules.checkText(id);
    service.add(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), id)
        .onSuccess(m -> send(ctx, render(m)))
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    service.get(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), Http.pathParam(ctx, "member"))
        .onSuccess(m -> send(ctx, render(m)))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    Object body = Http.jsonBody(ctx);
    if (!(body instanceof Map<?, ?> map)) {
      throw GlintException.badRequest("Expected a status in the form: {\"status\": \"status\"}");
    }
    if (!map.containsKey("status")) {
      throw GlintException.badRequest("Status not specified");
    }
    Object status = map.get("status");
    service.setStatus(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), Http.pathParam(ctx, "member"), status)
        .onSuccess(m -> send(ctx, render(m)))
        .onFailure(ctx::fail);
  }

  private void remove(RoutingContext ctx) {
    service.remove(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), Http.pathParam(ctx, "member"))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  static JsonObject render(Member m) {
    return new JsonObject()
        .put("created_at", IsoTime.render(m.createdAt()))
        .put("image_id", m.imageId())
        .put("member_id", m.memberId())
        .put("schema", "/v2/schemas/member")
        .put("status", m.status())
        .put("updated_at", IsoTime.render(m.updatedAt()));
  }

  private static void send(RoutingContext ctx, JsonObject body) {
    io.glint.http.ApiResponses.json(ctx, body.toBuffer());
  }
}
