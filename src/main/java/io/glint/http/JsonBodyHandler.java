package io.glint.http;

import io.glint.error.GlintException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the body of a JSON request (create, patch, members) into memory, within two bounds: one body may not
 * exceed {@code max_request_body_size} (413, at once when {@code Content-Length} says so), and all bodies
 * being received at a time may not hold more than {@code max_request_body_memory} together (503, and the
 * connection closed). A crowd of clients trickling large bodies thus meets a bounded amount of memory, and
 * the heap and event loops stay healthy for everyone else. The memory a body holds is given back when its
 * response ends or its connection closes. One instance serves every event loop of a server.
 *
 * <p>Route handler for JSON routes only (never for image data); it must come first after the synchronous
 * handlers, before anything asynchronous. The body is then available from {@link Http#jsonBody}.
 */
public final class JsonBodyHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(JsonBodyHandler.class);
  static final String KEY = "glint.json-body";

  private final long maxBodySize;
  private final long memoryBudget;
  private final AtomicLong held = new AtomicLong();
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS - 1);
  private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;

  public JsonBodyHandler(long maxBodySize, long memoryBudget) {
    this.maxBodySize = maxBodySize;
    this.memoryBudget = memoryBudget;
  }

  /** Bytes all bodies being received hold now (tests and metrics). */
  public long held() {
    return held.get();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Long declared = contentLength(request);
    if (declared != null && declared > maxBodySize) {
      ctx.fail(tooLarge());
      return;
    }
    Body body = new Body(ctx, declared);
    ctx.addEndHandler(ar -> body.release());
    if (declared != null && !body.reserve(declared)) {
      ctx.fail(busy());
      return;
    }
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      ctx.response().writeContinue();
    }
    request.handler(body::chunk);
    request.endHandler(v -> body.end());
    request.exceptionHandler(e -> body.failed = true);
    request.resume();
  }

  /** The body of one request as it arrives, and the memory it holds. */
  private final class Body {
    private final RoutingContext ctx;
    private final boolean sized;
    private Buffer bytes;
    private long reserved;
    private boolean failed;

    Body(RoutingContext ctx, Long declared) {
      this.ctx = ctx;
      this.sized = declared != null;
      this.bytes = Buffer.buffer(declared == null ? 1024 : (int) Math.max(0, declared));
    }

    boolean reserve(long n) {
      while (true) {
        long now = held.get();
        if (now + n > memoryBudget) {
          return false;
        }
        if (held.compareAndSet(now, now + n)) {
          reserved += n;
          return true;
        }
      }
    }

    void release() {
      if (reserved > 0) {
        held.addAndGet(-reserved);
        reserved = 0;
      }
      bytes = null;
    }

    void chunk(Buffer chunk) {
      if (failed) {
        return;
      }
      if (bytes.length() + (long) chunk.length() > maxBodySize) {
        fail(tooLarge());
        return;
      }
      if (!sized && !reserve(chunk.length())) {
        fail(busy());
        return;
      }
      bytes.appendBuffer(chunk);
    }

    void end() {
      if (failed) {
        return;
      }
      ctx.put(KEY, bytes);
      ctx.next();
    }

    private void fail(GlintException e) {
      failed = true;
      release();
      ctx.fail(e);
    }
  }

  private GlintException tooLarge() {
    return GlintException.tooLarge("Request is too large: the body may hold at most " + maxBodySize
        + " bytes (max_request_body_size).");
  }

  private GlintException busy() {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last > WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.warn("Request bodies being received hold {} bytes, at the limit of {} (max_request_body_memory): "
          + "refusing more with 503 (logged at most every 10 s)", held.get(), memoryBudget);
    }
    return new GlintException(GlintException.Kind.OVERLOADED,
        "The server is receiving too many request bodies at once; retry later.");
  }

  private static Long contentLength(HttpServerRequest request) {
    String value = request.getHeader("Content-Length");
    if (value == null) {
      return null;
    }
    try {
      long n = Long.parseLong(value.strip());
      return n < 0 ? null : n;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
