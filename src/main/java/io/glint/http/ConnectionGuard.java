package io.glint.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first look at every HTTP/1.x request, in the connection's Netty pipeline between the HTTP codec and
 * Vert.x, before Vert.x or the router see it. It refuses what must never reach them:
 * <ul>
 *   <li>a protocol version other than HTTP/1.0 and 1.1: 505;</li>
 *   <li>a transfer coding other than a lone {@code chunked} (RFC 9112 §6.1): 501. Netty would read
 *       {@code xchunked} as "no body" and the body as the next request (a desync), and {@code gzip, chunked} as
 *       plain chunked;</li>
 *   <li>more than {@link Limits#maxHeaders()} header fields, or one longer than {@code max_header_line}: 431,
 *       as Glance's Python server answers.</li>
 * </ul>
 * A refused request gets a Glance-shaped error body and the connection is closed once it is sent; nothing
 * read after it is processed.
 *
 * <p>It also makes half-closed connections work: a client that sends its request and then shuts its side
 * (FIN) still gets the answer. The socket allows half closure; when the client's side shuts, the connection
 * is closed at once if no request is outstanding or a request body is still incomplete (a cut upload: its
 * cleanup runs), else as soon as the outstanding responses are written.
 */
public final class ConnectionGuard extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  static final String NAME = "glint-guard";
  static final int MAX_READS_PER_TURN = 4;

  /** The header limits: {@code max_header_line}, and the most header fields one request may carry. */
  public record Limits(int maxHeaderLine, int maxHeaders) {}

  private final Limits limits;
  private boolean refused;
  private boolean inputShut;
  private boolean bodyIncomplete;
  private int unanswered;

  private ConnectionGuard(Limits limits) {
    this.limits = limits;
  }

  /**
   * Puts a guard on a new HTTP/1.x server connection (from {@code HttpServer.connectionHandler}). Uses Vert.x's
   * internal channel accessor; should that change, the connection is served unguarded and a warning logged.
   */
  public static void install(HttpConnection connection, Limits limits) {
    try {
      if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) {
        Channel channel = base.channel();
        if (channel.pipeline().get("handler") != null && channel.pipeline().get(NAME) == null) {
          channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
          // At most 4 socket reads per turn (Netty's default is 16): a paused upload then takes in at most
          // ~256 KiB more before Vert.x stops reading its socket.
          channel.config().setOption(ChannelOption.RCVBUF_ALLOCATOR,
              new io.netty.channel.AdaptiveRecvByteBufAllocator().maxMessagesPerRead(MAX_READS_PER_TURN));
          channel.pipeline().addBefore("handler", NAME, new ConnectionGuard(limits));
          return;
        }
      }
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("Could not guard an HTTP connection: {}", e.toString());
      return;
    }
    LOG.warn("Could not guard an HTTP connection of type {}", connection.getClass().getName());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (request.decoderResult().isSuccess()) {
        Refusal refusal = check(request);
        if (refusal != null) {
          refuse(ctx, request, refusal);
          ReferenceCountUtil.release(msg);
          return;
        }
      }
      unanswered++;
      bodyIncomplete = !(msg instanceof LastHttpContent);
    } else if (msg instanceof LastHttpContent) {
      bodyIncomplete = false;
    }
    ctx.fireChannelRead(msg instanceof HttpContent content ? onHeap(content) : msg);
  }

  /**
   * A body chunk with its bytes copied to the heap, and the socket's (direct) read buffer released at once.
   * Vert.x makes the same copy when it handles the chunk; but while a request is paused, Vert.x queues the
   * codec's chunks as they are, each holding on to the read buffer it is a slice of, and never releases them if
   * the connection then closes: with many paused uploads, the direct memory ran out (and leaked). Vert.x takes
   * an unpooled heap buffer as it is, so this is a move of the copy, not a second one.
   */
  private static HttpContent onHeap(HttpContent content) {
    ByteBuf bytes = content.content();
    if (!bytes.isDirect() || !bytes.isReadable() || !content.decoderResult().isSuccess()) {
      return content;
    }
    ByteBuf heap = Unpooled.buffer(bytes.readableBytes());
    heap.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
    HttpContent copy = content.replace(heap);
    content.release();
    return copy;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean endsResponse = msg instanceof LastHttpContent
        && !(msg instanceof HttpResponse head && head.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL);
    if (endsResponse) {
      promise = promise.unvoid();
      promise.addListener(f -> responseWritten(ctx));
    }
    ctx.write(msg, promise);
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (inputShut) {
      EpollHalfClose.repair(ctx.channel());
    }
    ctx.read();
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (inputShut) {
      EpollHalfClose.repair(ctx.channel());
    }
    ctx.flush();
  }

  private void responseWritten(ChannelHandlerContext ctx) {
    unanswered = Math.max(0, unanswered - 1);
    if (inputShut && unanswered == 0) {
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputShut = true;
      if (bodyIncomplete || unanswered == 0) {
        // Nothing left to answer, or a body that can never complete (the upload's cleanup runs on close).
        ctx.close();
      } else {
        // Netty finishes handling the hang-up after this event: repair what it may leave broken then.
        ctx.executor().execute(() -> EpollHalfClose.repair(ctx.channel()));
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  private record Refusal(HttpResponseStatus status, String message) {}

  private Refusal check(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1 || version.minorVersion() > 1) {
      return new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          "The HTTP version " + version.text() + " is not supported by this server.");
    }
    List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!codings.isEmpty()) {
      String joined = String.join(",", codings);
      if (version.minorVersion() == 0) {
        // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
        return new Refusal(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding is not allowed in HTTP/1.0 requests.");
      }
      if (!joined.strip().equalsIgnoreCase("chunked")) {
        return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED,
            "The transfer coding '" + printable(joined) + "' is not supported: only 'chunked' is (HTTP/1.1).");
      }
    }
    int count = 0;
    for (Map.Entry<String, String> header : request.headers()) {
      if (++count > limits.maxHeaders()) {
        return new Refusal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Too many headers: more than " + limits.maxHeaders() + ".");
      }
      if (header.getKey().length() + 2 + header.getValue().length() > limits.maxHeaderLine()) {
        return new Refusal(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Line too long: a header line is longer than " + limits.maxHeaderLine() + " bytes (max_header_line).");
      }
    }
    return null;
  }

  private void refuse(ChannelHandlerContext ctx, HttpRequest request, Refusal refusal) {
    refused = true;
    LOG.debug("Refused {} {}: {} {}", request.method(), printable(request.uri()), refusal.status().code(),
        refusal.message());
    HttpErrors.Body body = HttpErrors.render(request.headers().get(HttpHeaderNames.ACCEPT), refusal.status().code(),
        refusal.message());
    byte[] bytes = body.text().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, refusal.status(),
        Unpooled.wrappedBuffer(bytes));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, body.contentType())
        .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set(HttpHeaderNames.CONNECTION, "close")
        .set("x-openstack-request-id", RequestIds.newId());
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Vert.x's invalid-request handler (the codec could not parse the request: a bad request line, an overlong
   * URI or header block, broken framing), answering as the default one does but with a Glance-shaped body.
   */
  public static void answerInvalid(io.vertx.core.http.HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      status = 414;
      message = "The request line is too long.";
    } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
      status = 431;
      message = "The request headers are too large.";
    } else {
      status = 400;
      message = "Malformed HTTP request.";
    }
    LOG.debug("Invalid HTTP request answered {}: {}", status, cause == null ? "" : cause.toString());
    HttpErrors.Body body = HttpErrors.render(request.headers().get("Accept"), status, message);
    request.response().setStatusCode(status)
        .putHeader("Content-Type", body.contentType())
        .putHeader("Connection", "close")
        .putHeader("x-openstack-request-id", RequestIds.newId())
        .end(body.text())
        .onComplete(ar -> request.connection().close());
  }

  /** A header or URI for a message or log line: at most 64 characters, control characters replaced. */
  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }
}
