package io.glint.member;

import io.glint.testing.TestServer;
import java.time.Duration;

/**
 * Member rows written straight into the test database, so that the tests of listing, showing, updating and removing
 * members (and of what membership does to visibility) do not depend on {@code POST /v2/images/{id}/members}.
 */
public final class MemberRows {
  private MemberRows() {}

  /** Makes {@code project} a member of {@code imageId} with {@code status}, as the add route would. */
  public static void insert(String imageId, String project, String status) {
    insert(imageId, project, status, Duration.ZERO);
  }

  /** Makes {@code project} a pending member of {@code imageId}. */
  public static void insert(String imageId, String project) {
    insert(imageId, project, "pending");
  }

  /**
   * Makes {@code project} a pending member of {@code imageId} that was added (and last updated) {@code ago}
   * before now, in whole seconds: any change made now stamps a later {@code updated_at}, also at the API's
   * one-second resolution.
   */
  public static void insertAddedAgo(String imageId, String project, Duration ago) {
    insert(imageId, project, "pending", ago);
  }

  private static void insert(String imageId, String project, String status, Duration ago) {
    TestServer.execute("INSERT INTO image_members (image_id, member, status, can_share, created_at, updated_at, "
        + "deleted) VALUES ($1, $2, $3, false, date_trunc('second', now()) - $4::bigint * interval '1 second', "
        + "date_trunc('second', now()) - $4::bigint * interval '1 second', false)",
        imageId, project, status, ago.toSeconds());
  }
}
