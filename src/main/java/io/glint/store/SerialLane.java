package io.glint.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * Runs tasks one after another, in submission order, on a shared executor: a per-transfer ordered queue over a
 * pool of blocking threads. Futures complete on the executor thread; callers hop back to their context.
 */
public final class SerialLane {
  private final Executor executor;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean running;

  public SerialLane(Executor executor) {
    this.executor = executor;
  }

  public <T> Future<T> submit(Callable<T> task) {
    Promise<T> promise = Promise.promise();
    Runnable run = () -> {
      try {
        promise.complete(task.call());
      } catch (Throwable t) {
        promise.fail(t);
      }
    };
    boolean start;
    synchronized (this) {
      queue.add(run);
      start = !running;
      running = true;
    }
    if (start) {
      executor.execute(this::drain);
    }
    return promise.future();
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      next.run();
    }
  }
}
