package io.glint.task;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Persistence of tasks; the PostgreSQL implementation lives in {@code io.glint.metadata}. */
public interface TaskRepository {

  /** Inserts a new task, run by this node. */
  Future<Task> insert(Task task);

  /** A task that has not expired. */
  Future<Optional<Task>> find(String id);

  /**
   * Moves a task from {@code from} to {@code to} with its message, result and expiry; false when it was no
   * longer in {@code from}.
   */
  Future<Boolean> transition(String id, TaskStatus from, TaskStatus to, String message,
      java.util.Map<String, Object> result, Instant expiresAt);

  /** Sets the message of a running task (progress), keeping its status; false when it no longer runs. */
  Future<Boolean> progress(String id, String message);

  /** A page of unexpired tasks; {@code owner} null for all projects. */
  Future<List<Task>> list(TaskQuery query);

  /** The unexpired tasks of an image, oldest first; {@code owner} null for all projects. */
  Future<List<Task>> ofImage(String imageId, String owner);

  /**
   * Running (pending or processing) tasks nobody runs any more: with {@code ownToo} this node's own (at
   * start-up), and those of nodes silent for {@code silence}. They are not changed here.
   */
  Future<List<Task>> orphaned(boolean ownToo, Duration silence);

  /** Tells the other nodes that this node still runs its tasks. */
  Future<Void> alive();

  /** Deletes tasks that expired before {@code now}; returns how many. */
  Future<Integer> purgeExpired(Instant now);

  /** A list query: paging, sorting and filters of {@code GET /v2/tasks}. */
  record TaskQuery(String owner, Task marker, int limit, String sortKey, boolean ascending, String status,
      String type) {}
}
