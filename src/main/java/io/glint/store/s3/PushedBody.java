package io.glint.store.s3;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * A request body of known length that an upload pushes into as its bytes arrive: what one streamed PUT sends.
 * Each pushed buffer is handed to the SDK only when it asks for one (its demand is the connection's room), and
 * the push completes then: the uploader's backpressure is the S3 connection's. It can be sent once: a retry
 * (a second subscription) fails, since the bytes are gone. Everything runs on the upload's context.
 *
 * <p>A body made to {@linkplain #copying copy} keeps the pushed buffers themselves while they wait (an upload's
 * pooled batches, which go back to their pool once their push completes) and copies each only when the SDK takes
 * it: copies exist only from then until they are on the socket, where the {@link SendBudget} bounds them for all
 * uploads together, not for every buffer queued.
 */
final class PushedBody implements AsyncRequestBody {
  private final Context context;
  private final long length;
  private final boolean copy;
  private final ArrayDeque<Pushed> queue = new ArrayDeque<>();
  private Subscriber<? super ByteBuffer> subscriber;
  private long demand;
  private boolean ended;
  private boolean terminated;
  private boolean draining;
  private Throwable failure;

  private record Pushed(ByteBuffer bytes, Promise<Void> taken) {}

  PushedBody(Context context, long length) {
    this(context, length, false);
  }

  private PushedBody(Context context, long length, boolean copy) {
    this.context = context;
    this.length = length;
    this.copy = copy;
  }

  /** A body that copies each pushed buffer as the SDK takes it: pushes may lend buffers reused after the push. */
  static PushedBody copying(Context context, long length) {
    return new PushedBody(context, length, true);
  }

  @Override
  public Optional<Long> contentLength() {
    return Optional.of(length);
  }

  @Override
  public String body() {
    return "Stream";
  }

  @Override
  public void subscribe(Subscriber<? super ByteBuffer> s) {
    on(() -> {
      if (subscriber != null) {
        SecondSubscriber.refuse(s, "A streamed upload's body can be sent only once");
        return;
      }
      subscriber = s;
      s.onSubscribe(new Subscription() {
        @Override
        public void request(long n) {
          on(() -> {
            if (n <= 0) {
              fail(new IllegalArgumentException("Reactive Streams §3.9: request(" + n + ")"));
              return;
            }
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            drain();
          });
        }

        @Override
        public void cancel() {
          on(() -> {
            terminated = true; // no more signals to a subscriber that cancelled
            fail(new java.util.concurrent.CancellationException("The S3 request stopped reading the body"));
          });
        }
      });
      if (failure != null) {
        signalError();
      } else {
        drain();
      }
    });
  }

  /**
   * Queues bytes; completes when the SDK has taken them. A {@linkplain #copying copying} body has copied them
   * then, and the buffer may be reused; otherwise the body keeps them (copy what is reused).
   */
  Future<Void> push(ByteBuffer bytes) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    Promise<Void> taken = Promise.promise();
    queue.add(new Pushed(bytes, taken));
    drain();
    return taken.future();
  }

  /**
   * A push's outcome as the upload should see it. When the SDK gives the body up (it cancels its subscription as
   * the connection fails), the push fails with a bare cancellation: what the upload must fail with is the request's
   * own failure (S3 unreachable: a store failure, a 503), which follows it. Whatever happens, the failure is a
   * store failure, never an exception that would become a 500.
   */
  static Future<Void> failingAs(Future<Void> pushed, Future<?> request, S3Errors errors, String action) {
    return pushed.recover(e -> request.transform(
        ar -> Future.failedFuture(errors.translate(action, ar.failed() ? ar.cause() : e))));
  }

  /** No more bytes: the body completes once the queue is taken. */
  void end() {
    ended = true;
    drain();
  }

  /** The upload failed or was given up: the S3 request fails (its connection is reset), pushes fail. */
  void fail(Throwable cause) {
    if (failure != null) {
      return;
    }
    failure = cause;
    while (!queue.isEmpty()) {
      queue.poll().taken().tryFail(cause);
    }
    signalError();
  }

  private void signalError() {
    if (subscriber != null && !terminated) {
      terminated = true;
      subscriber.onError(failure);
    }
  }

  private void drain() {
    if (draining || subscriber == null || terminated) {
      return;
    }
    draining = true;
    try {
      while (demand > 0 && !queue.isEmpty() && !terminated) {
        Pushed p = queue.poll();
        demand--;
        subscriber.onNext(copy ? copyOf(p.bytes()) : p.bytes());
        p.taken().tryComplete();
      }
      if (ended && queue.isEmpty() && !terminated && failure == null) {
        terminated = true;
        subscriber.onComplete();
      }
    } finally {
      draining = false;
    }
  }

  private static ByteBuffer copyOf(ByteBuffer bytes) {
    ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
    copy.put(bytes.duplicate());
    return copy.flip();
  }

  private void on(Runnable task) {
    VertxSdkHttpClient.on(context, task);
  }
}
