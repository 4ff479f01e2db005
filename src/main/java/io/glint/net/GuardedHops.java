package io.glint.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An outbound request to a URL a user gave, hop by hop: each URL (the first, and every redirect) is checked by
 * the {@link UrlGuard} off the event loop (it resolves the name), the connection goes to the very address checked
 * (Host and SNI keep the name), and redirects are followed by hand, at most {@link #MAX_REDIRECTS}. The one place
 * this is written: the HTTP store's locations and the web-download import both go through it.
 *
 * @param <T> what one hop's sending gives (a response, possibly with something attached to its connection)
 */
public final class GuardedHops<T> {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedHops.class);
  public static final int MAX_REDIRECTS = 5;

  /** Why no 2xx response came: the caller words it for its own users. */
  public static final class HopFailed extends RuntimeException {
    /** What went wrong. */
    public enum Reason {
      /** The guard refused the URL or a redirect, or a redirect's target is no URL. */
      REFUSED,
      /** No answer: connection refused, reset, timed out. */
      UNREACHABLE,
      /** More redirects than {@link #MAX_REDIRECTS}. */
      TOO_MANY_REDIRECTS,
      /** The origin answered with a status other than 2xx or a followable 3xx: {@link #status()}. */
      STATUS
    }

    private final Reason reason;
    private final int status;

    HopFailed(Reason reason, String message, int status, Throwable cause) {
      super(message, cause, false, false);
      this.reason = reason;
      this.status = status;
    }

    public Reason reason() {
      return reason;
    }

    /** The origin's status, for {@link Reason#STATUS}. */
    public int status() {
      return status;
    }
  }

  private final Vertx vertx;
  private final UrlGuard guard;
  private final long idleMillis;
  private final Function<T, HttpClientResponse> responseOf;
  private final Consumer<T> discard;

  /**
   * @param responseOf the response of what a hop gave
   * @param discard gives up what a hop gave that is not the answer (a redirect, an error status)
   */
  public GuardedHops(Vertx vertx, UrlGuard guard, long idleMillis, Function<T, HttpClientResponse> responseOf,
      Consumer<T> discard) {
    this.vertx = vertx;
    this.guard = guard;
    this.idleMillis = idleMillis;
    this.responseOf = responseOf;
    this.discard = discard;
  }

  /** Checks a URL without requesting it. */
  public Future<UrlGuard.Target> check(String url) {
    return vertx.executeBlocking(() -> guard.check(url), false)
        .recover(e -> Future.failedFuture(e instanceof UrlGuard.Refused r
            ? new HopFailed(HopFailed.Reason.REFUSED, r.getMessage(), 0, r)
            : e));
  }

  /**
   * Requests {@code url}, following redirects: {@code send} sends one hop's request (the options name the checked
   * address) and gives its response; the 2xx one comes back paused.
   */
  public Future<T> request(HttpMethod method, String url, Function<RequestOptions, Future<T>> send) {
    return request(method, url, Map.of(), send, 0);
  }

  /**
   * The same with request headers (a token, {@code Accept}); they go along only while the redirects stay on the
   * first URL's scheme, host and port, so that a token is never handed to another server.
   */
  public Future<T> request(HttpMethod method, String url, Map<String, String> headers,
      Function<RequestOptions, Future<T>> send) {
    return request(method, url, headers, send, 0);
  }

  private Future<T> request(HttpMethod method, String url, Map<String, String> headers,
      Function<RequestOptions, Future<T>> send, int hops) {
    return check(url).compose(target -> {
      RequestOptions options = new RequestOptions()
          .setMethod(method)
          .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
          .setHost(target.host())
          .setPort(target.port())
          .setSsl(target.tls())
          .setURI(target.pathAndQuery())
          .setFollowRedirects(false)
          .setIdleTimeout(idleMillis);
      headers.forEach(options::putHeader);
      return send.apply(options)
          .recover(e -> Future.failedFuture(e instanceof HopFailed ? e
              : new HopFailed(HopFailed.Reason.UNREACHABLE, String.valueOf(e.getMessage()), 0, e)))
          .compose(sent -> answer(method, target.uri(), headers, sent, send, hops));
    });
  }

  private Future<T> answer(HttpMethod method, URI from, Map<String, String> headers, T sent,
      Function<RequestOptions, Future<T>> send, int hops) {
    HttpClientResponse response = responseOf.apply(sent);
    response.pause();
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(sent);
    }
    discard.accept(sent);
    String location = response.getHeader("Location");
    if (status >= 300 && status < 400 && location != null) {
      if (hops >= MAX_REDIRECTS) {
        return Future.failedFuture(new HopFailed(HopFailed.Reason.TOO_MANY_REDIRECTS, "Too many redirects.", 0,
            null));
      }
      URI next;
      try {
        next = from.resolve(location);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new HopFailed(HopFailed.Reason.REFUSED, "Invalid redirect.", 0, e));
      }
      LOG.debug("Following a redirect from {} to {}", from, next);
      boolean sameOrigin = sameOrigin(from, next);
      if (!sameOrigin && !headers.isEmpty()) {
        LOG.debug("Redirect to another server: request headers not forwarded");
      }
      return request(method, next.toString(), sameOrigin ? headers : Map.of(), send, hops + 1);
    }
    return Future.failedFuture(new HopFailed(HopFailed.Reason.STATUS, "answered " + status, status, null));
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }
}
