package io.glint.image;

import io.glint.error.GlintException;
import io.glint.transfer.RequestBody;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** The request side of an image data upload ({@code PUT /file}, {@code PUT /stage}), shared by its routes. */
public final class UploadRequests {
  private UploadRequests() {}

  /**
   * The request's body, paused, with any way the connection ends badly (a cut connection, broken framing) kept
   * for the upload to see whenever it starts reading. Call before any asynchronous step.
   */
  public static RequestBody body(RoutingContext ctx) {
    RequestBody body = RequestBody.of(ctx.request());
    ctx.addEndHandler(ar -> {
      if (ar.failed()) {
        body.connectionClosed(ar.cause());
      }
    });
    return body;
  }

  /** Whether the body is {@code application/octet-stream}; if not, fails {@code ctx} with 415. */
  public static boolean octetStream(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? "" : type.split(";")[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/octet-stream")) {
      ctx.fail(GlintException.unsupportedMediaType("The request media type " + (type == null ? "" : type)
          + " is not supported by this server. Expected application/octet-stream."));
      return false;
    }
    return true;
  }

  /**
   * Expect: 100-continue: the client waits for our go before sending the body. The returned step says it, to be
   * run once the upload is accepted (image, policy, status, quota), so that a refusal costs no body.
   */
  public static Runnable continueWhenAccepted(RoutingContext ctx) {
    boolean expectContinue = "100-continue".equalsIgnoreCase(ctx.request().getHeader("Expect"));
    return expectContinue ? () -> {
      if (!ctx.response().closed()) {
        ctx.response().writeContinue();
      }
    } : () -> { };
  }
}
