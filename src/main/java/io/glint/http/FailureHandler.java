package io.glint.http;

import com.fasterxml.jackson.core.JacksonException;
import io.glint.error.GlintException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns failures into HTTP error responses in Glance's format. Domain failures carry a
 * kind; Vert.x Web's own rejections (404, 405, 413 from the body limit) carry a status; anything else is a 500
 * with no detail, logged with its stack. When the response head is already sent, the connection is reset so a
 * truncated body never looks complete.
 */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (ctx.response().closed()) {
      // The client went away (e.g. hung up mid-upload): there is nobody to answer.
      LOG.info("{} {} ended by the client closing the connection [{}]: {}", ctx.request().method(),
          ctx.request().path(), RequestIds.get(ctx), failure == null ? "closed" : failure.toString());
      return;
    }
    int status;
    String message = null;
    if (failure instanceof GlintException g) {
      status = HttpErrors.status(g.kind());
      message = g.getMessage();
    } else if (failure instanceof HttpException h) {
      status = h.getStatusCode();
      message = h.getPayload();
    } else if (failure instanceof DecodeException || failure instanceof JacksonException) {
      status = 400;
      message = "Malformed JSON in request body.";
    } else if (failure != null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      // Vert.x Web's own rejections of a request it cannot route (e.g. an unparseable Host header).
      status = ctx.statusCode();
      message = failure.getMessage();
    } else if (failure != null) {
      status = 500;
      LOG.error("Unexpected failure on {} {} [{}]", ctx.request().method(), ctx.request().path(),
          RequestIds.get(ctx), failure);
    } else {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    }
    if (failure instanceof GlintException g && g.kind() == GlintException.Kind.OVERLOADED) {
      LOG.debug("{} {} refused: {}", ctx.request().method(), ctx.request().path(), message);
    } else if (status >= 500 && failure instanceof GlintException) {
      LOG.warn("{} {} failed with {}: {}", ctx.request().method(), ctx.request().path(), status, message);
    } else if (status < 500) {
      LOG.debug("{} {} -> {} {}", ctx.request().method(), ctx.request().path(), status, message);
    }
    send(ctx, status, message);
  }

  /** Writes an error response, or resets the connection when a response is already under way. */
  public static void send(RoutingContext ctx, int status, String message) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (response.ended() || response.closed()) {
      return;
    }
    HttpErrors.Body body = HttpErrors.render(ctx.request(), status, message);
    if (Http.hasBody(ctx.request()) && !ctx.request().isEnded()) {
      // The body was not read (e.g. an upload refused early): the connection cannot be reused.
      response.putHeader("Connection", "close");
      ctx.request().resume();
    }
    // Headers set for a body that was never sent (a download's Content-Length, Content-Range, Content-MD5) must
    // not describe the error's: a Content-Length left over would keep the client waiting for bytes that never come.
    response.headers().remove("Content-Length").remove("Content-Range").remove("Content-MD5")
        .remove("Accept-Ranges");
    response.setStatusCode(status);
    if (status == 405 && !response.headers().contains("Allow")) {
      String allow = ctx.get(Http.ALLOW_KEY);
      if (allow != null) {
        response.putHeader("Allow", allow);
      }
    }
    if (status == 401 && !response.headers().contains("WWW-Authenticate")) {
      response.putHeader("WWW-Authenticate", "Keystone uri=\"\"");
    }
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
      response.putHeader("Content-Type", body.contentType()).end();
    } else {
      ApiResponses.end(ctx, body.contentType(), io.vertx.core.buffer.Buffer.buffer(body.text()));
    }
  }
}
