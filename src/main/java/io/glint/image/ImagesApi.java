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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

  private void list(RoutingContext ctx) {
    List<Map.Entry<String, String>> params = Http.queryParams(ctx);
    ImageQuery query = queryParser.parse(params);
    service.list(AuthHandler.context(ctx), query)
        .compose(page -> !view.any() ? Future.succeededFuture(renderPage(page, params, Map.of()))
            : locations.of(page.images()).map(found -> renderPage(page, params, found)))
        .onSuccess(body -> sendJson(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    NewImage request = requests.parseCreate(Http.jsonBody(ctx));
    service.create(AuthHandler.context(ctx), request)
        .compose(image -> render(image).map(body -> {
          ctx.response().putHeader("Location", Http.baseUrl(ctx, publicEndpoint) + "/v2/images/" + image.id());
          if (storeIds != null) {
            ctx.response().putHeader("OpenStack-image-store-ids", storeIds);
          }
          return body;
        }))
        .onSuccess(body -> sendJson(ctx, 201, body))
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    service.get(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .compose(this::render)
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
        ? locations.patch(caller, id, ops).map(patched -> render(patched.image(), patched.locations()))
        : service.update(caller, id, ops).compose(this::render);
    rendered
        .onSuccess(body -> sendJson(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    service.delete(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .onSuccess(v -> ctx.response().setStatusCode(204).end())
        .onFailure(ctx::fail);
  }

  /** One image view, with locations / direct_url when configured (read for it). */
  private Future<Buffer> render(Image image) {
    if (!view.any()) {
      return Future.succeededFuture(ImageJson.toBuffer(image));
    }
    return locations.of(List.of(image)).map(found -> render(image, found.getOrDefault(image.id(), List.of())));
  }

  /** One image view, with these locations / direct_url when configured. */
  private Buffer render(Image image, List<ImageLocation> imageLocations) {
    return view.any() ? ImageJson.toBuffer(image, view, imageLocations) : ImageJson.toBuffer(image);
  }

  /** Glance's list body: images, {@code first}, {@code next} (when the page was full) and {@code schema}. */
  private Buffer renderPage(ImagePage page, List<Map.Entry<String, String>> params,
      Map<String, List<ImageLocation>> locations) {
    String query = encode(params, null);
    return ImageJson.page(page.images(), query.isEmpty() ? "/v2/images" : "/v2/images?" + query,
        page.nextMarker() == null ? null : "/v2/images?" + encode(params, page.nextMarker()), view, locations);
  }

  private static String encode(List<Map.Entry<String, String>> params, String marker) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> p : params) {
      if (p.getKey().equals("marker")) {
        continue;
      }
      append(sb, p.getKey(), p.getValue());
    }
    if (marker != null) {
      append(sb, "marker", marker);
    }
    return sb.toString();
  }

  private static void append(StringBuilder sb, String key, String value) {
    if (sb.length() > 0) {
      sb.append('&');
    }
    sb.append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(java.util.Locale.ROOT);
  }

  static void sendJson(RoutingContext ctx, int status, Buffer body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }
}
