package io.glint.store.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the body of an origin server's response from the origin's socket to a client's socket inside the
 * kernel ({@code splice(2)} through a pipe, Netty's epoll {@code spliceTo}), the way HAProxy's splice mode
 * does: no byte of the body is copied into the JVM, and backpressure is the kernel's (the origin is read only
 * as fast as the client's socket drains).
 *
 * <p>It is installed on a dedicated (unpooled) origin connection before the request is sent. When a 2xx
 * response with a {@code Content-Length} arrives, the head goes on to Vert.x as usual and the body bytes that
 * were already read are held back. The consumer then either {@linkplain #relayTo relays} (both sockets on the
 * same epoll event loop, plain HTTP/1.x on both sides) or {@linkplain #useStream falls back} to the ordinary
 * Vert.x stream, which receives the held bytes first. The origin connection is never reused: it is closed when
 * the transfer ends, either way.
 *
 * <p>The origin's socket wakes the relay only once it holds a pipe's worth of the body ({@code SO_RCVLOWAT}, the
 * pipe's capacity; the body's last pipeful is read without it): one wake-up, one splice in and one out move a whole
 * pipe, where a wake-up per arriving segment moved ~200 KiB. That cut the relay's CPU per GB by about a third and
 * lets the client's socket receive larger bursts. An origin too slow to fill the watermark soon does not have its
 * bytes held back: when the client has been sent nothing for {@link #HELD_MS} while the origin has sent more recently,
 * the watchdog drops the watermark for the rest of the transfer.
 *
 * <p>While splicing, no read passes through either pipeline, so the connections' idle timers see nothing: a
 * watchdog fails the transfer when the origin has sent nothing for {@code idleMillis} (from the kernel's
 * {@code tcp_info}), and otherwise keeps the client connection's idle timer fresh.
 */
public final class SpliceRelay implements io.glint.store.SocketRelay {
  private static final Logger LOG = LoggerFactory.getLogger(SpliceRelay.class);
  private static final String HANDLER = "glint-relay";
  /** Netty splices at most an int of bytes per call: larger bodies go in segments. */
  private static final int SEGMENT = 1 << 30;
  /** Body bytes held (read before the consumer decides) beyond which reading the origin pauses. */
  private static final long HOLD_LIMIT = 1 << 20;
  /**
   * Most bytes spliced from the origin's socket into the pipe per readiness. Netty takes at most its read
   * allocator's guess per wake-up (64 KiB at most by default); the pipe ({@link LargePipe}) holds up to 1 MiB.
   */
  private static final int SPLICE_READ = 1 << 20;
  /**
   * How long the client may go without bytes while the origin still sends before the read watermark is dropped:
   * the origin is slower than a pipeful per this, and batching its bytes would only delay them.
   */
  static final long HELD_MS = 500;
  /** {@code SO_RCVLOWAT}, through Netty's generic socket option (level SOL_SOCKET, option 18 on Linux). */
  private static final io.netty.channel.unix.IntegerUnixChannelOption RCVLOWAT =
      new io.netty.channel.unix.IntegerUnixChannelOption("SO_RCVLOWAT", 1, 18);
  private static final long WATCH_PERIOD_MS = 5_000;
  private static final long MIN_WATCH_PERIOD_MS = 200;

  private static final java.util.concurrent.atomic.LongAdder RELAYED = new java.util.concurrent.atomic.LongAdder();

  private enum State { WAIT_HEAD, HOLD, PASS, RELAY, CLOSED }

  private final Vertx vertx;
  private final Channel origin;
  private final long idleMillis;
  private final boolean spliceable;
  private final ArrayDeque<HttpContent> held = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private State state = State.WAIT_HEAD;
  private long bodyLength;
  private long heldBytes;
  private boolean pausedOrigin;
  private boolean relaying;
  private boolean bodyComplete;
  private HttpResponse head;
  private long watch = -1;
  /** The origin socket's read watermark while it is raised (bytes), 0 when it is the kernel's default. */
  private int watermark;

  private SpliceRelay(Vertx vertx, Channel origin, long idleMillis, boolean spliceable) {
    this.vertx = vertx;
    this.origin = origin;
    this.idleMillis = idleMillis;
    this.spliceable = spliceable;
  }

  /**
   * Installs a relay on a fresh HTTP/1.x origin connection, before any request is sent on it. With
   * {@code splice} false, or when the connection cannot be spliced from (not the native epoll transport, TLS), the
   * body always goes through Vert.x, still with the relay's care for origins that close. Returns null only when
   * Vert.x's internals are not as expected.
   */
  public static SpliceRelay install(Vertx vertx, HttpConnection connection, long idleMillis, boolean splice) {
    Channel channel = channel(connection);
    if (channel == null || channel.pipeline().get("handler") == null || channel.pipeline().get("inflater") != null) {
      return null;
    }
    boolean spliceable = splice && channel instanceof AbstractEpollStreamChannel
        && channel.pipeline().get(SslHandler.class) == null;
    SpliceRelay relay = new SpliceRelay(vertx, channel, idleMillis, spliceable);
    if (channel.pipeline().get(HANDLER) != null) {
      channel.pipeline().remove(HANDLER);
    }
    channel.pipeline().addBefore("handler", HANDLER, relay.new Hold());
    return relay;
  }

  /**
   * Prepares the larger pipes relays splice through ({@link LargePipe}): blocking (a native library is loaded), so
   * off the event loop, once, before relays start; relays made before it use the kernel's default pipe.
   */
  public static void preparePipes() {
    LargePipe.prepare();
  }

  /** Number of bodies relayed whole, socket to socket, since start (for logs and tests). */
  public static long relayedCount() {
    return RELAYED.sum();
  }

  /** Whether the held body can be spliced into the socket of this server connection. */
  @Override
  public boolean canRelayTo(HttpConnection server) {
    Channel target = channel(server);
    return state == State.HOLD && !relaying && origin.isActive()
        && target instanceof AbstractEpollStreamChannel && target.isActive()
        && target.eventLoop() == origin.eventLoop() && target.eventLoop().inEventLoop()
        && target.pipeline().get(SslHandler.class) == null
        && target.pipeline().get("httpEncoder") != null && target.pipeline().get("deflater") == null;
  }

  /**
   * Sends the response head (its {@code Content-Length} must be set to the body's length), then the body, socket
   * to socket, then ends the response. The future fails if either side fails or the origin stalls; the caller
   * resets the client's connection then, since the head has gone out. The origin connection is closed in all
   * cases.
   */
  @Override
  public Future<Void> relayTo(HttpServerResponse response, HttpConnection server) {
    if (!canRelayTo(server)) {
      close();
      return Future.failedFuture(new IllegalStateException("The body cannot be relayed to this connection."));
    }
    AbstractEpollStreamChannel target = (AbstractEpollStreamChannel) channel(server);
    relaying = true; // body bytes still arriving before the head is out are held, as before
    Promise<Void> done = Promise.promise();
    // Started as a task of its own: the head may have been announced in the middle of decoding a read whose
    // remaining body bytes must still be held (and sent) before splicing takes over the socket.
    response.writeHead()
        .onSuccess(v -> origin.eventLoop().execute(() -> start(target, done)))
        .onFailure(done::tryFail);
    return done.future()
        .compose(v -> {
          stopWatch();
          RELAYED.increment();
          LOG.debug("Relayed {} bytes from {} socket to socket", bodyLength, origin.remoteAddress());
          return response.end();
        })
        .andThen(ar -> {
          stopWatch();
          close();
        });
  }

  /** Gives up relaying: the held bytes, then the rest of the body, reach the ordinary Vert.x response stream. */
  @Override
  public void useStream() {
    if (relaying || (state != State.HOLD && state != State.WAIT_HEAD)) {
      return;
    }
    enterPass();
    if (pausedOrigin) {
      pausedOrigin = false;
      origin.config().setAutoRead(true);
    }
    heldBytes = 0;
    if (!held.isEmpty()) {
      while (!held.isEmpty()) {
        ctx.fireChannelRead(held.poll());
      }
      ctx.fireChannelReadComplete();
    }
  }

  /**
   * From here on the body goes through Vert.x. Half-closure is allowed so that an origin closing right after the
   * body does not have its connection closed under Vert.x while Vert.x still holds unread parts of the body
   * (Vert.x 5 drops a paused connection's buffered messages when the channel closes); a body cut short is
   * detected here instead, when the origin's end arrives before the body's.
   */
  private void enterPass() {
    state = State.PASS;
    origin.config().setOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true);
    if (head != null) {
      // Vert.x reads the head's headers when the response ends: "close" keeps it from pooling the connection
      // for another download in the moment before this relay closes it.
      head.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CONNECTION,
          io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
    }
  }

  /** Closes the origin connection and drops anything held. */
  @Override
  public void close() {
    state = State.CLOSED;
    stopWatch();
    while (!held.isEmpty()) {
      ReferenceCountUtil.release(held.poll());
    }
    // As a task of its own: the end of a relay is often reached inside the origin's read (its last splice), and
    // Netty goes on reading the socket after the splice's listeners return; closing under it made Netty report a
    // ClosedChannelException, which Vert.x logged as an ERROR after each download.
    origin.eventLoop().execute(() -> origin.close());
  }

  private void start(AbstractEpollStreamChannel target, Promise<Void> done) {
    if (state != State.HOLD) {
      done.tryFail(new java.nio.channels.ClosedChannelException());
      return;
    }
    state = State.RELAY;
    if (origin.pipeline().get("idle") != null) {
      origin.pipeline().remove("idle"); // reads bypass the pipeline from now on: the watchdog takes over
    }
    LargePipe.readInSteps((AbstractEpollStreamChannel) origin, SPLICE_READ);
    LargePipe.install(target); // Netty splices through the pipe of the channel spliced to
    long sent = 0;
    while (!held.isEmpty()) {
      HttpContent chunk = held.poll();
      sent += chunk.content().readableBytes();
      target.write(chunk.content()); // a plain ByteBuf passes the HTTP encoder as body bytes
    }
    target.flush();
    int pipe = LargePipe.capacity(target);
    if (pipe > 1 && bodyLength - sent > 2L * pipe && setWatermark(pipe)) {
      watermark = pipe;
    }
    long period = Math.max(MIN_WATCH_PERIOD_MS, Math.min(WATCH_PERIOD_MS, idleMillis / 4));
    if (watermark > 0) {
      period = Math.min(period, 2 * HELD_MS); // a slow origin's bytes are not held back for long
    }
    watch = vertx.setPeriodic(period, id -> check(target, done));
    splice(target, bodyLength - sent, done);
    pausedOrigin = false;
    if (!origin.config().isAutoRead()) {
      origin.config().setAutoRead(true); // splicing reads the origin from the next readiness on
    }
  }

  private void splice(AbstractEpollStreamChannel target, long remaining, Promise<Void> done) {
    if (remaining <= 0) {
      done.tryComplete();
      return;
    }
    long upTo = remaining;
    if (watermark > 0) {
      if (remaining > watermark) {
        upTo = remaining - watermark; // the last pipeful is read without the watermark: it may be all there is
      } else {
        dropWatermark();
      }
    }
    int length = (int) Math.min(upTo, SEGMENT);
    @SuppressWarnings("deprecation")
    io.netty.channel.ChannelFuture segment = ((AbstractEpollStreamChannel) origin).spliceTo(target, length);
    segment.addListener(f -> {
      if (f.isSuccess()) {
        splice(target, remaining - length, done);
      } else {
        done.tryFail(f.cause());
      }
    });
  }

  private void check(Channel target, Promise<Void> done) {
    if (done.future().isComplete()) {
      stopWatch();
      return;
    }
    long quiet = origin instanceof EpollSocketChannel socket && socket.isActive()
        ? socket.tcpInfo().lastDataRecv() : 0;
    if (quiet > idleMillis) {
      LOG.debug("Origin {} sent nothing for {} ms: relay abandoned", origin.remoteAddress(), quiet);
      done.tryFail(new TimeoutException("The remote image server sent no data for " + quiet / 1000 + " s."));
      origin.close();
    } else if (target.isActive()) {
      if (watermark > 0 && target instanceof EpollSocketChannel client) {
        long unsent = client.tcpInfo().lastDataSent();
        if (unsent > HELD_MS && unsent > quiet) {
          LOG.debug("Origin {} is slow (client sent nothing for {} ms): bytes relayed as they come",
              origin.remoteAddress(), unsent);
          dropWatermark();
        }
      }
      target.writeAndFlush(Unpooled.EMPTY_BUFFER); // activity for the client connection's idle timer
    }
  }

  /** Raises the origin socket's read watermark; false when the socket refuses it. */
  private boolean setWatermark(int bytes) {
    try {
      return origin.config().setOption(RCVLOWAT, bytes);
    } catch (RuntimeException e) {
      LOG.debug("No read watermark on {}: {}", origin, e.toString());
      return false;
    }
  }

  /** Back to waking on every byte (the kernel signals readiness at once if the socket holds any). */
  private void dropWatermark() {
    if (watermark > 0) {
      watermark = 0;
      if (origin.isActive()) {
        setWatermark(1);
      }
    }
  }

  private void stopWatch() {
    if (watch != -1) {
      vertx.cancelTimer(watch);
      watch = -1;
    }
  }

  private static Channel channel(HttpConnection connection) {
    return io.glint.http.ClientChannels.of(connection);
  }

  /** Sits between the HTTP codec and Vert.x on the origin connection: holds the body once a head arrives. */
  private final class Hold extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext context) {
      ctx = context;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
      switch (state) {
        case WAIT_HEAD -> {
          if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            head = response;
            long length = HttpUtil.getContentLength(head, -1L);
            // Only a keep-alive HTTP/1.1 origin: one that closes after the body could have its FIN handled
            // (and the connection closed by Netty) before the last spliced bytes were taken from the socket.
            boolean whole = head.status().codeClass() == HttpStatusClass.SUCCESS && length >= 0
                && !HttpUtil.isTransferEncodingChunked(head) && HttpUtil.isKeepAlive(head);
            bodyLength = length;
            if (whole && spliceable) {
              state = State.HOLD;
            } else {
              enterPass();
            }
          }
          context.fireChannelRead(msg);
        }
        case HOLD -> {
          if (msg instanceof HttpContent chunk) {
            held.add(chunk);
            heldBytes += chunk.content().readableBytes();
            if (heldBytes >= HOLD_LIMIT && context.channel().config().isAutoRead()) {
              pausedOrigin = true;
              context.channel().config().setAutoRead(false);
            }
          } else {
            context.fireChannelRead(msg);
          }
        }
        case RELAY, CLOSED -> ReferenceCountUtil.release(msg); // nothing may follow the body on this connection
        default -> {
          if (msg instanceof LastHttpContent) {
            bodyComplete = true;
          }
          context.fireChannelRead(msg);
        }
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
      context.fireUserEventTriggered(event);
      if (event instanceof ChannelInputShutdownEvent && state == State.PASS && !bodyComplete) {
        // Everything the origin sent has been decoded and the body is not whole: fail the stream now rather
        // than leave it waiting for bytes that will never come.
        LOG.debug("Origin {} ended its connection before the end of the body", origin.remoteAddress());
        context.close();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
      if (state != State.RELAY && state != State.CLOSED) {
        context.fireChannelReadComplete();
      }
    }
  }
}
