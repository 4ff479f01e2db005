package io.glint.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The one place the API's documents are written: JSON answers and error bodies, gzip-encoded when the request
 * asks for it ({@link ResponseGzip}). Image data never goes through here.
 */
public final class ApiResponses {
  static final String JSON = "application/json";

  private ApiResponses() {}

  /** Ends the response with {@code status} and the JSON document {@code body}. */
  public static void json(RoutingContext ctx, int status, Buffer body) {
    ctx.response().setStatusCode(status);
    end(ctx, JSON, body);
  }

  /** Ends the response with {@code status} and the JSON document {@code body}. */
  public static void json(RoutingContext ctx, int status, String body) {
    json(ctx, status, Buffer.buffer(body));
  }

  /** Ends the response, with the status already set (200 unless set), with the JSON document {@code body}. */
  public static void json(RoutingContext ctx, Buffer body) {
    end(ctx, JSON, body);
  }

  /** Ends the response with {@code body} of {@code contentType}, compressed when the request accepts gzip. */
  public static void end(RoutingContext ctx, String contentType, Buffer body) {
    HttpServerResponse response = ctx.response().putHeader("Content-Type", contentType);
    ResponseGzip gzip = ResponseGzip.of(ctx);
    if (gzip == null || !gzip.eligible(body.length()) || response.headers().contains("Content-Encoding")) {
      response.end(body);
      return;
    }
    response.headers().add("Vary", "Accept-Encoding"); // beside CORS's Vary: Origin
    if (ResponseGzip.accepts(ctx.request().getHeader("Accept-Encoding"))) {
      response.putHeader("Content-Encoding", "gzip").end(ResponseGzip.compress(body));
    } else {
      response.end(body);
    }
  }
}
