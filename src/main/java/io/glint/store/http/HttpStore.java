package io.glint.store.http;

import io.glint.net.GuardedHops;
import io.glint.net.UrlGuard;
import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.glint.store.ImageStore;
import io.glint.store.PendingData;
import io.glint.store.SerialLane;
import io.glint.store.StoreCapabilities;
import io.glint.store.StoreException;
import io.glint.store.StoreException.Reason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * glance_store's read-only HTTP driver: images whose location is an {@code http(s)://} URL are streamed from
 * there through Glint with backpressure (the remote response is piped to the client's socket). Every request
 * goes through the {@link UrlGuard}: the host is resolved and checked once and the connection made to that
 * very address (Host header and TLS SNI keep the name); redirects are followed by hand, each hop checked again.
 * Byte ranges are refused (400), as Glance does for this store.
 *
 * <p>Downloads use a connection of their own with a {@link SpliceRelay} on it, closed after the download: from a
 * plain {@code http://} origin the body can then go from the origin's socket to the client's inside the kernel,
 * and in every case an origin that closes its connection after the body cannot lose its tail. HEAD requests
 * use a pooled client.
 */
public final class HttpStore implements ImageStore {

  private final String id;
  private final Vertx vertx;
  private final GuardedHops<Opened> hops;
  private final HttpClientAgent client;
  private final HttpClientAgent relayClient;
  private final boolean splice;
  private final int idleSeconds;

  /**
   * @param splice whether downloads from plain-HTTP origins may be spliced socket to socket (needs the native
   *     epoll transport; otherwise, or when false, the body is piped through the JVM)
   * @param idleSeconds how long an origin may send nothing, waiting for its answer or during a download
   */
  public HttpStore(String id, Vertx vertx, UrlGuard guard, boolean splice, int idleSeconds) {
    this.idleSeconds = idleSeconds;
    this.id = id;
    this.vertx = vertx;
    this.hops = new GuardedHops<>(vertx, guard, idleSeconds * 1000L, Opened::response, HttpStore::discard);
    this.splice = splice && vertx.isNativeTransportEnabled();
    this.client = vertx.createHttpClient(clientOptions(idleSeconds).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(64));
    // Relayed downloads: keep-alive requests (the origin must not close after the body), but every connection
    // is closed by its relay after one download, so none is ever reused.
    this.relayClient = vertx.createHttpClient(clientOptions(idleSeconds).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(1024));
  }

  private static HttpClientOptions clientOptions(int idleSeconds) {
    return new HttpClientOptions()
        .setConnectTimeout(10_000)
        .setIdleTimeout(idleSeconds)
        .setForceSni(true)
        .setDecompressionSupported(false)
        .setMaxChunkSize(64 * 1024);
  }

  /** Loads what the splice relays' larger pipes need ({@link SpliceRelay#preparePipes}), off the event loop. */
  @Override
  public Future<Void> prepare() {
    if (!splice) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      SpliceRelay.preparePipes();
      return null;
    });
  }

  @Override
  public String type() {
    return "http";
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(false, false);
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
    return request(HttpMethod.GET, location, true).compose(opened -> {
      HttpClientResponse response = opened.response();
      String length = response.getHeader("Content-Length");
      long size;
      try {
        size = length == null ? -1 : Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        size = -1;
      }
      if (size < 0) {
        discard(opened);
        return Future.failedFuture(new StoreException(Reason.UNAVAILABLE,
            "The remote server did not say how long the image is."));
      }
      return Future.succeededFuture(new ImageData.Stream(response, size, opened.relay(), () -> {
        response.exceptionHandler(e -> { });
        response.request().reset(); // a connection whose body was not read whole is not reused
      }));
    });
  }

  @Override
  public boolean acceptsUserLocations() {
    return true;
  }

  @Override
  public Future<Long> sizeOf(String location) {
    return size(location);
  }

  /** The size the remote server reports for a location (HEAD, Content-Length); 0 when unknown. */
  public Future<Long> size(String location) {
    return request(HttpMethod.HEAD, location, false).map(opened -> {
      HttpClientResponse response = opened.response();
      String length = response.getHeader("Content-Length");
      response.resume(); // a HEAD response has no body: the connection stays usable
      try {
        return length == null ? 0L : Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        return 0L;
      }
    });
  }

  /** A response (paused) and, on a dedicated connection, the relay installed on it. */
  private record Opened(HttpClientResponse response, SpliceRelay relay) {}

  /** Drops a response we will not read (the connection is closed, not reused). */
  private static void discard(Opened opened) {
    opened.response().exceptionHandler(e -> { });
    opened.response().request().reset();
    if (opened.relay() != null) {
      opened.relay().close();
    }
  }

  /**
   * Checks, connects to the checked address, follows redirects ({@link GuardedHops}); the response is paused. With
   * {@code dedicated}, each request gets a connection of its own, made on the caller's event loop, with a relay on
   * it.
   */
  private Future<Opened> request(HttpMethod method, String url, boolean dedicated) {
    return hops.request(method, url, options -> dedicated ? sendRelayed(options) : client.request(options)
            .compose(req -> req.send()).map(response -> new Opened(response, null)))
        .recover(e -> Future.failedFuture(e instanceof GuardedHops.HopFailed failed ? worded(failed) : e));
  }

  /** A connection of its own (made on this event loop); the relay goes on it before the request is sent. */
  private Future<Opened> sendRelayed(RequestOptions options) {
    SpliceRelay[] relay = {null};
    return relayClient.request(options)
        .compose(req -> {
          relay[0] = SpliceRelay.install(vertx, req.connection(), idleSeconds * 1000L, splice);
          return req.send();
        })
        .map(response -> new Opened(response, relay[0]))
        .onFailure(e -> {
          if (relay[0] != null) {
            relay[0].close();
          }
        });
  }

  private static StoreException worded(GuardedHops.HopFailed failed) {
    return switch (failed.reason()) {
      case REFUSED -> new StoreException(Reason.INVALID_LOCATION, failed.getMessage(), failed);
      case UNREACHABLE -> new StoreException(Reason.UNAVAILABLE,
          "The remote image server is unavailable: " + failed.getMessage(), failed.getCause());
      case TOO_MANY_REDIRECTS -> new StoreException(Reason.UNAVAILABLE, failed.getMessage());
      case STATUS -> failed.status() == 404 || failed.status() == 410
          ? new StoreException(Reason.NOT_FOUND, "The remote server has no such image.")
          : new StoreException(Reason.UNAVAILABLE, "The remote image server answered " + failed.status() + ".");
    };
  }
}
