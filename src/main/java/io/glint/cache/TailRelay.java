package io.glint.cache;

import io.glint.http.ClientChannels;
import io.glint.store.SocketRelay;
import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One download of an image whose cache fill is in progress, sent from the growing file with {@code sendfile}
 * rather than through the heap ({@link TailStream}, which stays the way for connections a file region cannot go
 * to: TLS, HTTP/2). The bytes the fill has written go out as file regions, each written once the last has gone;
 * when the reader has caught up with the fill it waits for the fill's next step. Once the fill is complete the rest
 * of the image goes in regions of {@link #REGION} bytes: a download that joined a fill costs, from then on, what a
 * cached one does. A fill that fails fails the download (the caller resets the connection: never a short body);
 * the reader leaves the fill when the download ends, either way.
 */
final class TailRelay implements SocketRelay {
  private static final Logger LOG = LoggerFactory.getLogger(TailRelay.class);
  /** Most bytes per file region: a slow client still completes a write now and then (idle timers, checks). */
  static final long REGION = 8L * 1024 * 1024;

  private final CacheFill fill;
  private final long end;
  private final Executor io;
  private final Context context;
  private final CacheMetrics metrics;
  private final Runnable leave;
  private long position;
  private FileChannel file;
  private Promise<Void> done;

  /**
   * Sends {@code [offset, offset + length)} of {@code fill}'s image; the reader has already joined the fill and
   * {@code leave} (run once the download ends) leaves it.
   */
  TailRelay(CacheFill fill, long offset, long length, Executor io, Context context, CacheMetrics metrics,
      Runnable leave) {
    this.fill = fill;
    this.position = offset;
    this.end = offset + length;
    this.io = io;
    this.context = context;
    this.metrics = metrics;
    this.leave = leave;
  }

  @Override
  public boolean canRelayTo(HttpConnection client) {
    Channel target = ClientChannels.of(client);
    return done == null && target != null && target.isActive() && target.eventLoop().inEventLoop()
        && target.pipeline().get(SslHandler.class) == null && target.pipeline().get("httpEncoder") != null
        && target.pipeline().get("deflater") == null;
  }

  @Override
  public Future<Void> relayTo(HttpServerResponse response, HttpConnection client) {
    if (!canRelayTo(client)) {
      close();
      return Future.failedFuture(new IllegalStateException("The image cannot be sent to this connection."));
    }
    Channel target = ClientChannels.of(client);
    done = Promise.promise();
    metrics.fileTail();
    response.writeHead()
        .onSuccess(v -> next(target))
        .onFailure(done::tryFail);
    return done.future()
        .compose(v -> response.end())
        .andThen(ar -> close());
  }

  /**
   * Opens the fill's file off the event loop (its temporary name, or its final one if the fill just ended), once
   * the fill has written bytes: it has created the file by then.
   */
  private Future<Void> open() {
    Promise<Void> opened = Promise.promise();
    io.execute(() -> {
      try {
        FileChannel channel = fill.openForReading();
        context.runOnContext(v -> {
          if (done.future().isComplete()) {
            closeLater(channel); // the download ended while the file was being opened
            opened.fail(new ClosedChannelException());
            return;
          }
          file = channel;
          opened.complete();
        });
      } catch (Throwable t) {
        context.runOnContext(v -> opened.fail(t));
      }
    });
    return opened.future();
  }

  /** Sends what the fill has written beyond {@code position}, or waits for it; on the connection's event loop. */
  private void next(Channel target) {
    if (done.future().isComplete()) {
      return;
    }
    if (position >= end) {
      done.tryComplete();
      return;
    }
    if (!target.isActive()) {
      done.tryFail(new ClosedChannelException());
      return;
    }
    if (fill.state() == CacheFill.State.FAILED) {
      done.tryFail(new IOException("the cache fill of image " + fill.imageId + " failed: " + fill.failure(),
          fill.failure()));
      return;
    }
    long available = Math.min(fill.available(), end);
    long wanted = Math.min(position + TailStream.READ_SIZE, end);
    if (available < wanted && fill.state() == CacheFill.State.RUNNING) {
      fill.awaitAvailable(wanted, context, () -> next(target));
      return;
    }
    long count = Math.min(available - position, REGION);
    if (count <= 0) {
      // Not running, not failed and nothing more: the fill was given up under this download.
      done.tryFail(new IOException("the cache fill of image " + fill.imageId + " ended before byte " + position));
      return;
    }
    if (file == null) {
      open().onSuccess(v -> next(target)).onFailure(done::tryFail);
      return;
    }
    target.writeAndFlush(new SharedFileRegion(file, position, count)).addListener(f -> {
      if (f.isSuccess()) {
        position += count;
        metrics.fromCache(count);
        next(target);
      } else {
        done.tryFail(f.cause());
      }
    });
  }

  /** Nothing to switch: the stream this relay stands beside is read instead. */
  @Override
  public void useStream() {
  }

  /** The download is over (or never started): the reader leaves the fill, the file is closed. */
  @Override
  public void close() {
    if (done != null) {
      done.tryFail(new ClosedChannelException());
    }
    leave.run();
    FileChannel f = file;
    file = null;
    if (f != null) {
      closeLater(f);
    }
  }

  private void closeLater(FileChannel f) {
    io.execute(() -> {
      try {
        f.close();
      } catch (IOException e) {
        LOG.debug("Closing a cache file: {}", e.toString());
      }
    });
  }

  /**
   * A region of the relay's open file: Netty sends it with {@code sendfile} (it is a {@link DefaultFileRegion}) and
   * releases it once written, which must not close the file the next regions are sent from.
   */
  private static final class SharedFileRegion extends DefaultFileRegion {
    SharedFileRegion(FileChannel file, long position, long count) {
      super(file, position, count);
    }

    @Override
    protected void deallocate() {
      // the relay closes the file
    }
  }
}
