package io.glint.task;

import java.time.Instant;
import java.util.Map;

/**
 * A task (Glance's {@code glance.domain.Task}): an import in the background, with its input, its status, a
 * message (progress, or why it failed), its result and when it expires.
 *
 * @param type {@code import} (the legacy tasks API) or {@code api_image_import} (the interoperable import)
 * @param input the request that made it, as JSON values
 * @param result the result as JSON values ({@code {"image_id": ...}}), or null
 */
public record Task(String id, String type, TaskStatus status, String owner, String imageId, String userId,
    String requestId, Map<String, Object> input, Map<String, Object> result, String message, Instant expiresAt,
    Instant createdAt, Instant updatedAt) {

  public static final String API_IMAGE_IMPORT = "api_image_import";
  public static final String IMPORT = "import";

  public Task withStatus(TaskStatus next, String newMessage, Map<String, Object> newResult, Instant now,
      Instant expires) {
    return new Task(id, type, next, owner, imageId, userId, requestId, input, newResult, newMessage, expires,
        createdAt, now);
  }
}
