package io.glint.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.Map;

/**
 * Fetches a URL a user gave (web-download, the legacy import task) through the {@link UrlGuard}: the host is
 * resolved and checked off the event loop, the connection goes to the very address checked (Host and SNI keep
 * the name), and every redirect is checked again before it is followed. The response comes back paused, for the
 * caller to stream with backpressure. The hops are {@link GuardedHops}'s, as the HTTP store's.
 */
public final class GuardedFetch {

  /** The URL, or a redirect it led to, was refused or could not be fetched; the message says why. */
  public static final class FetchFailed extends RuntimeException {
    private final boolean refused;

    FetchFailed(String message, boolean refused) {
      super(message, null, false, false);
      this.refused = refused;
    }

    /** Whether the guard refused the URL (or a redirect), rather than the fetch failing. */
    public boolean refused() {
      return refused;
    }
  }

  /** A paused 2xx response and its length (-1 when the origin did not say). */
  public record Fetched(HttpClientResponse response, long length) {
    /** Gives the response up before its end: the connection is reset, not reused. */
    public void abandon() {
      try {
        response.exceptionHandler(e -> { });
        response.request().reset();
      } catch (RuntimeException e) {
        // already over
      }
    }
  }

  private final HttpClientAgent client;
  private final GuardedHops<HttpClientResponse> hops;

  public GuardedFetch(Vertx vertx, UrlGuard guard, int idleSeconds) {
    this.hops = new GuardedHops<>(vertx, guard, idleSeconds * 1000L, response -> response,
        response -> new Fetched(response, -1).abandon());
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(10_000)
        .setIdleTimeout(idleSeconds)
        .setForceSni(true)
        .setDecompressionSupported(false)
        .setMaxChunkSize(64 * 1024)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(256));
  }

  /** Checks a URL without fetching it (DNS on a worker thread). */
  public Future<UrlGuard.Target> check(String url) {
    return hops.check(url).recover(e -> Future.failedFuture(worded(e)));
  }

  /** GET with redirects followed by hand, each hop checked. */
  public Future<Fetched> get(String url) {
    return get(url, Map.of());
  }

  /**
   * GET with request headers (a token, {@code Accept}), redirects followed by hand, each hop checked; the headers
   * go along only while the redirects stay on the first URL's scheme, host and port.
   */
  public Future<Fetched> get(String url, Map<String, String> headers) {
    return hops.request(HttpMethod.GET, url, headers, options -> client.request(options).compose(req -> req.send()))
        .map(response -> new Fetched(response, length(response)))
        .recover(e -> Future.failedFuture(worded(e)));
  }

  private static long length(HttpClientResponse response) {
    String length = response.getHeader("Content-Length");
    try {
      return length == null ? -1 : Long.parseLong(length.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Throwable worded(Throwable e) {
    if (!(e instanceof GuardedHops.HopFailed failed)) {
      return e;
    }
    return switch (failed.reason()) {
      case REFUSED -> new FetchFailed(failed.getMessage(), true);
      case UNREACHABLE -> new FetchFailed("Could not fetch the image data: " + failed.getMessage(), false);
      case TOO_MANY_REDIRECTS -> new FetchFailed(failed.getMessage(), false);
      case STATUS -> new FetchFailed("The remote server answered " + failed.status() + ".", false);
    };
  }

  public Future<Void> close() {
    return client.close();
  }
}
