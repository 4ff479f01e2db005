package io.glint.image;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.http.JsonBodyHandler;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;

/**
 * The {@code /v2/images} routes: HTTP in, {@link ImageService} call ({@link ImageLocations} for a patch of
 * locations), Glance JSON out.
 */
public final class ImagesApi implements io.glint.http.Routes {
  static final String PATCH_V21 = "application/openstack-images-v2.1-json-patch";
  static final String PATCH_V20 = "application/openstack-images-v2.0-json-patch";

  private final ImageService service;
  private final ImageLocations locations;
  private final ImageRequests requests;
  private final ImageQueryParser queryParser;
  private final String publicEndpoint;
  private final ImageJson.Options view;
  private final String storeIds;
  private final JsonBodyHandler json;
  private String importMethods;

  /**
   * @param storeIds in multi-store mode, the store ids sent as {@code OpenStack-image-store-ids} on create; else null
   */
  public ImagesApi(ImageService service, ImageLocations locations, ImageQueryParser queryParser,
      String publicEndpoint, ImageJson.Options view, String storeIds, JsonBodyHandler json) {
    this.json = json;
    this.service = service;
    this.locations = locations;
    this.view = view;
    this.storeIds = storeIds;
    this.requests = new ImageRequests(service.rules());
    this.queryParser = queryParser;
    this.publicEndpoint = publicEndpoint;
  }

  /** The import methods sent as {@code OpenStack-image-import-methods} on create (none: no header). */
  public ImagesApi withImportMethods(List<String> methods) {
    this.importMethods = methods.isEmpty() ? null : String.join(",", methods);
    return this;
  }

  @Override
  public void mount(Router v2) {
    v2.get("/images").handler(Http::rejectBody).handler(this::list);
    v2.post("/images").handler(json).handler(this::create);
    v2.get("/images/:id").handler(Http::rejectBody).handler(this::show);
    v2.patch("/images/:id").handler(json).handler(this::checkPatchType).handler(this::update);
    v2.delete("/images/:id").handler(Http::rejectBody).handler(this::delete);
    Http.allow(v2, "/images", "GET, POST");
    Http.allow(v2, "/images/:id", "GET, PATCH, DELETE");
  }

  /** Answers lists from the list cache while nothing changed; the cache starts empty and off. */
  public ImagesApi withListCache(ListCache cache) {
    this.listCache = cache;
    return this;
  }

  private void list(RoutingContext ctx) {
    RequestContext caller = AuthHandler.context(ctx);
    String rawQuery = ctx.request().query();
    byte[] cached = listCache == null ? null : listCache.get(caller, rawQuery);
    if (cached != null) {
      sendJson(ctx, 200, io.vertx.core.internal.buffer.BufferInternal.buffer(
          io.netty.buffer.Unpooled.wrappedBuffer(cached)));
      return;
    }
    long readAt = listCache == null ? 0 : listCache.generation();
    List<Map.Entry<String, String>> params = Http.queryParams(ctx);
    ImageQuery query = queryParser.parse(params);
    service.list(caller, query)
        .compose(page -> !view.any() ? Future.succeededFuture(renderPage(caller, page, params, Map.of()))
            : locations.of(page.images()).map(found -> renderPage(caller, page, params, found)))
        .onSuccess(body -> {
          if (listCache != null) {
            listCache.put(caller, rawQuery, readAt, body.getBytes());
          }
          sendJson(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }

  private ListCache listCache;

  private void create(RoutingContext ctx) {
    NewImage request = requests.parseCreate(Http.jsonBody(ctx));
    RequestContext caller = AuthHandler.context(ctx);
    service.create(caller, request)
        .compose(image -> render(caller, image).map(body -> {
          ctx.response().putHeader("Location", Http.baseUrl(ctx, publicEndpoint) + "/v2/images/" + image.id());
          if (importMethods != null) {
            ctx.response().putHeader("OpenStack-image-import-methods", importMethods);
          }
          if (storeIds != null) {
            ctx.response().putHeader("OpenStack-image-store-ids", storeIds);
          }
          return body;
        }))
        .onSuccess(body -> sendJson(ctx, 201, body))
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    RequestContext caller = AuthHandler.context(ctx);
    service.get(caller, Http.pathParam(ctx, "id"))
        .compose(image -> render(caller, image))
        .onSuccess(body -> sendJson(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void checkPatchType(RoutingContext ctx) {
    String type = mediaType(ctx.request().getHeader("Content-Type"));
    if (!PATCH_V20.equals(type) && !PATCH_V21.equals(type)) {
      ctx.response().putHeader("Accept-Patch", PATCH_V20 + ", " + PATCH_V21);
      ctx.fail(GlintException.unsupportedMediaType("Image PATCH expects Content-Type one of: "
          + PATCH_V20 + ", " + PATCH_V21));
      return;
    }
    ctx.next();
  }

  private void update(RoutingContext ctx) {
    boolean draft4 = PATCH_V20.equals(mediaType(ctx.request().getHeader("Content-Type")));
    String id = Http.pathParam(ctx, "id");
    List<PatchOp> ops = requests.parsePatch(Http.jsonBody(ctx), draft4);
    RequestContext caller = AuthHandler.context(ctx);
    Future<Buffer> rendered = ImageLocations.touchesLocations(ops)
        ? locations.patch(caller, id, ops).map(patched -> render(caller, patched.image(), patched.locations()))
        : service.update(caller, id, ops).compose(image -> render(caller, image));
    rendered
        .onSuccess(body -> sendJson(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    service.delete(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  /** One image view, with locations / direct_url when configured (read for it, if the caller may see them). */
  private Future<Buffer> render(RequestContext caller, Image image) {
    if (!view.any() || !locations.readable(caller, image)) {
      return Future.succeededFuture(render(caller, image, List.of()));
    }
    return locations.of(List.of(image))
        .map(found -> render(caller, image, found.getOrDefault(image.id(), List.of())));
  }

  /**
   * One image view as {@code caller} may see it: without the custom properties it may not read, with these
   * locations / direct_url when configured and {@code get_image_location} allows.
   */
  private Buffer render(RequestContext caller, Image image, List<ImageLocation> imageLocations) {
    Image shown = service.readable(caller, image);
    if (!view.any()) {
      return ImageJson.toBuffer(shown);
    }
    return ImageJson.toBuffer(shown, view, locations.readable(caller, image) ? imageLocations : List.of());
  }

  /** Glance's list body: images, {@code first}, {@code next} (when the page was full) and {@code schema}. */
  private Buffer renderPage(RequestContext caller, ImagePage page, List<Map.Entry<String, String>> params,
      Map<String, List<ImageLocation>> found) {
    String query = Http.queryWithMarker(params, null);
    List<Image> shown = page.images().stream().map(i -> service.readable(caller, i)).toList();
    Map<String, List<ImageLocation>> visible = found;
    if (!found.isEmpty()) {
      visible = new java.util.HashMap<>(found);
      for (Image i : page.images()) {
        if (!locations.readable(caller, i)) {
          visible.remove(i.id());
        }
      }
    }
    return ImageJson.page(shown, query.isEmpty() ? "/v2/images" : "/v2/images?" + query,
        page.nextMarker() == null ? null : "/v2/images?" + Http.queryWithMarker(params, page.nextMarker()), view, visible);
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(java.util.Locale.ROOT);
  }

  static void sendJson(RoutingContext ctx, int status, Buffer body) {
    io.glint.http.ApiResponses.json(ctx, status, body);
  }
}
