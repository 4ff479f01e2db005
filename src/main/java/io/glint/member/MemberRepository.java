package io.glint.member;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Persistence of image members. The PostgreSQL implementation lives in {@code io.glint.metadata}. */
public interface MemberRepository {

  /** Adds a pending member, unless the image has reached {@code quota} members; empty when it is already one. */
  Future<Optional<Member>> add(String imageId, String memberId, int quota);

  Future<List<Member>> list(String imageId);

  Future<Optional<Member>> find(String imageId, String memberId);

  Future<Optional<Member>> setStatus(String imageId, String memberId, String status);

  Future<Boolean> remove(String imageId, String memberId);

  /** Sets the v1 {@code can_share} flag of a member; empty when it is not one. */
  Future<Optional<Member>> setCanShare(String imageId, String memberId, boolean canShare);

  /** Every live membership of project {@code memberId}, whatever the image ({@code GET /v1/shared-images}). */
  Future<List<Member>> sharedWith(String memberId);

  /** Thrown by {@link #add} when the image already has {@code quota} members. */
  final class QuotaExceeded extends RuntimeException {
    public QuotaExceeded(long attempted, int quota) {
      super("The limit has been exceeded on the number of allowed image members for this image. Attempted: "
          + attempted + ", Maximum: " + quota, null, false, false);
    }
  }
}
