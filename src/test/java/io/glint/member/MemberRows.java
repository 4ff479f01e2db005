package io.glint.member;

import io.glint.testing.TestServer;

/**
 * Member rows written straight into the test database, so that the tests of listing, showing, updating and removing
 * members (and of what membership does to visibility) do not depend on {@code POST /v2/images/{id}/members}.
 */
public final class MemberRows {
  private MemberRows() {}

  /** Makes {@code project} a member of {@code imageId} with {@code status}, as the add route would. */
  public static void insert(String imageId, String project, String status) {
    TestServer.execute("INSERT INTO image_members (image_id, member, status, can_share, created_at, updated_at, "
        + "deleted) VALUES ($1, $2, $3, false, date_trunc('second', now()), date_trunc('second', now()), false)",
        imageId, project, status);
  }

  /** Makes {@code project} a pending member of {@code imageId}. */
  public static void insert(String imageId, String project) {
    insert(imageId, project, "pending");
  }
}
