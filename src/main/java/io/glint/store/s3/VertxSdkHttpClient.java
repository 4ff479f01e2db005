package io.glint.store.s3;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.async.AsyncExecuteRequest;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.async.SdkAsyncHttpResponseHandler;
import software.amazon.awssdk.http.async.SdkHttpContentPublisher;

/**
 * The AWS SDK's asynchronous HTTP client SPI over the Vert.x HTTP client: the SDK's requests go out on Vert.x
 * event loops, with Glint's connection pool, and no thread pool of the SDK's own. It realises the idea of
 * reactiverse/aws-sdk's {@code VertxNioAsyncHttpClient} and fixes what that adapter got wrong:
 *
 * <ul>
 *   <li>request bodies are written with backpressure: the next buffer is requested from the SDK only while the
 *       connection's write queue has room, else when it drains;
 *   <li>response bodies flow only on demand: the response is paused when it arrives and each {@code request(n)}
 *       of the SDK's subscriber is a {@code fetch(n)}; {@code cancel()} resets the request;
 *   <li>every failure (no connection, a reset, a timeout, a body publisher's error) completes the future the SDK
 *       waits on and resets the request, so that neither side waits forever and no half-sent request is reused;
 *   <li>buffers are wrapped, never read through {@code array()} (direct and read-only buffers work);
 *   <li>each exchange stays on the Vert.x context it started on (the caller's event loop, or the client's own
 *       when the SDK calls from one of its threads, e.g. for a retry), whatever thread the SDK calls back from.
 * </ul>
 *
 * A request with a body (a PUT of an object or a part) goes out on a connection of its own, opened for it and
 * closed after it: such a body is streamed from the client's socket and cannot be sent twice, so the SDK's retry
 * after a failure that a reused connection brings (the server closed it as it sat idle in the pool, at the
 * moment it was taken) would fail too, and the whole upload with it. Other requests reuse pooled connections.
 * Redirects are never followed (a signed request is only valid where it was sent). The {@code Expect:
 * 100-continue} the SDK asks for on uploads is dropped (it is not signed): bodies are sent at once.
 */
final class VertxSdkHttpClient implements SdkAsyncHttpClient {
  private static final Logger LOG = LoggerFactory.getLogger(VertxSdkHttpClient.class);
  /** Most bytes of a request body written and not yet on the socket before the next buffer is asked for. */
  static final long MAX_UNWRITTEN = 1 << 20;

  private final HttpClientAgent client;
  /** For requests with a body: a new connection each, closed after the response. */
  private final HttpClientAgent uploads;
  private final Context fallback;
  private final long idleTimeoutMillis;

