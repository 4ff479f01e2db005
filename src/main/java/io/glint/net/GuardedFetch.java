package io.glint.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a URL a user gave (web-download, the legacy import task) through the {@link UrlGuard}: the host is
 * resolved and checked off the event loop, the connection goes to the very address checked (Host and SNI keep
 * the name), and every redirect is checked again before it is followed. The response comes back paused, for the
 * caller to stream with backpressure. The HTTP store does the same for locations ({@code store/http}).
 */
public final class GuardedFetch {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedFetch.class);
  static final int MAX_REDIRECTS = 5;

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

  private final Vertx vertx;
  private final UrlGuard guard;
  private final HttpClientAgent client;
  private final int idleSeconds;

  public GuardedFetch(Vertx vertx, UrlGuard guard, int idleSeconds) {
    this.vertx = vertx;
    this.guard = guard;
    this.idleSeconds = idleSeconds;
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
    return vertx.executeBlocking(() -> guard.check(url), false)
        .recover(e -> Future.failedFuture(e instanceof UrlGuard.Refused r ? new FetchFailed(r.getMessage(), true) : e));
  }

  /** GET with redirects followed by hand, each hop checked. */
  public Future<Fetched> get(String url) {
    return get(url, Map.of(), 0);
  }

  /**
   * GET with request headers (a token, {@code Accept}), redirects followed by hand, each hop checked; the headers
   * go along only while the redirects stay on the first URL's scheme, host and port, so that a token is never
   * handed to another server.
   */
  public Future<Fetched> get(String url, Map<String, String> headers) {
    return get(url, headers, 0);
  }

  private Future<Fetched> get(String url, Map<String, String> headers, int hops) {
    return check(url).compose(target -> {
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.GET)
          .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
          .setHost(target.host())
          .setPort(target.port())
          .setSsl(target.tls())
          .setURI(target.pathAndQuery())
          .setFollowRedirects(false)
          .setIdleTimeout(idleSeconds * 1000L);
      headers.forEach(options::putHeader);
      return client.request(options)
          .compose(req -> req.send())
          .recover(e -> Future.failedFuture(new FetchFailed("Could not fetch the image data: " + e.getMessage(),
              false)))
          .compose(response -> handle(target.uri(), headers, response, hops));
    });
  }

  private Future<Fetched> handle(URI from, Map<String, String> headers, HttpClientResponse response, int hops) {
    response.pause();
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      String length = response.getHeader("Content-Length");
      long size = -1;
      try {
        size = length == null ? -1 : Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        size = -1;
      }
      return Future.succeededFuture(new Fetched(response, size));
    }
    new Fetched(response, -1).abandon();
    String location = response.getHeader("Location");
    if (status >= 300 && status < 400 && location != null) {
      if (hops >= MAX_REDIRECTS) {
        return Future.failedFuture(new FetchFailed("Too many redirects.", false));
      }
      URI next;
      try {
        next = from.resolve(location);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new FetchFailed("Invalid redirect.", true));
      }
      LOG.debug("Following a redirect from {} to {}", from, next);
      boolean sameOrigin = sameOrigin(from, next);
      if (!sameOrigin && !headers.isEmpty()) {
        LOG.debug("Redirect to another server: request headers not forwarded");
      }
      return get(next.toString(), sameOrigin ? headers : Map.of(), hops + 1);
    }
    return Future.failedFuture(new FetchFailed("The remote server answered " + status + ".", false));
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  public Future<Void> close() {
    return client.close();
  }
}
