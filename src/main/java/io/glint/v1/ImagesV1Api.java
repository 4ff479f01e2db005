package io.glint.v1;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.http.AuthHandler;
import io.glint.http.Http;
import io.glint.image.Image;
import io.glint.image.DownloadResponse;
import io.glint.image.ImageDataService;
import io.glint.image.UploadRequests;
import io.glint.transfer.RequestBody;
import io.glint.transfer.Transfers;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * The {@code /v1/images} routes of Glance Queens' v1 router: metadata in {@code x-image-meta-*} headers, data in
 * the body of {@code POST}/{@code PUT} and of {@code GET /v1/images/{id}}. HTTP in, {@link V1Images} call, v1's
 * JSON or headers out; errors go through the one failure handler, in the same formats as v2's.
 */
public final class ImagesV1Api implements io.glint.http.Routes {

  private final V1Images images;
  private final Transfers transfers;

  public ImagesV1Api(io.glint.image.ImageService service, ImageDataService data,
      io.glint.image.ImageLocations locations, io.glint.image.ImageQueryParser queryParser,
      io.glint.net.GuardedFetch fetch, io.glint.policy.Policy policy, Transfers transfers) {
    this.images = new V1Images(service, data, locations, queryParser, fetch, policy);
    this.transfers = transfers;
  }

  @Override
  public void mount(Router v1) {
    v1.get("/").handler(Http::rejectBody).handler(ctx -> list(ctx, false));
    v1.get("/images").handler(Http::rejectBody).handler(ctx -> list(ctx, false));
    v1.post("/images").handler(this::create);
    Http.allow(v1, "/images", "GET, POST");
    v1.get("/images/detail").handler(Http::rejectBody).handler(ctx -> list(ctx, true));
    v1.head("/images/detail").handler(ctx -> {
      ctx.response().putHeader("Allow", "GET");
      ctx.fail(new GlintException(GlintException.Kind.METHOD_NOT_ALLOWED,
          "This operation is currently not permitted on Glance images details."));
    });
    Http.allow(v1, "/images/detail", "GET, HEAD");
    v1.head("/images/:id").handler(this::meta);
    v1.get("/images/:id").handler(Http::rejectBody).handler(this::show);
    v1.put("/images/:id").handler(this::update);
    v1.delete("/images/:id").handler(Http::rejectBody).handler(this::delete);
    Http.allow(v1, "/images/:id", "GET, HEAD, PUT, DELETE");
  }

  private void list(RoutingContext ctx, boolean detail) {
    images.list(AuthHandler.context(ctx), Http.queryParams(ctx))
        .onSuccess(found -> sendJson(ctx, 200, detail ? V1View.detail(found) : V1View.index(found)))
        .onFailure(ctx::fail);
  }

