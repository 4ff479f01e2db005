package io.glint.member;

import java.time.Instant;

/**
 * A project an image is shared with, and whether it accepted the share. {@code canShare} is the legacy v1 API's
 * flag (whether the member may share the image further); v2 neither shows nor uses it.
 */
public record Member(String imageId, String memberId, String status, boolean canShare, Instant createdAt,
    Instant updatedAt) {
  public static final java.util.List<String> STATUSES = java.util.List.of("pending", "accepted", "rejected");
}
