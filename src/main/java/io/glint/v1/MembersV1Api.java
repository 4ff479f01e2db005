package io.glint.v1;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.glint.member.Member;
import io.glint.member.MemberService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * v1 image sharing ({@code glance/api/v1/members.py}) on {@link MemberService}: the same members v2 lists, with
 * v1's {@code can_share} flag. Only shared images have members (the domain's rule, through both doors); a member
 * added through v1 is pending, as through v2, and listed by v1 whatever its status.
 */
public final class MembersV1Api implements io.glint.http.Routes {
  private final MemberService service;
  private final JsonBodyHandler json;

  public MembersV1Api(MemberService service, JsonBodyHandler json) {
    this.service = service;
    this.json = json;
  }

  @Override
  public void mount(Router v1) {
    v1.get("/images/:id/members").handler(Http::rejectBody).handler(this::list);
    v1.put("/images/:id/members").handler(json).handler(this::replaceAll);
    Http.allow(v1, "/images/:id/members", "GET, PUT");
    v1.get("/images/:id/members/:member").handler(ctx -> ctx.fail(new GlintException(
        GlintException.Kind.METHOD_NOT_ALLOWED, "The method GET is not allowed for this resource.")));
    v1.put("/images/:id/members/:member").handler(json).handler(this::put);
    v1.delete("/images/:id/members/:member").handler(Http::rejectBody).handler(this::remove);
    Http.allow(v1, "/images/:id/members/:member", "GET, PUT, DELETE");
    v1.get("/shared-images/:member").handler(Http::rejectBody).handler(this::shared);
  }

  private void list(RoutingContext ctx) {
    service.list(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .onSuccess(members -> {
          JsonArray array = new JsonArray();
          members.forEach(m -> array.add(new JsonObject().put("member_id", m.memberId())
              .put("can_share", m.canShare())));
          send(ctx, new JsonObject().put("members", array));
        })
        .onFailure(ctx::fail);
  }

  /** {@code PUT /v1/images/{id}/members/{member}}: adds the member if new; sets can_share when the body says. */
  private void put(RoutingContext ctx) {
    Boolean canShare = null;
    if (Http.hasBody(ctx.request())) {
      Object body = Http.jsonBody(ctx);
      if (!(body instanceof Map<?, ?> map) || !(map.get("member") instanceof Map<?, ?> member)
          || (member.containsKey("can_share") && !(member.get("can_share") instanceof Boolean))) {
        throw GlintException.badRequest("Invalid membership association specified.");
      }
      canShare = (Boolean) member.get("can_share");
    }
    RequestContext caller = AuthHandler.context(ctx);
    String id = Http.pathParam(ctx, "id");
    String memberId = Http.pathParam(ctx, "member");
    checkMemberId(memberId);
    ensure(caller, id, memberId, canShare)
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  /** Adds {@code memberId} unless it is one already, then sets can_share if given. */
  private Future<Void> ensure(RequestContext caller, String id, String memberId, Boolean canShare) {
    Future<Boolean> added = service.add(caller, id, memberId).map(true)
        .recover(e -> e instanceof GlintException g && g.kind() == GlintException.Kind.CONFLICT
            ? Future.succeededFuture(false) : Future.failedFuture(e));
    return added.compose(isNew -> canShare == null || (isNew && !canShare) ? Future.succeededFuture()
        : service.setCanShare(caller, id, memberId, canShare).mapEmpty());
  }

  /**
   * {@code PUT /v1/images/{id}/members} with {@code {"memberships": [{"member_id", "can_share"}]}}: the list
   * becomes exactly these members (removed first, so that the member quota counts the new list).
   */
  private void replaceAll(RoutingContext ctx) {
    Object body = Http.jsonBody(ctx);
    if (!(body instanceof Map<?, ?> map) || !(map.get("memberships") instanceof List<?> list)) {
      throw GlintException.badRequest("Invalid membership association specified.");
    }
    Map<String, Boolean> wanted = new LinkedHashMap<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m) || !(m.get("member_id") instanceof String memberId)
          || (m.containsKey("can_share") && !(m.get("can_share") instanceof Boolean))) {
        throw GlintException.badRequest("Invalid membership association specified.");
      }
      checkMemberId(memberId);
      wanted.put(memberId, Boolean.TRUE.equals(m.get("can_share")));
    }
    RequestContext caller = AuthHandler.context(ctx);
    String id = Http.pathParam(ctx, "id");
    service.list(caller, id)
        .compose(current -> {
          List<String> gone = new ArrayList<>();
          current.forEach(m -> {
            if (!wanted.containsKey(m.memberId())) {
              gone.add(m.memberId());
            }
          });
          Future<Void> chain = Future.succeededFuture();
          for (String g : gone) {
            chain = chain.compose(v -> service.remove(caller, id, g));
          }
          for (Map.Entry<String, Boolean> w : wanted.entrySet()) {
            chain = chain.compose(v -> ensure(caller, id, w.getKey(), w.getValue()));
          }
          return chain;
        })
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void remove(RoutingContext ctx) {
    service.remove(AuthHandler.context(ctx), Http.pathParam(ctx, "id"), Http.pathParam(ctx, "member"))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  private void shared(RoutingContext ctx) {
    service.sharedWith(AuthHandler.context(ctx), Http.pathParam(ctx, "member"))
        .onSuccess(members -> {
          JsonArray array = new JsonArray();
          for (Member m : members) {
            array.add(new JsonObject().put("image_id", m.imageId()).put("can_share", m.canShare()));
          }
          send(ctx, new JsonObject().put("shared_images", array));
        })
        .onFailure(ctx::fail);
  }

  private static void checkMemberId(String id) {
    if (id.length() > 255) {
      throw GlintException.badRequest("Member id is too long (at most 255 characters).");
    }
    io.glint.image.ImageRules.checkText(id);
  }

  private static void send(RoutingContext ctx, JsonObject body) {
    io.glint.http.ApiResponses.json(ctx, body.toBuffer());
  }
}