  private void meta(RoutingContext ctx) {
    images.meta(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .onSuccess(image -> {
          V1View.headers(ctx.response().headers(), image);
          ctx.response().setStatusCode(200).end();
        })
        .onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    String id = Http.pathParam(ctx, "id");
    images.download(AuthHandler.context(ctx), id, ctx.request().getHeader("Range"))
        .onSuccess(found -> send(ctx, found))
        .onFailure(ctx::fail);
  }

  private void send(RoutingContext ctx, V1Images.Download found) {
    HttpServerResponse response = ctx.response();
    Image image = found.image();
    V1View.headers(response.headers(), image);
    response.putHeader("Content-Type", "application/octet-stream");
    if (found.data() == null) {
      response.putHeader("Content-Length", "0").setStatusCode(200).end();
      return;
    }
    ImageDataService.Download download = found.data();
    if (!download.range().isAll()) {
      long start = download.range().offset();
      long end = start + download.data().length() - 1;
      response.setStatusCode(206).putHeader("Content-Range", "bytes " + start + "-" + end + "/" + image.size());
    }
    DownloadResponse.send(ctx, images.data(), transfers, download);
  }

  /** What a create or update request brings: its metadata, its body (paused) and where its data comes from. */
  private record Incoming(V1Meta meta, RequestBody body, V1Images.Source source, String copyFrom) {}

  /** Reads a create or update request; the body, if any, is paused before anything asynchronous. */
  private static Incoming incoming(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    boolean hasBody = Http.hasBody(request);
    RequestBody body = hasBody ? UploadRequests.body(ctx) : null;
    V1Meta meta = V1Meta.of(request.headers());
    String copyFrom = request.getHeader("x-glance-api-copy-from");
    V1Images.Source source = V1Images.source(meta, hasBody, copyFrom);
    if (source == V1Images.Source.BODY) {
      String type = request.getHeader("Content-Type");
      String media = type == null ? "" : type.split(";")[0].strip().toLowerCase(Locale.ROOT);
      if (!media.equals("application/octet-stream")) {
        throw GlintException.badRequest("Content-Type must be application/octet-stream");
      }
    }
    return new Incoming(meta, body, source, copyFrom);
  }

  private ImageDataService.Upload upload(RoutingContext ctx, Incoming in) {
    HttpServerRequest request = ctx.request();
    Long contentLength = null;
    String length = request.getHeader("Content-Length");
    if (length != null) {
      try {
        contentLength = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        contentLength = null;
      }
    }
    return new ImageDataService.Upload(in.body(), contentLength, in.meta().longValue("size"),
        request.getHeader("x-image-meta-store"), UploadRequests.continueWhenAccepted(ctx), in.body()::failure);
  }

  private void create(RoutingContext ctx) {
    Incoming in = incoming(ctx);
    RequestContext caller = AuthHandler.context(ctx);
    if (in.source() == V1Images.Source.BODY) {
      V1Images.requireFormats(in.meta().get("disk_format"), in.meta().get("container_format"));
    }
    io.glint.image.NewImage request = images.newImage(in.meta()); // a bad header value: 400 before anything is saved
    images.checkSource(caller, null, in.source(), in.copyFrom())
        .compose(v -> images.service().create(caller, request))
        .compose(created -> withSource(ctx, caller, created, in)
            .recover(e -> in.source() == V1Images.Source.LOCATION
                // Glance checked the location before it saved anything: leave no image behind.
                ? images.service().delete(caller, created.id()).transform(ar -> Future.failedFuture(e))
                : Future.failedFuture(e)))
        .onSuccess(image -> {
          ctx.response().putHeader("Location", "/v1/images/" + image.id());
          sendImage(ctx, 201, image);
        })
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    Incoming in = incoming(ctx);
    RequestContext caller = AuthHandler.context(ctx);
    String id = Http.pathParam(ctx, "id");
    String purgeHeader = ctx.request().getHeader("x-glance-registry-purge-props");
    boolean purge = purgeHeader == null || V1Meta.truthy(purgeHeader);
    images.update(caller, id, in.meta(), in.source(), in.copyFrom(), purge)
        .compose(updated -> {
          if (in.source() == V1Images.Source.BODY) {
            V1Images.requireFormats(updated.diskFormat(), updated.containerFormat());
          }
          return withSource(ctx, caller, updated, in);
        })
        .onSuccess(image -> sendImage(ctx, 200, image))
        .onFailure(ctx::fail);
  }

  /** The data step of a create or update: upload the body, start the copy, or register the location. */
  private Future<Image> withSource(RoutingContext ctx, RequestContext caller, Image image, Incoming in) {
    Future<Image> saved = switch (in.source()) {
      case BODY -> images.upload(caller, image.id(), in.meta(), upload(ctx, in));
      case COPY_FROM -> {
        images.copyFrom(caller, image.id(), in.copyFrom(), in.meta(), ctx.request().getHeader("x-image-meta-store"));
        yield Future.succeededFuture(image);
      }
      case LOCATION -> images.register(caller, image.id(), in.meta().get("location"), in.meta());
      case NONE -> Future.succeededFuture(image);
    };
    return saved.map(done -> images.service().readable(caller, done));
  }

  private void delete(RoutingContext ctx) {
    images.delete(AuthHandler.context(ctx), Http.pathParam(ctx, "id"))
        .onSuccess(v -> ctx.response().setStatusCode(200).putHeader("Content-Type", "text/html; charset=UTF-8")
            .end())
        .onFailure(ctx::fail);
  }

  private static void sendImage(RoutingContext ctx, int status, Image image) {
    if (image.checksum() != null) {
      ctx.response().putHeader("ETag", image.checksum());
    }
    sendJson(ctx, status, V1View.image(image));
  }

  static void sendJson(RoutingContext ctx, int status, Buffer body) {
    io.glint.http.ApiResponses.json(ctx, status, body);
  }
}