  /**
   * @param idleTimeoutMillis how long a request may see no byte go either way before it fails
   * @param maxConnections most connections to the endpoint
   */
  VertxSdkHttpClient(Vertx vertx, HttpClientOptions base, long idleTimeoutMillis, int maxConnections) {
    this.idleTimeoutMillis = idleTimeoutMillis;
    HttpClientOptions options = new HttpClientOptions(base)
        .setKeepAlive(true)
        .setConnectTimeout(10_000)
        .setDecompressionSupported(false)
        .setMaxChunkSize(64 * 1024)
        .setTcpNoDelay(true);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnections));
    this.uploads = vertx.createHttpClient(new HttpClientOptions(options).setKeepAlive(false),
        new PoolOptions().setHttp1MaxSize(maxConnections));
    this.fallback = vertx.getOrCreateContext();
  }

  @Override
  public String clientName() {
    return "GlintVertx";
  }

  @Override
  public CompletableFuture<Void> execute(AsyncExecuteRequest request) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Context current = Vertx.currentContext();
    // The caller's event loop, if the SDK calls from one (not from a blocking task of that context, which runs
    // on a worker thread); else this client's own.
    boolean onLoop = current != null && current.isEventLoopContext() && Context.isOnEventLoopThread();
    Context context = onLoop ? current : fallback;
    Exchange exchange = new Exchange(context, request, done);
    if (onLoop) {
      exchange.start();
    } else {
      context.runOnContext(v -> exchange.start());
    }
    return done;
  }

  @Override
  public void close() {
    client.close();
    uploads.close();
  }

  /** Runs {@code task} on {@code context}: at once when already on its event loop thread. */
  static void on(Context context, Runnable task) {
    if (Vertx.currentContext() == context && Context.isOnEventLoopThread()) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  /** One request and its response, all on one context. */
  private final class Exchange {
    private final Context context;
    private final AsyncExecuteRequest sdk;
    private final SdkAsyncHttpResponseHandler handler;
    private final CompletableFuture<Void> done;
    private HttpClientRequest request;
    private BodyWriter body;
    private ResponsePublisher publisher;
    private boolean requestEnded;
    /** The response's head has arrived: from then on only the response decides how the exchange ends. */
    private boolean responded;
    private boolean earlyError;
    private boolean finished;
    /** A request with a body: when S3 last took or sent bytes, or the body's source last gave some (nanoTime). */
    private long lastProgress;
    /** The SDK's body publisher owes a buffer: the uploading client's pace, which the idle timeout does not count. */
    private boolean awaitingSource;
    private long watchdog = -1;

    Exchange(Context context, AsyncExecuteRequest sdk, CompletableFuture<Void> done) {
      this.context = context;
      this.sdk = sdk;
      this.handler = sdk.responseHandler();
      this.done = done;
    }

    void start() {
      SdkHttpRequest r = sdk.request();
      URI uri = r.getUri();
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String query = uri.getRawQuery();
      SdkHttpContentPublisher content = sdk.requestContentPublisher();
      boolean hasBody = content != null && content.contentLength().orElse(-1L) != 0;
      RequestOptions options = new RequestOptions()
          .setMethod(HttpMethod.valueOf(r.method().name()))
          .setHost(r.host())
          .setPort(r.port())
          .setSsl(r.protocol().equalsIgnoreCase("https"))
          .setURI(query == null ? path : path + "?" + query)
          .setFollowRedirects(false)
          // Vert.x's idle timeout counts the response's bytes only: a request with a body has its own (watch).
          .setIdleTimeout(hasBody ? 0 : idleTimeoutMillis);
      r.forEachHeader((name, values) -> {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.equals("host") && !lower.equals("expect") && !lower.equals("transfer-encoding")) {
          for (String v : values) {
            options.addHeader(name, v);
          }
        }
      });
      (hasBody ? uploads : client).request(options).onComplete(ar -> {
        if (ar.failed()) {
          fail(ar.cause());
          return;
        }
        request = ar.result();
        if (finished) {
          request.reset();
          return;
        }
        request.exceptionHandler(this::failRequest);
        if (hasBody) {
          progress();
          watch(idleTimeoutMillis);
        }
        request.response().onComplete(res -> {
          if (res.failed()) {
            fail(res.cause());
          } else {
            onResponse(res.result());
          }
        });
        sendBody();
      });
    }

    private void sendBody() {
      SdkHttpContentPublisher content = sdk.requestContentPublisher();
      long length = content == null ? 0 : content.contentLength().orElse(-1L);
      SdkHttpRequest r = sdk.request();
      boolean declared = r.firstMatchingHeader("Content-Length").isPresent();
      if (content == null || length == 0) {
        if (!declared && r.method().name().matches("PUT|POST")) {
          request.putHeader("Content-Length", "0");
        }
        requestEnded = true;
        request.end().onFailure(this::failRequest);
        return;
      }
      if (!declared) {
        if (length > 0) {
          request.putHeader("Content-Length", Long.toString(length));
        } else {
          request.setChunked(true);
        }
      }
      body = new BodyWriter();
      content.subscribe(body);
    }

    /**
     * The idle timeout of a request with a body. Vert.x's own counts only the response's bytes, so a PUT streamed
     * for longer than the timeout failed while S3 took every byte (a 1 GiB PUT among 16 at once, or a part fed by
     * a slow client). This one fails the request when S3 has taken and sent nothing for the timeout, while the
     * body's bytes wait on it (a full write queue) or its answer is awaited; the time spent waiting for the
     * uploading client's next bytes does not count.
     */
    private void watch(long delayMillis) {
      watchdog = context.owner().setTimer(Math.max(1, delayMillis), id -> on(context, this::checkIdle));
    }

    private void checkIdle() {
      watchdog = -1;
      if (finished) {
        return;
      }
      if (awaitingSource) {
        progress();
        watch(idleTimeoutMillis);
        return;
      }
      long idle = (System.nanoTime() - lastProgress) / 1_000_000;
      if (idle < idleTimeoutMillis) {
        watch(idleTimeoutMillis - idle);
        return;
      }
      fail(new java.util.concurrent.TimeoutException("S3 took and sent nothing for " + idleTimeoutMillis
          + " ms while executing " + sdk.request().method() + " " + sdk.request().encodedPath()));
    }

    private void progress() {
      lastProgress = System.nanoTime();
    }

    private void unwatch() {
      if (watchdog != -1) {
        context.owner().cancelTimer(watchdog);
        watchdog = -1;
      }
    }

    private void onResponse(HttpClientResponse response) {
      response.pause();
      responded = true;
      progress();
      if (finished) {
        response.request().reset();
        return;
      }
      if (!requestEnded && body != null && response.statusCode() >= 300) {
        // An error before the whole body was sent: send no more; the connection is closed (see succeed). (A
        // success can come before the body's end has been written: the server has read all it announced.)
        earlyError = true;
        body.cancel();
      }
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      MultiMap h = response.headers();
      for (String name : h.names()) {
        headers.put(name, new ArrayList<>(h.getAll(name)));
      }
      try {
        handler.onHeaders(SdkHttpResponse.builder()
            .statusCode(response.statusCode())
            .statusText(response.statusMessage())
            .headers(headers)
            .build());
        publisher = new ResponsePublisher(response);
        handler.onStream(publisher);
      } catch (Throwable t) {
        fail(t);
      }
    }

    /** The response's body ended: the exchange is over. */
    private void succeed() {
      if (finished) {
        return;
      }
      finished = true;
      unwatch();
      if (body != null) {
        body.release();
      }
      if (earlyError) {
        // The request body was cut short: this connection must not carry another request.
        request.connection().close();
      }
      done.complete(null);
    }

    /**
     * A failure of the request's side (writing its body or its end). Before the response, the exchange fails.
     * After it, the response decides: a server that answers and closes the connection at once (its answer to a
     * request sent with {@code Connection: close}, delimited by the close) can close it before this side has
     * written the request's end, whose write then fails although the exchange succeeded; the response's own
     * end, or its failure, follows.
     */
    private void failRequest(Throwable cause) {
      on(context, () -> {
        if (responded) {
          LOG.debug("S3 request {} {}: the request side failed after the response came: {}", sdk.request().method(),
              sdk.request().encodedPath(), cause.toString());
          if (body != null) {
            body.cancel();
          }
          return;
        }
        fail(cause);
      });
    }

    /** Fails the exchange once: the body stops, the request is reset, the SDK hears of it, the future fails. */
    void fail(Throwable cause) {
      on(context, () -> {
        if (finished) {
          return;
        }
        finished = true;
        unwatch();
        LOG.info("S3 request {} {} failed: {}", sdk.request().method(), sdk.request().encodedPath(), cause.toString());
        if (body != null) {
          body.cancel();
          body.release();
        }
        if (request != null) {
          request.reset(0, cause);
        }
        if (publisher != null) {
          publisher.error(cause);
        }
        try {
          handler.onError(cause);
        } catch (Throwable t) {
          LOG.debug("SDK response handler failed on error: {}", t.toString());
        }
        done.completeExceptionally(cause);
      });
    }

    /**
     * Subscribes to the SDK's request body and writes it: one buffer asked for at a time, and only while the
     * connection's write queue has room (else when it drains), under {@link #MAX_UNWRITTEN} bytes written are not
     * yet on the socket, and while the JVM's {@link SendBudget} has room. Vert.x holds what is
     * written to an unwritable connection in its own queue, on the heap: the budget bounds that for all requests
     * together, where the bound per connection grows with their number.
     */
    private final class BodyWriter implements Subscriber<ByteBuffer> {
      private Subscription subscription;
      private boolean cancelled;
      /** Bytes given to {@code request.write} whose write has not completed (not yet on the socket). */
      private long unwritten;
      /** Of the {@link SendBudget}: what this body holds ({@link #unwritten}, until it is released). */
      private long held;
      private boolean waitingForBudget;
      private boolean released;

      @Override
      public void onSubscribe(Subscription s) {
        on(context, () -> {
          if (subscription != null || cancelled || finished) {
            s.cancel();
            return;
          }
          subscription = s;
          awaitingSource = true;
          s.request(1);
        });
      }

      @Override
      public void onNext(ByteBuffer bytes) {
        on(context, () -> {
          if (cancelled || finished) {
            return;
          }
          awaitingSource = false;
          progress();
          // Wrapped, not copied: the SDK's buffers are not reused before the next is requested, and a
          // part's memory is only given back once its request is over.
          int n = bytes.remaining();
          Buffer chunk = BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
          budget(n);
          unwritten += n;
          request.write(chunk).onComplete(ar -> {
            unwritten -= n;
            budget(-n);
            if (ar.succeeded()) {
              progress();
              more();
            } else {
              failRequest(ar.cause());
            }
          });
          more();
        });
      }

      /**
       * Asks for the next buffer, unless one is owed already or the writes are behind (see the class): then the
       * completion of a write, or the write queue's drain, asks again.
       */
      private void more() {
        if (cancelled || finished || requestEnded || awaitingSource || waitingForBudget
            || unwritten >= MAX_UNWRITTEN) {
          return;
        }
        if (request.writeQueueFull()) {
          request.drainHandler(v -> {
            request.drainHandler(null);
            progress();
            more();
          });
          return;
        }
        if (!SendBudget.SHARED.room(() -> on(context, () -> {
          waitingForBudget = false;
          more();
        }))) {
          waitingForBudget = true;
          return;
        }
        awaitingSource = true;
        subscription.request(1);
      }

      /** This body's share changes by {@code delta} bytes (nothing once it is released). */
      private void budget(long delta) {
        if (released || delta == 0) {
          return;
        }
        held += delta;
        if (delta > 0) {
          SendBudget.SHARED.take(delta);
        } else {
          SendBudget.SHARED.give(-delta);
        }
      }

      /** The request is over, whatever way: its whole share goes back (later write completions count nothing). */
      void release() {
        if (!released) {
          released = true;
          SendBudget.SHARED.give(held);
          held = 0;
        }
      }

      @Override
      public void onError(Throwable t) {
        on(context, () -> {
          cancelled = true;
          fail(t instanceof IOException ? t : new IOException("The request body failed: " + t, t));
        });
      }

      @Override
      public void onComplete() {
        on(context, () -> {
          if (cancelled || finished) {
            return;
          }
          awaitingSource = false;
          progress();
          requestEnded = true;
          request.end().onFailure(Exchange.this::failRequest);
        });
      }

      void cancel() {
        if (!cancelled) {
          cancelled = true;
          if (subscription != null) {
            subscription.cancel();
          }
        }
      }
    }

    /**
     * The response body for the SDK: one subscriber; bytes flow only as it asks ({@code fetch(n)} of the paused
     * response); its {@code cancel()} resets the request.
     */
    private final class ResponsePublisher implements Publisher<ByteBuffer> {
      private final HttpClientResponse response;
      private Subscriber<? super ByteBuffer> subscriber;
      private boolean ended;

      ResponsePublisher(HttpClientResponse response) {
        this.response = response;
      }

      @Override
      public void subscribe(Subscriber<? super ByteBuffer> s) {
        on(context, () -> {
          if (subscriber != null) {
            SecondSubscriber.refuse(s, "A response body can be read only once");
            return;
          }
          subscriber = s;
          response.handler(buffer -> {
            progress();
            if (!ended) {
              subscriber.onNext(((BufferInternal) buffer).getByteBuf().nioBuffer());
            }
          });
          response.exceptionHandler(Exchange.this::fail);
          response.endHandler(v -> {
            if (!ended) {
              ended = true;
              subscriber.onComplete();
              succeed();
            }
          });
          s.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
              on(context, () -> {
                if (ended) {
                  return;
                }
                if (n <= 0) {
                  fail(new IllegalArgumentException("Reactive Streams §3.9: request(" + n + ")"));
                  return;
                }
                response.fetch(n);
              });
            }

            @Override
            public void cancel() {
              on(context, () -> {
                if (!ended) {
                  ended = true;
                  response.handler(null);
                  response.endHandler(null);
                  fail(new IOException("The response body was given up"));
                }
              });
            }
          });
        });
      }

      /** The exchange failed: the subscriber, if there is one, hears of it. */
      void error(Throwable cause) {
        if (!ended) {
          ended = true;
          if (subscriber != null) {
            subscriber.onError(cause);
          }
        }
      }
    }
  }
}
