package io.glint.member;

import java.time.Instant;

/** A project an image is shared with, and whether it accepted the share. */
public record Member(String imageId, String memberId, String status, Instant createdAt, Instant updatedAt) {
  public static final java.util.List<String> STATUSES = java.util.List.of("pending", "accepted", "rejected");
}
