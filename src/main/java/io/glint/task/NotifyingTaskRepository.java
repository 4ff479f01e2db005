package io.glint.task;

import io.glint.event.DomainEvent;
import io.glint.event.DomainEvents;
import io.glint.event.EventType;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Tasks with Glance's task notifications: {@code task.create} when one is inserted, {@code task.run} and {@code
 * task.processing} when it starts, {@code task.success} / {@code task.failure} when it ends (Glance's {@code
 * TaskRepoProxy} and {@code TaskProxy}). A change is announced once committed, with the task as it is then (read
 * back: one more query per change, so this wraps the repository only when notifications are on).
 */
public final class NotifyingTaskRepository implements TaskRepository {
  private final TaskRepository tasks;
  private final DomainEvents events;

  public NotifyingTaskRepository(TaskRepository tasks, DomainEvents events) {
    this.tasks = tasks;
    this.events = events;
  }

  @Override
  public Future<Task> insert(Task task) {
    return tasks.insert(task).onSuccess(t -> announce(EventType.TASK_CREATE, t));
  }

  @Override
  public Future<Boolean> transition(String id, TaskStatus from, TaskStatus to, String message,
      Map<String, Object> result, Instant expiresAt) {
    return tasks.transition(id, from, to, message, result, expiresAt).compose(done -> !done
        ? Future.succeededFuture(false)
        : tasks.find(id).map(found -> {
          found.ifPresent(t -> {
            switch (to) {
              case PROCESSING -> {
                announce(EventType.TASK_RUN, t);
                announce(EventType.TASK_PROCESSING, t);
              }
              case SUCCESS -> announce(EventType.TASK_SUCCESS, t);
              case FAILURE -> announce(EventType.TASK_FAILURE, t);
              default -> { }
            }
          });
          return true;
        }).recover(e -> Future.succeededFuture(true)));
  }

  private void announce(EventType type, Task task) {
    events.publish(DomainEvent.of(type, task.imageId(), task, null));
  }

  @Override
  public Future<Optional<Task>> find(String id) {
    return tasks.find(id);
  }

  @Override
  public Future<Boolean> progress(String id, String message) {
    return tasks.progress(id, message);
  }

  @Override
  public Future<List<Task>> list(TaskQuery query) {
    return tasks.list(query);
  }

  @Override
  public Future<List<Task>> ofImage(String imageId, String owner) {
    return tasks.ofImage(imageId, owner);
  }

  @Override
  public Future<List<Task>> orphaned(boolean ownToo, Duration silence) {
    return tasks.orphaned(ownToo, silence);
  }

  @Override
  public Future<Void> alive() {
    return tasks.alive();
  }

  @Override
  public Future<Integer> purgeExpired(Instant now) {
    return tasks.purgeExpired(now);
  }
}
