package io.glint.auth;

import io.glint.error.GlintException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two Identity v3 calls keystonemiddleware makes, over a Vert.x {@link WebClient}: {@code POST
 * /v3/auth/tokens} for Glint's own token, and {@code GET /v3/auth/tokens} with {@code X-Subject-Token} to
 * validate a caller's. Answers become domain results: a {@link ServiceToken}, a {@link TokenCheck}, or a
 * failure. A connection that cannot be made is retried ({@code http_request_max_retries}, backing off from
 * 0.5 s); anything Keystone cannot answer is a 503 failure, never a pass.
 */
final class IdentityClient {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityClient.class);
  static final String UNAVAILABLE = "The Keystone service is temporarily unavailable.";
  private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;

  /** Keystone answered 401 to a validation: Glint's own token is no longer accepted. */
  static final class ServiceTokenRejected extends RuntimeException {
    ServiceTokenRejected() {
      super("Identity server rejected authorization necessary to fetch token data", null, false, false);
    }
  }

  private final Vertx vertx;
  private final WebClient web;
  private final KeystoneSettings settings;
  private final InstantSource clock;
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS - 1);

  IdentityClient(Vertx vertx, KeystoneSettings settings, InstantSource clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.web = WebClient.create(vertx, options(settings), new PoolOptions().setHttp1MaxSize(16));
  }

  static WebClientOptions options(KeystoneSettings settings) {
    WebClientOptions options = new WebClientOptions()
        .setUserAgent("glint keystonemiddleware.auth_token")
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.requestTimeout().toMillis()))
        .setKeepAlive(true)
        .setFollowRedirects(false);
    KeystoneSettings.Tls tls = settings.tls();
    if (tls.caFile() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile().toString()));
    }
    if (tls.certFile() != null) {
      PemKeyCertOptions cert = new PemKeyCertOptions().setCertPath(tls.certFile().toString());
      if (tls.keyFile() != null) {
        cert.setKeyPath(tls.keyFile().toString());
      }
      options.setKeyCertOptions(cert);
    }
    if (tls.insecure()) {
      options.setTrustAll(true).setVerifyHost(false);
    }
    return options;
  }

  /** Authenticates Glint: {@code POST <auth_url>/v3/auth/tokens} with the password credentials. */
  Future<ServiceToken> issue() {
    String url = IdentityEndpoint.v3(settings.authUrl().toString()) + "/auth/tokens";
    return withRetries(() -> request(web.postAbs(url)).sendJsonObject(settings.credentials().authBody()), 0)
        .compose(this::issued);
  }

  private Future<ServiceToken> issued(HttpResponse<Buffer> response) {
    if (response.statusCode() == 201 && response.getHeader("X-Subject-Token") != null) {
      try {
        JsonObject body = response.bodyAsJsonObject();
        KeystoneToken token = KeystoneToken.fromJson(body);
        JsonObject tokenBody = body.getJsonObject("token");
        Object issued = tokenBody.getValue("issued_at");
        String endpoint = IdentityEndpoint.fromCatalog(tokenBody.getJsonArray("catalog"),
            settings.endpointInterface(), settings.regionName()).orElse(settings.authUrl().toString());
        return Future.succeededFuture(new ServiceToken(response.getHeader("X-Subject-Token"),
            issued instanceof String text ? KeystoneToken.time(text) : clock.instant(), token.expiresAt(),
            IdentityEndpoint.v3(endpoint)));
      } catch (RuntimeException e) {
        LOG.error("Keystone's answer to Glint's authentication is unreadable: {}", e.toString());
        return Future.failedFuture(unavailable());
      }
    }
    if (response.statusCode() == 401) {
      LOG.error("Keystone refused Glint's own credentials ({}): 401 {}; check [keystone_authtoken] username, "
          + "password, domains and project", settings.credentials().describe(), brief(response));
    } else {
      LOG.error("Keystone answered {} to Glint's authentication: {}", response.statusCode(), brief(response));
    }
    return Future.failedFuture(unavailable());
  }

  /**
   * Validates {@code subject}: {@code GET <identity>/auth/tokens}. Valid on 200, invalid on 404; a failed
   * {@link ServiceTokenRejected} on 401; any other answer, or none, a failed UNAVAILABLE.
   */
  Future<TokenCheck> check(ServiceToken serviceToken, String subject) {
    String url = serviceToken.identityEndpoint() + "/auth/tokens";
    return withRetries(() -> {
      HttpRequest<Buffer> get = request(web.getAbs(url))
          .putHeader("X-Auth-Token", serviceToken.id())
          .putHeader("X-Subject-Token", subject);
      if (!settings.includeServiceCatalog()) {
        get.addQueryParam("nocatalog", "");
      }
      return get.send();
    }, 0).compose(this::checked);
  }

  private Future<TokenCheck> checked(HttpResponse<Buffer> response) {
    switch (response.statusCode()) {
      case 200:
        try {
          return Future.succeededFuture(new TokenCheck.Valid(KeystoneToken.fromJson(response.bodyAsJsonObject())));
        } catch (RuntimeException e) {
          LOG.warn("Invalid token contents: {}", e.toString());
          return Future.succeededFuture(new TokenCheck.Invalid("invalid token contents"));
        }
      case 404:
        LOG.debug("Authorization failed for token: {}", brief(response));
        return Future.succeededFuture(new TokenCheck.Invalid("Keystone: " + brief(response)));
      case 401:
        LOG.info("Identity server rejected authorization: {}", brief(response));
        return Future.failedFuture(new ServiceTokenRejected());
      default:
        warn("Bad response code while validating token: {} {}", response.statusCode(), brief(response));
        return Future.failedFuture(unavailable());
    }
  }

  private HttpRequest<Buffer> request(HttpRequest<Buffer> request) {
    return request.putHeader("Accept", "application/json").timeout(settings.requestTimeout().toMillis());
  }

  /** Sends, again after 0.5 s, 1 s, 2 s... while the connection cannot be made, {@code http_request_max_retries} times. */
  private Future<HttpResponse<Buffer>> withRetries(Supplier<Future<HttpResponse<Buffer>>> send, int attempt) {
    return send.get().recover(e -> {
      if (!connectFailure(e)) {
        warn("Unable to validate token: {}", e.toString());
        return Future.failedFuture(unavailable());
      }
      if (attempt >= settings.maxRetries()) {
        warn("Unable to reach Keystone at {}: {}", settings.authUrl(), e.toString());
        return Future.failedFuture(unavailable());
      }
      long delay = (long) Math.min(60_000, 500 * Math.pow(2, attempt));
      Promise<HttpResponse<Buffer>> retried = Promise.promise();
      vertx.setTimer(delay, t -> withRetries(send, attempt + 1).onComplete(retried));
      return retried.future();
    });
  }

  private static boolean connectFailure(Throwable e) {
    return e instanceof ConnectException || e instanceof UnknownHostException
        || e instanceof io.netty.channel.ConnectTimeoutException;
  }

  private static GlintException unavailable() {
    return new GlintException(GlintException.Kind.UNAVAILABLE, UNAVAILABLE);
  }

  /** One warning per 10 s at most: an outage fails every request, and the log should not drown in it. */
  private void warn(String format, Object... args) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last > WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.warn(format, args);
    } else {
      LOG.debug(format, args);
    }
  }

  private static String brief(HttpResponse<Buffer> response) {
    Buffer body = response.body();
    String text = body == null ? "" : body.toString();
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  /** Who Glint authenticates as (never the password). */
  String describeCredentials() {
    return settings.credentials().describe();
  }

  void close() {
    web.close();
  }
}
