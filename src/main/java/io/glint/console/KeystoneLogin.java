package io.glint.console;

import io.glint.auth.KeystoneSettings;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's sign-in, same-origin: {@code POST /console/keystone/v3/auth/tokens} is passed unchanged to
 * Keystone's public {@code <www_authenticate_uri>/v3/auth/tokens} (a browser page usually cannot call Keystone
 * cross-origin). A plain pass-through of what any user may send Keystone directly: the user's own JSON body
 * goes out, Keystone's status, body and {@code X-Subject-Token} come back; Glint adds no credentials of its
 * own, keeps nothing, and the token is then used like any client's, in {@code X-Auth-Token}.
 */
final class KeystoneLogin {
  private static final Logger LOG = LoggerFactory.getLogger(KeystoneLogin.class);
  /** A password-authentication body is a few hundred bytes. */
  static final int MAX_BODY = 16 * 1024;

  private final WebClient web;
  private final String url;

  KeystoneLogin(Vertx vertx, KeystoneSettings settings) {
    this.web = WebClient.create(vertx, settings.clientOptions().setUserAgent("glint-console"),
        new PoolOptions().setHttp1MaxSize(4));
    this.url = settings.publicTokensUrl();
  }

  /** Runs after a body handler limited to {@link #MAX_BODY} bytes. */
  void handle(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json") || body == null) {
      error(ctx.response(), 415, "The sign-in request must be JSON.");
      return;
    }
    web.postAbs(url).putHeader("Content-Type", "application/json").putHeader("Accept", "application/json")
        .sendBuffer(body)
        .onSuccess(answer -> {
          HttpServerResponse response = ctx.response().setStatusCode(answer.statusCode());
          String answerType = answer.getHeader("Content-Type");
          if (answerType != null) {
            response.putHeader("Content-Type", answerType);
          }
          String token = answer.getHeader("X-Subject-Token");
          if (token != null) {
            response.putHeader("X-Subject-Token", token);
          }
          response.putHeader("Cache-Control", "no-store");
          Buffer answerBody = answer.body();
          response.end(answerBody == null ? Buffer.buffer() : answerBody);
        })
        .onFailure(e -> {
          LOG.warn("Console sign-in: Keystone at {} cannot be reached: {}", url, e.toString());
          error(ctx.response(), 503, "The identity service cannot be reached.");
        });
  }

  private static void error(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new io.vertx.core.json.JsonObject().put("error",
            new io.vertx.core.json.JsonObject().put("code", status).put("message", message)).encode());
  }
}
