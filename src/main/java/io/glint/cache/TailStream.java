package io.glint.cache;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;

/**
 * One download's bytes from a {@link CacheFill} in progress: reads of the growing file, off the event loop, as
 * far as the fill has got, and only as fast as the client takes them (the pipe to its response pauses this
 * stream while the socket's queue is full). When it has caught up it waits to be woken by the fill's progress,
 * for a whole read's worth when the fill has that much left. A failed fill fails it: the download is reset,
 * never ended short. Leaving (the client went away) only detaches it; the fill goes on.
 */
final class TailStream implements ReadStream<Buffer> {
  static final int READ_SIZE = 256 * 1024;

  private final CacheFill fill;
  private final long end;
  private final Executor io;
  private final Context context;
  private final CacheMetrics metrics;
  private long position;
  private long demand;
  private boolean busy;
  private boolean reading;
  private boolean finished;
  private volatile FileChannel channel;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  /** Reads {@code [offset, offset + length)} of {@code fill}'s image; the reader has already joined the fill. */
  TailStream(CacheFill fill, long offset, long length, Executor io, Context context, CacheMetrics metrics) {
    this.fill = fill;
    this.position = offset;
    this.end = offset + length;
    this.io = io;
    this.context = context;
    this.metrics = metrics;
  }

  @Override
  public TailStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public TailStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler != null) {
      pump();
    }
    return this;
  }

  @Override
  public TailStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public TailStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public TailStream fetch(long amount) {
    demand = amount == Long.MAX_VALUE || Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
    pump();
    return this;
  }

  @Override
  public TailStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  /** The client left (or the write failed): detach from the fill, which goes on for the others. */
  void abandon() {
    if (!finished) {
      finished = true;
      release();
    }
  }

  private void pump() {
    if (busy || finished || demand == 0 || handler == null) {
      return;
    }
    if (position >= end) {
      finished = true;
      release();
      if (endHandler != null) {
        endHandler.handle(null);
      }
      return;
    }
    if (fill.state() == CacheFill.State.FAILED) {
      failWith(new IOException("the cache fill of image " + fill.imageId + " failed: " + fill.failure(),
          fill.failure()));
      return;
    }
    long available = Math.min(fill.available(), end);
    long wanted = Math.min(position + READ_SIZE, end);
    if (available < wanted && fill.state() == CacheFill.State.RUNNING) {
      busy = true;
      fill.awaitAvailable(wanted, context, () -> {
        busy = false;
        pump();
      });
      return;
    }
    int n = (int) Math.min(READ_SIZE, available - position);
    long at = position;
    busy = true;
    reading = true;
    io.execute(() -> {
      Buffer chunk = null;
      Throwable error = null;
      try {
        if (channel == null) {
          channel = fill.openForReading();
        }
        ByteBuffer bytes = ByteBuffer.allocate(n);
        while (bytes.hasRemaining()) {
          if (channel.read(bytes, at + bytes.position()) < 0) {
            throw new EOFException("the cache file of image " + fill.imageId + " ended early");
          }
        }
        chunk = Buffer.buffer(bytes.array());
      } catch (Throwable t) {
        error = t;
      }
      Buffer read = chunk;
      Throwable failed = error;
      context.runOnContext(v -> delivered(read, failed));
    });
  }

  private void delivered(Buffer chunk, Throwable error) {
    busy = false;
    reading = false;
    if (finished) {
      closeChannel();
      return;
    }
    if (error != null) {
      failWith(error);
      return;
    }
    position += chunk.length();
    metrics.fromCache(chunk.length());
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    handler.handle(chunk);
    pump();
  }

  private void failWith(Throwable t) {
    finished = true;
    release();
    if (exceptionHandler != null) {
      exceptionHandler.handle(t);
    }
  }

  private void release() {
    fill.readers.decrementAndGet();
    if (!reading) {
      closeChannel();
    }
  }

  private void closeChannel() {
    FileChannel c = channel;
    channel = null;
    if (c != null) {
      io.execute(() -> {
        try {
          c.close();
        } catch (IOException ignored) {
          // a read-only handle: nothing to lose
        }
      });
    }
  }
}
