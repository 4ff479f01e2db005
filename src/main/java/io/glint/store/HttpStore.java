package io.glint.store;

import io.glint.net.UrlGuard;
import io.glint.store.StoreException.Reason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glance_store's read-only HTTP driver: images whose location is an {@code http(s)://} URL are streamed from
 * there through Glint with backpressure (the remote response is piped to the client's socket). Every request
 * goes through the {@link UrlGuard}: the host is resolved and checked once and the connection made to that
 * very address (Host header and TLS SNI keep the name); redirects are followed by hand, each hop checked again.
 * Byte ranges are refused (400), as Glance does for this store.
 */
public final class HttpStore implements ImageStore {
  private static final Logger LOG = LoggerFactory.getLogger(HttpStore.class);
  private static final int MAX_REDIRECTS = 5;

  private final String id;
  private final Vertx vertx;
  private final UrlGuard guard;
  private final HttpClient client;

  public HttpStore(String id, Vertx vertx, UrlGuard guard) {
    this.id = id;
    this.vertx = vertx;
    this.guard = guard;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout(10_000)
            .setIdleTimeout(120)
            .setKeepAlive(true)
            .setForceSni(true)
            .setDecompressionSupported(false)
            .setMaxChunkSize(64 * 1024),
        new PoolOptions().setHttp1MaxSize(64));
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(false, false, false);
  }

  @Override
  public boolean owns(String location) {
    return location.startsWith("http://") || location.startsWith("https://");
  }

  @Override
  public Future<PendingData> create(String imageId) {
    return Future.failedFuture(new StoreException(Reason.ADD_DISABLED, "The HTTP store is read-only."));
  }

  @Override
  public Future<Void> delete(String location) {
    // glance_store's HTTP driver cannot delete; the location is simply forgotten.
    return Future.succeededFuture();
  }

  @Override
  public Future<ImageData> open(String location, ByteRange range) {
    if (!range.isAll()) {
      return Future.failedFuture(new StoreException(Reason.RANGE_NOT_SUPPORTED,
          "The HTTP store cannot serve byte ranges."));
    }
    return request(HttpMethod.GET, location, 0).compose(response -> {
      String length = response.getHeader("Content-Length");
      if (length == null) {
        discard(response);
        return Future.failedFuture(new StoreException(Reason.UNAVAILABLE,
            "The remote server did not say how long the image is."));
      }
      return Future.succeededFuture(new ImageData.Stream(response, Long.parseLong(length.strip())));
    });
  }

  /** The size the remote server reports for a location (HEAD, Content-Length); 0 when unknown. */
  public Future<Long> size(String location) {
    return request(HttpMethod.HEAD, location, 0).map(response -> {
      String length = response.getHeader("Content-Length");
      response.resume(); // a HEAD response has no body: the connection stays usable
      try {
        return length == null ? 0L : Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        return 0L;
      }
    });
  }

  /** Drops a response we will not read (the connection is closed, not reused). */
  private static void discard(HttpClientResponse response) {
    response.exceptionHandler(e -> { });
    response.request().reset();
  }

  /** Checks, connects to the checked address, follows redirects; the response is paused. */
  private Future<HttpClientResponse> request(HttpMethod method, String url, int hops) {
    return vertx.executeBlocking(() -> guard.check(url), false)
        .recover(e -> Future.failedFuture(e instanceof UrlGuard.Refused r
            ? new StoreException(Reason.INVALID_LOCATION, r.getMessage(), r)
            : e))
        .compose(target -> {
          RequestOptions options = new RequestOptions()
              .setMethod(method)
              .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
              .setHost(target.host())
              .setPort(target.port())
              .setSsl(target.tls())
              .setURI(target.pathAndQuery())
              .setFollowRedirects(false)
              .setIdleTimeout(60_000);
          return client.request(options)
              .compose(req -> req.send())
              .recover(e -> Future.failedFuture(new StoreException(Reason.UNAVAILABLE,
                  "The remote image server is unavailable: " + e.getMessage(), e)))
              .compose(response -> handle(method, target.uri(), response, hops));
        });
  }

  private Future<HttpClientResponse> handle(HttpMethod method, URI from, HttpClientResponse response, int hops) {
    response.pause();
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(response);
    }
    discard(response);
    if (status >= 300 && status < 400 && response.getHeader("Location") != null) {
      if (hops >= MAX_REDIRECTS) {
        return Future.failedFuture(new StoreException(Reason.UNAVAILABLE, "Too many redirects."));
      }
      String next = from.resolve(response.getHeader("Location")).toString();
      LOG.debug("Following a redirect from {} to {}", from, next);
      return request(method, next, hops + 1);
    }
    if (status == 404 || status == 410) {
      return Future.failedFuture(new StoreException(Reason.NOT_FOUND, "The remote server has no such image."));
    }
    return Future.failedFuture(new StoreException(Reason.UNAVAILABLE,
        "The remote image server answered " + status + "."));
  }
}
