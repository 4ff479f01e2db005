package io.glint.store.s3;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.glint.store.StoreException;
import io.vertx.core.Promise;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory all multipart uploads of one S3 store buffer their parts in, with a hard bound on the bytes held at
 * once: slabs of direct memory, reused, never more than {@code limit} bytes of them in use. An upload reserves a
 * whole part before it fills it, so that every part held is either being filled by a client or being sent: with
 * many uploads waiting, none can hold memory it cannot finish with (no deadlock). A reservation larger than the
 * limit is granted when nothing else is held. Waiters are served in arrival order, each on its own context.
 */
final class PartMemory {
  static final int SLAB = 1 << 20;

  private final long limit;
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private long reserved;

  PartMemory(long limit) {
    this.limit = limit;
  }

  private record Waiter(long bytes, Context context, Promise<Part> promise) {}

  /**
   * Memory for one part of {@code bytes}: now when there is room, else once enough is given back. Fails (never
   * throws) when the JVM has no direct memory left for it.
   */
  Future<Part> reserve(long bytes, Context context) {
    synchronized (this) {
      if (waiters.isEmpty() && fits(bytes)) {
        try {
          Part part = new Part(bytes, slabs(bytes));
          reserved += bytes;
          return Future.succeededFuture(part);
        } catch (OutOfMemoryError e) {
          return Future.failedFuture(noMemory(bytes, e));
        }
      }
      Promise<Part> promise = Promise.promise();
      waiters.add(new Waiter(bytes, context, promise));
      return promise.future();
    }
  }

  private static StoreException noMemory(long bytes, OutOfMemoryError e) {
    return new StoreException(StoreException.Reason.UNAVAILABLE, "No memory for a part of " + bytes
        + " bytes of a multipart upload: " + e.getMessage(), e);
  }

  /** Bytes reserved now (for tests and logs). */
  synchronized long reserved() {
    return reserved;
  }

  private boolean fits(long bytes) {
    return reserved == 0 || reserved + bytes <= limit;
  }

  /** Slabs for {@code bytes}: free ones first, new ones else; on failure none is kept. */
  private List<ByteBuffer> slabs(long bytes) {
    List<ByteBuffer> slabs = new ArrayList<>();
    try {
      for (long left = bytes; left > 0; left -= SLAB) {
        ByteBuffer slab = free.poll();
        if (slab == null) {
          slab = ByteBuffer.allocateDirect(SLAB);
        }
        slab.clear();
        slabs.add(slab);
      }
    } catch (OutOfMemoryError e) {
      free.addAll(slabs);
      throw e;
    }
    return slabs;
  }

  private void release(Part part) {
    List<Runnable> grants = new ArrayList<>();
    synchronized (this) {
      reserved -= part.capacity;
      free.addAll(part.slabs);
      // Slabs beyond what the limit can use again are left to the garbage collector.
      while ((long) free.size() * SLAB > limit) {
        free.poll();
      }
      while (!waiters.isEmpty() && fits(waiters.peek().bytes)) {
        Waiter w = waiters.poll();
        Part granted;
        try {
          granted = new Part(w.bytes, slabs(w.bytes));
        } catch (OutOfMemoryError e) {
          StoreException failure = noMemory(w.bytes, e);
          grants.add(() -> w.context.runOnContext(v -> w.promise.tryFail(failure)));
          continue;
        }
        reserved += w.bytes;
        grants.add(() -> w.context.runOnContext(v -> {
          if (!w.promise.tryComplete(granted)) {
            granted.release();
          }
        }));
      }
    }
    grants.forEach(Runnable::run);
  }

  /** Gives up waiting for {@code pending} (an upload that failed meanwhile): it is released when granted. */
  void cancel(Future<Part> pending) {
    synchronized (this) {
      waiters.removeIf(w -> w.promise.future() == pending);
    }
  }

  /** The memory of one part: slabs filled in order; given back once, by {@link #release()}. */
  final class Part {
    private final long capacity;
    private final List<ByteBuffer> slabs;
    private long filled;
    private boolean released;

    private Part(long capacity, List<ByteBuffer> slabs) {
      this.capacity = capacity;
      this.slabs = slabs;
    }

    long capacity() {
      return capacity;
    }

    long filled() {
      return filled;
    }

    boolean full() {
      return filled == capacity;
    }

    /** Copies as many of {@code src}'s remaining bytes as fit; returns how many. */
    int fill(ByteBuffer src) {
      int copied = 0;
      while (src.hasRemaining() && filled < capacity) {
        ByteBuffer slab = slabs.get((int) (filled / SLAB));
        int room = (int) Math.min(slab.remaining(), capacity - filled);
        int n = Math.min(room, src.remaining());
        ByteBuffer piece = src.duplicate();
        piece.limit(piece.position() + n);
        slab.put(piece);
        src.position(src.position() + n);
        filled += n;
        copied += n;
      }
      return copied;
    }

    /** Read-only views of the filled bytes, for a request body (each call gives fresh views). */
    ByteBuffer[] contents() {
      List<ByteBuffer> views = new ArrayList<>();
      long left = filled;
      for (ByteBuffer slab : slabs) {
        if (left <= 0) {
          break;
        }
        ByteBuffer view = slab.duplicate();
        view.flip();
        views.add(view.asReadOnlyBuffer());
        left -= view.remaining();
      }
      return views.toArray(ByteBuffer[]::new);
    }

    void release() {
      if (!released) {
        released = true;
        PartMemory.this.release(this);
      }
    }
  }
}
