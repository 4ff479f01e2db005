package io.glint.metadef;

import io.glint.auth.RequestContext;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The routes of one kind of namespace child ({@code /v2/metadefs/namespaces/{namespace}/{kind}[/{member}]}): list,
 * create and delete-all on the collection; show, update and delete on one member.
 */
abstract class NamespaceChildApi implements io.glint.http.Routes {
  protected final MetadefService service;
  protected final JsonBodyHandler json;
  private final String kind;
  private final String member;

  NamespaceChildApi(MetadefService service, JsonBodyHandler json, String kind, String member) {
    this.service = service;
    this.json = json;
    this.kind = kind;
    this.member = member;
  }

  @Override
  public final void mount(Router v2) {
    String all = "/metadefs/namespaces/:namespace/" + kind;
    String one = all + "/:" + member;
    v2.get(all).handler(Http::rejectBody).handler(this::list);
    v2.post(all).handler(json).handler(this::create);
    v2.delete(all).handler(Http::rejectBody).handler(ctx -> noContent(ctx,
        removeAll(AuthHandler.context(ctx), NamespacesApi.name(ctx))));
    Http.allow(v2, all, "GET, POST, DELETE");
    Handler<RoutingContext> createMember = createMember();
    v2.get(one).handler(Http::rejectBody).handler(this::show);
    if (createMember != null) {
      v2.post(one).handler(Http::rejectBody).handler(createMember);
    }
    v2.put(one).handler(json).handler(this::update);
    v2.delete(one).handler(Http::rejectBody).handler(ctx -> noContent(ctx,
        remove(AuthHandler.context(ctx), NamespacesApi.name(ctx), memberName(ctx))));
    Http.allow(v2, one, createMember == null ? "GET, PUT, DELETE" : "GET, POST, PUT, DELETE");
  }

  /** The member's name from the path. */
  protected final String memberName(RoutingContext ctx) {
    return Http.pathParam(ctx, member);
  }

  private static void noContent(RoutingContext ctx, Future<Void> done) {
    done.onSuccess(v -> MetadefHttp.noContent(ctx)).onFailure(ctx::fail);
  }

  protected abstract void list(RoutingContext ctx);

  protected abstract void create(RoutingContext ctx);

  protected abstract void show(RoutingContext ctx);

  protected abstract void update(RoutingContext ctx);

  protected abstract Future<Void> removeAll(RequestContext ctx, String namespace);

  protected abstract Future<Void> remove(RequestContext ctx, String namespace, String name);

  /** {@code POST} on one member (creating it by name alone), or null when the kind has none. */
  protected Handler<RoutingContext> createMember() {
    return null;
  }
}
