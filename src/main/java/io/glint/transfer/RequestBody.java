package io.glint.transfer;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;

/**
 * The body of a streamed request (an image upload), paused from the moment the request arrives, that
 * remembers how it ended badly even when nobody is reading it yet. Vert.x reports a cut connection or broken
 * chunked framing to the request's exception handler only at the moment it happens: an upload still checking
 * the image, its policy and its status (asynchronous steps) would miss it and wait forever for bytes that
 * never come, leaving the image in {@code saving}. Here the failure is kept and handed to the reader as soon
 * as it sets its exception handler.
 */
public final class RequestBody implements ReadStream<Buffer> {
  private final HttpServerRequest request;
  private final Context context;
  private Throwable failure;
  private Handler<Throwable> exceptionHandler;

  private RequestBody(HttpServerRequest request) {
    this.request = request;
    this.context = Vertx.currentContext();
    request.pause();
    request.exceptionHandler(this::failed);
  }

  /** Pauses {@code request} and starts watching how its body ends. Call before any asynchronous step. */
  public static RequestBody of(HttpServerRequest request) {
    return new RequestBody(request);
  }

  /**
   * The connection was closed before the response was complete (from the response's close or exception
   * events): the body can never complete. Harmless once the body has been read whole.
   */
  public void connectionClosed(Throwable cause) {
    failed(cause instanceof HttpClosedException ? cause : new HttpClosedException(
        cause == null ? "Connection was closed" : cause.getMessage()));
  }

  /** Whether the body already failed (the client left or broke the framing). */
  public boolean failed() {
    return failure != null;
  }

  /** How the body failed, or null. */
  public Throwable failure() {
    return failure;
  }

  private void failed(Throwable cause) {
    if (failure != null) {
      return;
    }
    failure = cause;
    Handler<Throwable> handler = exceptionHandler;
    if (handler != null) {
      handler.handle(cause);
    }
  }

  @Override
  public RequestBody exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    Throwable known = failure;
    if (handler != null && known != null) {
      // Delivered on the next turn, so that the reader finishes setting itself up first.
      context.runOnContext(v -> handler.handle(known));
    }
    return this;
  }

  @Override
  public RequestBody handler(Handler<Buffer> handler) {
    request.handler(handler);
    return this;
  }

  @Override
  public RequestBody endHandler(Handler<Void> handler) {
    request.endHandler(handler);
    return this;
  }

  @Override
  public RequestBody pause() {
    request.pause();
    return this;
  }

  @Override
  public RequestBody resume() {
    request.resume();
    return this;
  }

  @Override
  public RequestBody fetch(long amount) {
    request.fetch(amount);
    return this;
  }
}
