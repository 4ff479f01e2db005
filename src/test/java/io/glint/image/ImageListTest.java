package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v2/images} as Glance Zed does it: visibility rules ({@code _select_images_query} and the
 * visibility/community filter of {@code _image_get_all}), filters ({@code RequestDeserializer.index},
 * {@code ImagesController.index}, {@code _make_conditions_from_filters}), sorting ({@code _get_sorting_params}),
 * keyset paging ({@code _paginate_query}) and the {@code first}/{@code next} links
 * ({@code ResponseSerializer.index}).
 */
@DisplayName("Images v2: list, filters, sorting and paging")
class ImageListTest extends ApiTestBase {

  private static final String SORT_KEYS =
      "name, status, container_format, disk_format, size, id, created_at, updated_at";

  // ------------------------------------------------------------------------------------------------------------
  // helpers

  private static String image(Api who, String name, String visibility) {
    JsonObject body = new JsonObject().put("name", name);
    if (visibility != null) {
      body.put("visibility", visibility);
    }
    return who.create(body).getString("id");
  }

  private static String image(Api who, JsonObject body) {
    return who.create(body).getString("id");
  }

  private static void member(String imageId, String project, String status) {
    TestServer.execute("INSERT INTO image_members (image_id, member, status, can_share, created_at, updated_at, "
        + "deleted) VALUES ($1, $2, $3, false, now(), now(), false)", imageId, project, status);
  }

  private static void deletedMember(String imageId, String project, String status) {
    TestServer.execute("INSERT INTO image_members (image_id, member, status, can_share, created_at, updated_at, "
        + "deleted_at, deleted) VALUES ($1, $2, $3, false, now(), now(), now(), true)", imageId, project, status);
  }

  private static void setStatus(String id, String status) {
    assertEquals(1, TestServer.execute("UPDATE images SET status = $2 WHERE id = $1", id, status));
  }

  private static void setSize(String id, Long size) {
    assertEquals(1, TestServer.execute("UPDATE images SET size = $2 WHERE id = $1", id, size));
  }

  private static void setTimes(String id, String createdAt, String updatedAt) {
    assertEquals(1, TestServer.execute("UPDATE images SET created_at = $2, updated_at = $3 WHERE id = $1", id,
        OffsetDateTime.parse(createdAt), OffsetDateTime.parse(updatedAt)));
  }

  /** A query string with every value URL-encoded: {@code q("name", "in:\"a,b\",c")}. */
  private static String q(String... keyValues) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      sb.append(sb.length() == 0 ? "?" : "&")
          .append(URLEncoder.encode(keyValues[i], StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(keyValues[i + 1], StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** The ids listed for {@code query} (starting with "?" or empty), asserting the 200. */
  private static List<String> list(Api who, String query) {
    Response r = who.get("/v2/images" + query);
    assertEquals(200, r.status(), () -> "GET /v2/images" + query + " -> " + r);
    return r.ids();
  }

  private static void assertBadRequest(Api who, String query, String message) {
    Response r = who.get("/v2/images" + query);
    assertEquals(400, r.status(), () -> "GET /v2/images" + query + " -> " + r);
    assertEquals(message, r.message(), () -> "GET /v2/images" + query);
  }

  /** Newest first: the default order (created_at desc) of images created in the given order. */
  private static List<String> newestFirst(String... createdInOrder) {
    List<String> ids = new ArrayList<>(List.of(createdInOrder));
    Collections.reverse(ids);
    return ids;
  }

  /**
   * Follows {@code next} links from {@code /v2/images?<query>} (which must carry {@code limit=<limit>}) until there
   * is none; checks that every full page, and only a full page, has a {@code next} ending in its last id, that
   * {@code first} never carries a marker, and returns every id seen, in order.
   */
  private static List<String> walk(Api who, String query, int limit) {
    List<String> all = new ArrayList<>();
    String path = "/v2/images?" + query;
    for (int page = 0; page < 200; page++) {
      Response r = who.get(path);
      String current = path;
      assertEquals(200, r.status(), () -> current + " -> " + r);
      JsonObject body = r.json();
      List<String> ids = r.ids();
      assertTrue(ids.size() <= limit, () -> current + " returned " + ids.size() + " images");
      assertFalse(body.getString("first").contains("marker="), body::encode);
      all.addAll(ids);
      String next = body.getString("next");
      if (ids.size() < limit) {
        assertNull(next, () -> current + ": a short page must not have a next link");
        return all;
      }
      assertNotNull(next, () -> current + ": a full page must have a next link");
      assertTrue(next.startsWith("/v2/images?"), next);
      assertTrue(next.endsWith("&marker=" + ids.get(ids.size() - 1)), next);
      path = next;
    }
    return fail("more than 200 pages: " + all.size() + " ids so far");
  }

  /** A model of an image for computing expected orders. */
  private record Img(String id, int seq, String name, Long size, String status, String diskFormat) {}

  /** One sort key: NULL compares as the column type's default ('' or 0), as Glance's paging does. */
  private static Comparator<Img> by(String key, boolean asc) {
    Comparator<Img> c = switch (key) {
      case "name" -> Comparator.comparing((Img i) -> i.name() == null ? "" : i.name());
      case "size" -> Comparator.comparing((Img i) -> i.size() == null ? 0L : i.size());
      case "status" -> Comparator.comparing(Img::status);
      case "disk_format" -> Comparator.comparing((Img i) -> i.diskFormat() == null ? "" : i.diskFormat());
      case "created_at" -> Comparator.comparingInt(Img::seq);
      case "id" -> Comparator.comparing(Img::id);
      default -> throw new IllegalArgumentException(key);
    };
    return asc ? c : c.reversed();
  }

  private static List<String> sorted(List<Img> images, Comparator<Img> order) {
    return images.stream().sorted(order).map(Img::id).toList();
  }

  // ------------------------------------------------------------------------------------------------------------
  // 1. visibility rules

  /** The images of the visibility tests, created in this order (so default order is the reverse). */
  private record World(String pub, String adminPriv, String adminComm, String aPriv, String aShared, String aComm,
      String bPriv, String bShared, String bSharedAccepted, String bSharedPending, String bSharedRejected,
      String bComm, String bPrivWithMember, String bSharedDeletedMember, String noOwnerShared) {}

  private World world() {
    String pub = image(admin, "pub", "public");
    String adminPriv = image(admin, "admin-priv", "private");
    String adminComm = image(admin, "admin-comm", "community");
    String aPriv = image(alice, "a-priv", "private");
    String aShared = image(alice, "a-shared", null);
    String aComm = image(alice, "a-comm", "community");
    String bPriv = image(bob, "b-priv", "private");
    String bShared = image(bob, "b-shared", "shared");
    String bSharedAccepted = image(bob, "b-shared-accepted", "shared");
    String bSharedPending = image(bob, "b-shared-pending", "shared");
    String bSharedRejected = image(bob, "b-shared-rejected", "shared");
    String bComm = image(bob, "b-comm", "community");
    String bPrivWithMember = image(bob, "b-priv-member", "private");
    String bSharedDeletedMember = image(bob, "b-shared-deleted-member", "shared");
    String noOwnerShared = image(admin, new JsonObject().put("name", "no-owner").put("owner", (String) null));
    member(bSharedAccepted, "project-a", "accepted");
    member(bSharedPending, "project-a", "pending");
    member(bSharedRejected, "project-a", "rejected");
    member(bPrivWithMember, "project-a", "accepted");
    deletedMember(bSharedDeletedMember, "project-a", "accepted");
    member(noOwnerShared, "project-b", "accepted");
    return new World(pub, adminPriv, adminComm, aPriv, aShared, aComm, bPriv, bShared, bSharedAccepted,
        bSharedPending, bSharedRejected, bComm, bPrivWithMember, bSharedDeletedMember, noOwnerShared);
  }

  @Test
  @DisplayName("a member sees public, its own (incl. own community) and accepted shared images, newest first")
  void defaultListOfRegularUser() {
    World w = world();
    List<String> expected = newestFirst(w.pub, w.aPriv, w.aShared, w.aComm, w.bSharedAccepted);
    assertEquals(expected, list(alice, ""));
    assertEquals(expected, list(reader, ""), "the reader role of project-a sees the same");
    // explicit default member_status
    assertEquals(expected, list(alice, "?member_status=accepted"));
    // member_status changes which shared images of others appear, not the caller's own ones
    assertEquals(newestFirst(w.pub, w.aPriv, w.aShared, w.aComm, w.bSharedPending),
        list(alice, "?member_status=pending"));
    assertEquals(newestFirst(w.pub, w.aPriv, w.aShared, w.aComm, w.bSharedAccepted, w.bSharedPending,
        w.bSharedRejected), list(alice, "?member_status=all"));
  }

  @Test
  @DisplayName("a project id with quotes and backslashes lists exactly its images (it is written into the SQL)")
  void projectIdWithQuotesAndBackslashes() {
    String odd = "o'brien\\' OR true --\\\\";
    Api oddOne = Api.as(server, odd, "member");
    String own = image(oddOne, "own", "private");
    String shared = image(alice, "shared with it", "shared");
    member(shared, odd, "accepted");
    String pending = image(alice, "pending for it", "shared");
    member(pending, odd, "pending");
    image(alice, "private of a", "private");
    image(bob, "community of b", "community");
    assertEquals(newestFirst(own, shared), list(oddOne, ""));
    assertEquals(List.of(pending), list(oddOne, "?member_status=pending&visibility=shared"));
    assertEquals(List.of(own), list(oddOne, "?visibility=private"));
    assertEquals(List.of(shared), list(oddOne, "?limit=1"));
  }

  @Test
  @DisplayName("the owner sees all its images whatever their members; others' community stays out of the default")
  void defaultListOfOwner() {
    World w = world();
    assertEquals(newestFirst(w.pub, w.bPriv, w.bShared, w.bSharedAccepted, w.bSharedPending, w.bSharedRejected,
        w.bComm, w.bPrivWithMember, w.bSharedDeletedMember, w.noOwnerShared), list(bob, ""));
  }

  @Test
  @DisplayName("visibility=community lists every community image, also other projects' ones")
  void visibilityCommunity() {
    World w = world();
    assertEquals(newestFirst(w.adminComm, w.aComm, w.bComm), list(alice, "?visibility=community"));
    assertEquals(newestFirst(w.adminComm, w.aComm, w.bComm), list(bob, "?visibility=community"));
  }

  @Test
  @DisplayName("visibility=shared: own shared images plus others' by member_status (accepted by default)")
  void visibilityShared() {
    World w = world();
    assertEquals(newestFirst(w.aShared, w.bSharedAccepted), list(alice, "?visibility=shared"));
    assertEquals(newestFirst(w.aShared, w.bSharedAccepted),
        list(alice, "?visibility=shared&member_status=accepted"));
    assertEquals(newestFirst(w.aShared, w.bSharedPending), list(alice, "?visibility=shared&member_status=pending"));
    assertEquals(newestFirst(w.aShared, w.bSharedRejected),
        list(alice, "?visibility=shared&member_status=rejected"));
    // a deleted member row never counts; a member row on a private image never shares it
    assertEquals(newestFirst(w.aShared, w.bSharedAccepted, w.bSharedPending, w.bSharedRejected),
        list(alice, "?visibility=shared&member_status=all"));
  }

  @Test
  @DisplayName("visibility=all, public and private for a member")
  void visibilityAllPublicPrivate() {
    World w = world();
    assertEquals(newestFirst(w.pub, w.adminComm, w.aPriv, w.aShared, w.aComm, w.bSharedAccepted, w.bComm),
        list(alice, "?visibility=all"));
    assertEquals(newestFirst(w.pub, w.adminComm, w.aPriv, w.aShared, w.aComm, w.bSharedAccepted, w.bSharedPending,
        w.bSharedRejected, w.bComm), list(alice, "?visibility=all&member_status=all"));
    assertEquals(List.of(w.pub), list(alice, "?visibility=public"));
    assertEquals(List.of(w.aPriv), list(alice, "?visibility=private"));
    assertEquals(newestFirst(w.bPriv, w.bPrivWithMember), list(bob, "?visibility=private"));
  }

  @Test
  @DisplayName("invalid visibility or member_status -> 400 with Glance's message")
  void invalidVisibilityAndMemberStatus() {
    assertBadRequest(alice, "?visibility=x", "Invalid visibility value: x");
    assertBadRequest(alice, "?visibility=Public", "Invalid visibility value: Public");
    assertBadRequest(alice, "?member_status=bogus", "Invalid status: bogus");
    assertBadRequest(alice, "?visibility=shared&member_status=ACCEPTED", "Invalid status: ACCEPTED");
  }

  // ------------------------------------------------------------------------------------------------------------
  // 2. admin, killed and deleted images

  @Test
  @DisplayName("an admin sees every project's images except other projects' community ones")
  void adminDefaultList() {
    World w = world();
    assertEquals(newestFirst(w.pub, w.adminPriv, w.adminComm, w.aPriv, w.aShared, w.bPriv, w.bShared,
        w.bSharedAccepted, w.bSharedPending, w.bSharedRejected, w.bPrivWithMember, w.bSharedDeletedMember,
        w.noOwnerShared), list(admin, ""));
    assertEquals(newestFirst(w.adminComm, w.aComm, w.bComm), list(admin, "?visibility=community"));
    assertEquals(newestFirst(w.adminPriv, w.aPriv, w.bPriv, w.bPrivWithMember), list(admin, "?visibility=private"));
    assertEquals(newestFirst(w.aShared, w.bShared, w.bSharedAccepted, w.bSharedPending, w.bSharedRejected,
        w.bSharedDeletedMember, w.noOwnerShared), list(admin, "?visibility=shared"));
    assertEquals(newestFirst(w.pub, w.adminPriv, w.adminComm, w.aPriv, w.aShared, w.aComm, w.bPriv, w.bShared,
        w.bSharedAccepted, w.bSharedPending, w.bSharedRejected, w.bComm, w.bPrivWithMember, w.bSharedDeletedMember,
        w.noOwnerShared), list(admin, "?visibility=all"));
  }

  @Test
  @DisplayName("killed images are never listed, other statuses are")
  void killedNeverListed() {
    String killed = image(alice, "killed", "private");
    String pendingDelete = image(alice, "pending-delete", "private");
    String deactivated = image(alice, "deactivated", "private");
    String active = image(alice, "active", "private");
    String pubKilled = image(admin, "pub-killed", "public");
    setStatus(killed, "killed");
    setStatus(pendingDelete, "pending_delete");
    setStatus(deactivated, "deactivated");
    setStatus(active, "active");
    setStatus(pubKilled, "killed");
    assertEquals(newestFirst(pendingDelete, deactivated, active), list(alice, ""));
    assertEquals(List.of(), list(alice, "?status=killed"));
    assertEquals(List.of(), list(admin, "?status=killed&visibility=all"));
    assertEquals(newestFirst(pendingDelete, deactivated, active), list(admin, "?visibility=all"));
    assertEquals(List.of(pendingDelete), list(alice, "?status=pending_delete"));
    // ...though a killed image can still be shown by id
    assertEquals(200, alice.get("/v2/images/" + killed).status());
  }

  @Test
  @DisplayName("deleted images are never listed, not even to an admin or with status=deleted")
  void deletedNeverListed() {
    String kept = image(alice, "kept", "private");
    String gone = image(alice, "gone", "private");
    String pubGone = image(admin, "pub-gone", "public");
    assertEquals(204, alice.delete("/v2/images/" + gone).status());
    assertEquals(204, admin.delete("/v2/images/" + pubGone).status());
    assertEquals(List.of(kept), list(alice, ""));
    assertEquals(List.of(kept), list(admin, "?visibility=all"));
    assertEquals(List.of(), list(admin, "?status=deleted"));
    assertEquals(List.of(), list(alice, q("id", "in:" + gone + "," + pubGone)));
  }

  // ------------------------------------------------------------------------------------------------------------
  // 3. filters

  @Test
  @DisplayName("name: exact, in: (with a quoted value containing a comma), eq:, unknown operator -> 400")
  void nameFilter() {
    String a = image(alice, "a", "private");
    String b = image(alice, "b", "private");
    String c = image(alice, "c", "private");
    String ab = image(alice, "a,b", "private");
    String colon = image(alice, "ubuntu:22.04", "private");
    String other = image(bob, "a", "private");
    assertEquals(List.of(a), list(alice, "?name=a"));
    assertEquals(List.of(other), list(bob, "?name=a"));
    assertEquals(List.of(), list(alice, "?name=A"));
    assertEquals(newestFirst(a, c), list(alice, "?name=in:a,c"));
    assertEquals(newestFirst(c, ab), list(alice, q("name", "in:\"a,b\",c")));
    assertEquals(newestFirst(a, b, c), list(alice, q("name", "in:a,b,c,zzz")));
    assertEquals(List.of(ab), list(alice, q("name", "eq:a,b")));
    assertEquals(List.of(colon), list(alice, q("name", "eq:ubuntu:22.04")));
    assertBadRequest(alice, "?name=like:a", "Unable to filter by unknown operator 'like'.");
    assertBadRequest(alice, q("name", "ubuntu:22.04"), "Unable to filter by unknown operator 'ubuntu'.");
    assertBadRequest(alice, q("name", "in:\"a,b\"c"),
        "Invalid filter value \"a,b\"c. There is no comma after closing quotation mark.");
    assertBadRequest(alice, q("name", "in:\"a,b"), "Invalid filter value \"a,b. The quote is not closed.");
  }

  @Test
  @DisplayName("id, status, container_format and disk_format: exact, in: and eq:")
  void columnFilters() {
    String one = image(alice, new JsonObject().put("name", "one").put("disk_format", "qcow2")
        .put("container_format", "bare"));
    String two = image(alice, new JsonObject().put("name", "two").put("disk_format", "raw")
        .put("container_format", "bare"));
    String three = image(alice, new JsonObject().put("name", "three").put("disk_format", "iso")
        .put("container_format", "ovf"));
    String four = image(alice, new JsonObject().put("name", "four"));
    setStatus(one, "active");
    setStatus(three, "active");
    assertEquals(List.of(two), list(alice, "?id=" + two));
    assertEquals(List.of(two), list(alice, "?id=eq:" + two));
    assertEquals(newestFirst(one, three), list(alice, "?id=in:" + three + "," + one));
    assertEquals(List.of(), list(alice, "?id=" + UUID.randomUUID()));
    assertBadRequest(alice, "?id=gt:" + one, "Unable to filter by unknown operator 'gt'.");

    assertEquals(newestFirst(one, three), list(alice, "?status=active"));
    assertEquals(newestFirst(two, four), list(alice, "?status=queued"));
    assertEquals(newestFirst(one, two, three, four), list(alice, "?status=in:queued,active"));
    assertEquals(newestFirst(one, three), list(alice, "?status=eq:active"));
    assertBadRequest(alice, "?status=neq:active", "Unable to filter by unknown operator 'neq'.");

    assertEquals(newestFirst(one, two), list(alice, "?container_format=bare"));
    assertEquals(newestFirst(one, two, three), list(alice, "?container_format=in:ovf,bare"));
    assertEquals(List.of(three), list(alice, "?container_format=eq:ovf"));
    assertBadRequest(alice, "?container_format=lt:ovf", "Unable to filter by unknown operator 'lt'.");

    assertEquals(List.of(one), list(alice, "?disk_format=qcow2"));
    assertEquals(newestFirst(one, two), list(alice, "?disk_format=in:raw,qcow2"));
    assertEquals(List.of(three), list(alice, "?disk_format=eq:iso"));
    assertBadRequest(alice, "?disk_format=gte:iso", "Unable to filter by unknown operator 'gte'.");

    // filters combine with AND
    assertEquals(List.of(one), list(alice, "?container_format=bare&status=active"));
  }

  @Test
  @DisplayName("owner, protected (true/false only), checksum and os_hash_value filters")
  void ownerProtectedChecksum() {
    String pub = image(admin, "pub", "public");
    String aPlain = image(alice, "a-plain", "private");
    String aProt = image(alice, new JsonObject().put("name", "a-prot").put("visibility", "private")
        .put("protected", true));
    String bComm = image(bob, new JsonObject().put("name", "b-comm").put("visibility", "community")
        .put("protected", true));
    image(bob, "b-priv", "private");
    assertEquals(newestFirst(aPlain, aProt), list(alice, "?owner=project-a"));
    assertEquals(List.of(), list(alice, "?owner=project-b"), "bob's community image is not in the default list");
    assertEquals(List.of(bComm), list(alice, "?owner=project-b&visibility=community"));
    assertEquals(List.of(pub), list(alice, "?owner=project-admin"));

    assertEquals(List.of(aProt), list(alice, "?protected=true"));
    assertEquals(newestFirst(pub, aPlain), list(alice, "?protected=false"));
    assertEquals(newestFirst(aProt, bComm), list(alice, "?protected=true&visibility=all"));
    assertBadRequest(alice, "?protected=True",
        "Invalid value 'True' for 'protected' filter. Valid values are 'true' or 'false'.");
    assertBadRequest(alice, "?protected=1",
        "Invalid value '1' for 'protected' filter. Valid values are 'true' or 'false'.");

    TestServer.execute("UPDATE images SET checksum = $2, os_hash_algo = 'sha512', os_hash_value = $3 WHERE id = $1",
        aPlain, "0123456789abcdef0123456789abcdef", "ab".repeat(64));
    TestServer.execute("UPDATE images SET checksum = $2 WHERE id = $1", pub, "fedcba9876543210fedcba9876543210");
    assertEquals(List.of(aPlain), list(alice, "?checksum=0123456789abcdef0123456789abcdef"));
    assertEquals(List.of(pub), list(alice, "?checksum=fedcba9876543210fedcba9876543210"));
    assertEquals(List.of(), list(alice, "?checksum=00000000000000000000000000000000"));
    assertEquals(List.of(aPlain), list(alice, "?os_hash_value=" + "ab".repeat(64)));
  }

  @Test
  @DisplayName("os_hidden: hidden images left out by default, os_hidden=true lists only them, else 400")
  void osHiddenFilter() {
    String shown = image(alice, "shown", "private");
    String hidden = image(alice, new JsonObject().put("name", "hidden").put("os_hidden", true));
    String hiddenPub = image(admin, new JsonObject().put("name", "hidden-pub").put("visibility", "public")
        .put("os_hidden", true));
    assertEquals(List.of(shown), list(alice, ""));
    assertEquals(List.of(shown), list(alice, "?os_hidden=false"));
    assertEquals(newestFirst(hidden, hiddenPub), list(alice, "?os_hidden=true"));
    // Glance lower-cases this one (unlike protected)
    assertEquals(newestFirst(hidden, hiddenPub), list(alice, "?os_hidden=TRUE"));
    assertEquals(List.of(shown), list(alice, "?os_hidden=False"));
    assertBadRequest(alice, "?os_hidden=yes",
        "Invalid value 'yes' for 'os_hidden' filter. Valid values are 'true' or 'false'.");
    assertBadRequest(alice, "?os_hidden=Maybe",
        "Invalid value 'maybe' for 'os_hidden' filter. Valid values are 'true' or 'false'.");
  }

  @Test
  @DisplayName("size_min/size_max bound the size (NULL sizes never match); non-numeric -> 400")
  void sizeRange() {
    String none = image(alice, "none", "private");
    String zero = image(alice, "zero", "private");
    String small = image(alice, "small", "private");
    String medium = image(alice, "medium", "private");
    String big = image(alice, "big", "private");
    setSize(zero, 0L);
    setSize(small, 10L);
    setSize(medium, 1000L);
    setSize(big, 5_000_000_000L);
    assertEquals(newestFirst(none, zero, small, medium, big), list(alice, ""));
    assertEquals(newestFirst(small, medium, big), list(alice, "?size_min=10"));
    assertEquals(newestFirst(zero, small), list(alice, "?size_max=999"));
    assertEquals(newestFirst(small, medium), list(alice, "?size_min=10&size_max=1000"));
    assertEquals(List.of(big), list(alice, "?size_min=4294967296"));
    assertEquals(newestFirst(zero, small, medium, big), list(alice, "?size_min=0"));
    assertEquals(List.of(medium), list(alice, "?size=1000"));
    assertBadRequest(alice, "?size_min=abc", "Unable to filter on a range with a non-numeric value.");
    assertBadRequest(alice, "?size_max=1.5", "Unable to filter on a range with a non-numeric value.");
    assertBadRequest(alice, "?size_max=", "Unable to filter on a range with a non-numeric value.");
  }

  @Test
  @DisplayName("created_at/updated_at with gt, gte, lt, lte, eq, neq and a bare timestamp; bad date -> 400")
  void timeFilters() {
    String y2020 = image(alice, "2020", "private");
    String y2021 = image(alice, "2021", "private");
    String y2022 = image(alice, "2022", "private");
    setTimes(y2020, "2020-01-01T00:00:00Z", "2020-06-01T00:00:00Z");
    setTimes(y2021, "2021-01-01T00:00:00Z", "2021-06-01T00:00:00Z");
    setTimes(y2022, "2022-01-01T00:00:00Z", "2022-06-01T00:00:00Z");
    String t = "2021-01-01T00:00:00Z";
    assertEquals(List.of(y2022), list(alice, q("created_at", "gt:" + t)));
    assertEquals(List.of(y2022, y2021), list(alice, q("created_at", "gte:" + t)));
    assertEquals(List.of(y2020), list(alice, q("created_at", "lt:" + t)));
    assertEquals(List.of(y2021, y2020), list(alice, q("created_at", "lte:" + t)));
    assertEquals(List.of(y2021), list(alice, q("created_at", "eq:" + t)));
    assertEquals(List.of(y2021), list(alice, q("created_at", t)));
    assertEquals(List.of(y2022, y2020), list(alice, q("created_at", "neq:" + t)));
    // offsets are honoured: 01:00+01:00 is midnight UTC
    assertEquals(List.of(y2022), list(alice, q("created_at", "gt:2021-01-01T01:00:00+01:00")));
    assertEquals(List.of(y2022, y2021), list(alice, q("created_at", "gte:2021-01-01T01:00:00+01:00")));
    assertEquals(List.of(y2021), list(alice, q("created_at", "2021-01-01T01:00:00+01:00")));
    // a bare date is midnight UTC
    assertEquals(List.of(y2020), list(alice, q("created_at", "lt:2021-01-01")));
    // no offset means UTC
    assertEquals(List.of(y2021), list(alice, q("created_at", "eq:2021-01-01T00:00:00")));

    assertEquals(List.of(y2022, y2021), list(alice, q("updated_at", "gte:2021-06-01T00:00:00Z")));
    assertEquals(List.of(y2020), list(alice, q("updated_at", "lt:2021-06-01T00:00:00Z")));
    assertEquals(List.of(y2021), list(alice, q("updated_at", "2021-06-01T00:00:00Z")));
    assertEquals(List.of(y2022, y2020), list(alice, q("updated_at", "neq:2021-06-01T00:00:00Z")));
    assertEquals(List.of(y2021),
        list(alice, q("created_at", "gte:2021-01-01T00:00:00Z", "updated_at", "lt:2022-01-01T00:00:00Z")));

    assertBadRequest(alice, q("created_at", "gt:yesterday"),
        "Bad \"created_at\" query filter format. Use ISO 8601 DateTime notation.");
    assertBadRequest(alice, q("updated_at", "notadate"),
        "Bad \"updated_at\" query filter format. Use ISO 8601 DateTime notation.");
    assertBadRequest(alice, q("updated_at", "lte:"),
        "Bad \"updated_at\" query filter format. Use ISO 8601 DateTime notation.");
  }

  @Test
  @DisplayName("repeated tag parameters must all be present (AND)")
  void tagFilter() {
    String ab = image(alice, new JsonObject().put("name", "ab").put("tags", new JsonArray().add("a").add("b")));
    String a = image(alice, new JsonObject().put("name", "a").put("tags", new JsonArray().add("a")));
    String bc = image(alice, new JsonObject().put("name", "bc").put("tags", new JsonArray().add("b").add("c")));
    image(alice, "none", "private");
    assertEquals(newestFirst(ab, a), list(alice, "?tag=a"));
    assertEquals(newestFirst(ab, bc), list(alice, "?tag=b"));
    assertEquals(List.of(ab), list(alice, "?tag=a&tag=b"));
    assertEquals(List.of(ab), list(alice, "?tag=b&tag=a"));
    assertEquals(List.of(bc), list(alice, "?tag=c&tag=b"));
    assertEquals(List.of(), list(alice, "?tag=a&tag=c"));
    assertEquals(List.of(), list(alice, "?tag=a&tag=b&tag=c"));
    assertEquals(List.of(), list(alice, "?tag=zzz"));
    // values are stripped, as Glance does
    assertEquals(List.of(bc), list(alice, q("tag", " c ")));
  }

  @Test
  @DisplayName("any other parameter is a custom-property equality filter; changes-since -> 400")
  void customPropertyFilter() {
    String ubuntu = image(alice, new JsonObject().put("name", "u").put("os_distro", "ubuntu")
        .put("os_version", "22.04"));
    String ubuntuOld = image(alice, new JsonObject().put("name", "u-old").put("os_distro", "ubuntu")
        .put("os_version", "20.04"));
    String centos = image(alice, new JsonObject().put("name", "c").put("os_distro", "centos")
        .put("hypervisor_type", "kvm"));
    image(alice, "plain", "private");
    assertEquals(newestFirst(ubuntu, ubuntuOld), list(alice, "?os_distro=ubuntu"));
    assertEquals(List.of(ubuntuOld), list(alice, "?os_distro=ubuntu&os_version=20.04"));
    assertEquals(List.of(centos), list(alice, "?hypervisor_type=kvm"));
    assertEquals(List.of(), list(alice, "?os_distro=Ubuntu"));
    assertEquals(List.of(), list(alice, "?os_distro=centos&os_version=20.04"));
    assertEquals(List.of(), list(alice, "?no_such_property=x"));

    assertBadRequest(alice, "?changes-since=2020-01-01T00:00:00Z",
        "The \"changes-since\" filter is no longer available on v2.");
  }

  // ------------------------------------------------------------------------------------------------------------
  // 4. sorting

  /** Five images: names e, a, null, c, a; sizes 30, null, 10, 0, 20; disk formats raw, qcow2, null, raw, iso. */
  private List<Img> sortFixture() {
    String[] names = {"echo", "alpha", null, "charlie", "alpha"};
    Long[] sizes = {30L, null, 10L, 0L, 20L};
    String[] disks = {"raw", "qcow2", null, "raw", "iso"};
    List<Img> images = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      JsonObject body = new JsonObject().put("name", names[i]).put("visibility", "private");
      if (disks[i] != null) {
        body.put("disk_format", disks[i]);
      }
      String id = image(alice, body);
      if (sizes[i] != null) {
        setSize(id, sizes[i]);
      }
      images.add(new Img(id, i, names[i], sizes[i], "queued", disks[i]));
    }
    return images;
  }

  @Test
  @DisplayName("default order is created_at desc (id desc breaking ties)")
  void defaultSort() {
    List<Img> images = sortFixture();
    List<String> expected = sorted(images, by("created_at", false));
    assertEquals(expected, list(alice, ""));
    assertEquals(expected, list(alice, "?sort_key=created_at"));
    assertEquals(expected, list(alice, "?sort_dir=desc"));
    assertEquals(expected, list(alice, "?sort=created_at"));
    List<String> oldestFirst = new ArrayList<>(expected);
    Collections.reverse(oldestFirst);
    assertEquals(oldestFirst, list(alice, "?sort_dir=asc"));
    assertEquals(oldestFirst, list(alice, "?sort=created_at:asc"));
  }

  @Test
  @DisplayName("classic sort_key/sort_dir: one key, several keys, one dir for all, one dir per key")
  void classicSort() {
    List<Img> images = sortFixture();
    // default dir desc, tie-breakers created_at and id desc too; NULL names sort as ''
    assertEquals(sorted(images, by("name", false).thenComparing(by("created_at", false))),
        list(alice, "?sort_key=name"));
    // a single sort_dir also orders the appended tie-breakers
    assertEquals(sorted(images, by("name", true).thenComparing(by("created_at", true))),
        list(alice, "?sort_key=name&sort_dir=asc"));
    assertEquals(sorted(images, by("size", true).thenComparing(by("created_at", true))),
        list(alice, "?sort_key=size&sort_dir=asc"));
    // one dir for all keys
    assertEquals(sorted(images, by("disk_format", true).thenComparing(by("name", true))
            .thenComparing(by("created_at", true))),
        list(alice, "?sort_key=disk_format&sort_key=name&sort_dir=asc"));
    assertEquals(sorted(images, by("disk_format", false).thenComparing(by("name", false))
            .thenComparing(by("created_at", false))),
        list(alice, "?sort_key=disk_format&sort_key=name"));
    // one dir per key; the tie-breakers stay desc
    assertEquals(sorted(images, by("disk_format", true).thenComparing(by("name", false))
            .thenComparing(by("created_at", false))),
        list(alice, "?sort_key=disk_format&sort_dir=asc&sort_key=name&sort_dir=desc"));
    assertEquals(sorted(images, by("name", true).thenComparing(by("size", false))
            .thenComparing(by("created_at", false))),
        list(alice, "?sort_key=name&sort_key=size&sort_dir=asc&sort_dir=desc"));
    // values are stripped
    assertEquals(sorted(images, by("name", true).thenComparing(by("created_at", true))),
        list(alice, q("sort_key", " name ", "sort_dir", " asc ")));
    // sort by id
    assertEquals(sorted(images, by("id", true)), list(alice, "?sort_key=id&sort_dir=asc"));
    assertEquals(sorted(images, by("id", false)), list(alice, "?sort_key=id"));
  }

  @Test
  @DisplayName("classic sort errors: mismatched counts, invalid key (listing the keys), invalid dir -> 400")
  void classicSortErrors() {
    assertBadRequest(alice, "?sort_key=name&sort_dir=asc&sort_dir=desc",
        "Number of sort dirs does not match the number of sort keys");
    assertBadRequest(alice, "?sort_key=name&sort_key=size&sort_key=id&sort_dir=asc&sort_dir=desc",
        "Number of sort dirs does not match the number of sort keys");
    assertBadRequest(alice, "?sort_dir=asc&sort_dir=desc",
        "Number of sort dirs does not match the number of sort keys");
    assertBadRequest(alice, "?sort_key=owner",
        "Invalid sort key: owner. It must be one of the following: " + SORT_KEYS + ".");
    assertBadRequest(alice, "?sort_key=name&sort_key=min_ram",
        "Invalid sort key: min_ram. It must be one of the following: " + SORT_KEYS + ".");
    assertBadRequest(alice, "?sort_key=name&sort_dir=up", "Invalid sort direction: up");
    assertBadRequest(alice, "?sort_key=name&sort_dir=ASC", "Invalid sort direction: ASC");
    assertBadRequest(alice, "?sort_key=name&sort_key=size&sort_dir=asc&sort_dir=down",
        "Invalid sort direction: down");
  }

  @Test
  @DisplayName("new sort syntax: key[:dir] list, default dir desc; errors; mixing with sort_key/sort_dir -> 400")
  void newSortSyntax() {
    List<Img> images = sortFixture();
    // several keys: the tie-breakers take the default direction (desc)
    assertEquals(sorted(images, by("name", true).thenComparing(by("size", false))
            .thenComparing(by("created_at", false))),
        list(alice, "?sort=name:asc,size:desc"));
    assertEquals(sorted(images, by("name", false).thenComparing(by("created_at", false))),
        list(alice, "?sort=name"));
    assertEquals(sorted(images, by("disk_format", true).thenComparing(by("size", false))
            .thenComparing(by("created_at", false))),
        list(alice, "?sort=disk_format:asc,size"));
    // a single key with asc makes the tie-breakers asc too
    assertEquals(sorted(images, by("name", true).thenComparing(by("created_at", true))),
        list(alice, "?sort=name:asc"));
    assertEquals(sorted(images, by("size", true).thenComparing(by("created_at", true))),
        list(alice, q("sort", " size : asc ")));

    assertBadRequest(alice, "?sort=name:asc&sort_key=size", "Old and new sorting syntax cannot be combined");
    assertBadRequest(alice, "?sort=name&sort_dir=asc", "Old and new sorting syntax cannot be combined");
    assertBadRequest(alice, "?sort=owner:asc",
        "Invalid sort key: owner. It must be one of the following: " + SORT_KEYS + ".");
    assertBadRequest(alice, "?sort=name:asc,",
        "Invalid sort key: . It must be one of the following: " + SORT_KEYS + ".");
    assertBadRequest(alice, "?sort=name:up", "Invalid sort direction: up");
    assertBadRequest(alice, "?sort=name:asc:desc", "Invalid sort direction: asc:desc");
  }

  @Test
  @DisplayName("images with no name sort as '' (first ascending, last descending)")
  void sortByNameWithNulls() {
    String b = image(alice, "bravo", "private");
    String none1 = image(alice, new JsonObject().put("visibility", "private"));
    String a = image(alice, "alpha", "private");
    String none2 = image(alice, new JsonObject().put("name", (String) null).put("visibility", "private"));
    assertEquals(List.of(none1, none2, a, b), list(alice, "?sort_key=name&sort_dir=asc"));
    assertEquals(List.of(b, a, none2, none1), list(alice, "?sort_key=name&sort_dir=desc"));
    assertEquals(List.of(none2, none1, a, b), list(alice, "?sort=name:asc,created_at:desc"));
  }

  // ------------------------------------------------------------------------------------------------------------
  // 5. paging

  @Test
  @DisplayName("limit defaults to 25; limit=1000 and larger return everything; a full page has a next link")
  void defaultLimit() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      created.add(image(alice, "img-" + i, "private"));
    }
    List<String> all = newestFirst(created.toArray(new String[0]));
    Response r = alice.get("/v2/images");
    assertEquals(200, r.status());
    assertEquals(all.subList(0, 25), r.ids());
    assertEquals("/v2/images?marker=" + all.get(24), r.json().getString("next"));
    assertEquals("/v2/images", r.json().getString("first"));
    assertEquals("/v2/schemas/images", r.json().getString("schema"));
    assertEquals(all.subList(25, 30), list(alice, "?marker=" + all.get(24)));

    Response everything = alice.get("/v2/images?limit=1000");
    assertEquals(all, everything.ids());
    assertNull(everything.json().getValue("next"));
    assertEquals(all, list(alice, "?limit=5000"));
    assertEquals(all, list(alice, "?limit=30"));
    Response exact = alice.get("/v2/images?limit=30");
    assertEquals("/v2/images?limit=30&marker=" + all.get(29), exact.json().getString("next"));
    assertEquals(all.subList(0, 7), list(alice, "?limit=7"));
    assertEquals(all.subList(0, 7), list(alice, "?limit=+7"));
  }

  @Test
  @DisplayName("api_limit_max caps both the requested and the default limit")
  void limitCap() {
    for (int i = 0; i < 5; i++) {
      image(alice, "img-" + i, "private");
    }
    try (TestServer capped = TestServer.start(Map.of("api_limit_max", "3", "limit_param_default", "25"))) {
      Api aliceCapped = Api.as(capped, "project-a", "member");
      assertEquals(3, list(aliceCapped, "?limit=10").size());
      assertEquals(3, list(aliceCapped, "").size());
      assertEquals(2, list(aliceCapped, "?limit=2").size());
      Response r = aliceCapped.get("/v2/images?limit=10");
      assertNotNull(r.json().getString("next"), "a page cut by api_limit_max is full");
    }
    try (TestServer small = TestServer.start(Map.of("limit_param_default", "2"))) {
      Api aliceSmall = Api.as(small, "project-a", "member");
      assertEquals(2, list(aliceSmall, "").size());
      assertEquals(4, list(aliceSmall, "?limit=4").size());
    }
  }

  @Test
  @DisplayName("limit=0 is an empty page without next; negative or non-integer limit -> 400")
  void limitValidation() {
    image(alice, "x", "private");
    Response zero = alice.get("/v2/images?limit=0");
    assertEquals(200, zero.status());
    assertEquals(List.of(), zero.ids());
    assertNull(zero.json().getValue("next"));
    assertEquals("/v2/images?limit=0", zero.json().getString("first"));
    assertBadRequest(alice, "?limit=-1", "limit param must be positive");
    assertBadRequest(alice, "?limit=abc", "limit param must be an integer");
    assertBadRequest(alice, "?limit=1.5", "limit param must be an integer");
    assertBadRequest(alice, "?limit=", "limit param must be an integer");
  }

  @Test
  @DisplayName("walking next links returns every image once, in order, for many sort orders")
  void markerWalks() {
    String[] names = {"delta", "alpha", null, "bravo", "alpha", "delta", "charlie", null, "alpha", "echo", "bravo"};
    Long[] sizes = {5L, null, 0L, 5L, 100L, null, 5L, 7L, 0L, 1L << 40, 100L};
    String[] statuses = {"active", "queued", "active", "deactivated", "queued", "active", "pending_delete",
        "queued", "active", "deactivated", "queued"};
    String[] disks = {"raw", null, "qcow2", "raw", "iso", null, "raw", "qcow2", "iso", "raw", null};
    List<Img> images = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      JsonObject body = new JsonObject().put("name", names[i]).put("visibility", "private");
      if (disks[i] != null) {
        body.put("disk_format", disks[i]);
      }
      String id = image(alice, body);
      setSize(id, sizes[i]);
      setStatus(id, statuses[i]);
      images.add(new Img(id, i, names[i], sizes[i], statuses[i], disks[i]));
    }
    // query, page size, expected order (Glance appends created_at and id in the "default" direction)
    record Walk(String query, int limit, Comparator<Img> order) {}
    List<Walk> walks = List.of(
        new Walk("", 4, by("created_at", false)),
        new Walk("sort_dir=asc", 3, by("created_at", true)),
        new Walk("sort_key=name&sort_dir=asc", 3, by("name", true).thenComparing(by("created_at", true))),
        new Walk("sort_key=name", 2, by("name", false).thenComparing(by("created_at", false))),
        new Walk("sort=name:asc", 1, by("name", true).thenComparing(by("created_at", true))),
        new Walk("sort_key=size&sort_dir=asc", 3, by("size", true).thenComparing(by("created_at", true))),
        new Walk("sort_key=size", 4, by("size", false).thenComparing(by("created_at", false))),
        new Walk("sort=size:desc,name:asc", 2,
            by("size", false).thenComparing(by("name", true)).thenComparing(by("created_at", false))),
        new Walk("sort=name:asc,size:asc", 3,
            by("name", true).thenComparing(by("size", true)).thenComparing(by("created_at", false))),
        new Walk("sort_key=status&sort_key=name&sort_dir=desc&sort_dir=asc", 3,
            by("status", false).thenComparing(by("name", true)).thenComparing(by("created_at", false))),
        new Walk("sort_key=disk_format&sort_key=size&sort_dir=asc", 2,
            by("disk_format", true).thenComparing(by("size", true)).thenComparing(by("created_at", true))),
        new Walk("sort_key=id&sort_dir=asc", 4, by("id", true)),
        new Walk("sort_key=created_at&sort_key=id&sort_dir=asc&sort_dir=desc", 5, by("created_at", true)));
    for (Walk w : walks) {
      List<String> expected = sorted(images, w.order());
      String query = "limit=" + w.limit() + (w.query().isEmpty() ? "" : "&" + w.query());
      assertEquals(expected, list(alice, "?limit=1000" + (w.query().isEmpty() ? "" : "&" + w.query())),
          "one page: " + w.query());
      List<String> walked = walk(alice, query, w.limit());
      assertEquals(expected, walked, "walk: " + query);
      assertEquals(images.size(), new HashSet<>(walked).size());
    }
  }

  @Test
  @DisplayName("walking with filters, updated_at order and a marker that is a pending shared image")
  void markerWalksWithFiltersAndSharing() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String id = image(bob, new JsonObject().put("name", "s" + i).put("tags", new JsonArray().add("x").add("y")));
      member(id, "project-a", i % 2 == 0 ? "pending" : "accepted");
      created.add(id);
    }
    image(bob, new JsonObject().put("name", "not-tagged"));
    String own = image(alice, new JsonObject().put("name", "own").put("tags", new JsonArray().add("x").add("y")));
    // everything alice can see as pending-or-accepted member, tagged x and y, oldest first
    List<String> expected = new ArrayList<>(created);
    expected.add(own);
    assertEquals(expected, walk(alice, "limit=2&visibility=shared&member_status=all&tag=x&tag=y&sort_dir=asc", 2));
    // only pending ones (plus alice's own shared image): markers are pending shared images
    List<String> pending = List.of(created.get(0), created.get(2), created.get(4), created.get(6), own);
    assertEquals(pending, walk(alice, "limit=1&visibility=shared&member_status=pending&sort_dir=asc", 1));
    // updated_at order after touching some images
    assertEquals(200, bob.patch("/v2/images/" + created.get(3),
        new JsonArray().add(new JsonObject().put("op", "replace").put("path", "/name").put("value", "t"))).status());
    assertEquals(200, bob.patch("/v2/images/" + created.get(0),
        new JsonArray().add(new JsonObject().put("op", "replace").put("path", "/name").put("value", "t"))).status());
    List<String> byUpdated = new ArrayList<>(created);
    byUpdated.remove(created.get(3));
    byUpdated.remove(created.get(0));
    byUpdated.add(own);
    byUpdated.add(created.get(3));
    byUpdated.add(created.get(0));
    assertEquals(byUpdated, walk(alice, "limit=3&member_status=all&sort_key=updated_at&sort_dir=asc&tag=x", 3));
  }

  @Test
  @DisplayName("when the last page is exactly full, next leads to an empty page without next")
  void exactMultipleEndsWithEmptyPage() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      created.add(image(alice, "img-" + i, "private"));
    }
    List<String> all = newestFirst(created.toArray(new String[0]));
    Response p1 = alice.get("/v2/images?limit=3");
    assertEquals(all.subList(0, 3), p1.ids());
    Response p2 = alice.get(p1.json().getString("next"));
    assertEquals(all.subList(3, 6), p2.ids());
    String next2 = p2.json().getString("next");
    assertEquals("/v2/images?limit=3&marker=" + all.get(5), next2);
    Response p3 = alice.get(next2);
    assertEquals(200, p3.status());
    assertEquals(List.of(), p3.ids());
    assertNull(p3.json().getValue("next"));
    assertEquals("/v2/images?limit=3", p3.json().getString("first"));
  }

  @Test
  @DisplayName("next repeats every other parameter (sort_key, repeated tag, filters) with marker=<last id>")
  void nextAndFirstLinks() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(image(alice, new JsonObject().put("name", "n" + i).put("visibility", "private")
          .put("tags", new JsonArray().add("x").add("y")).put("os_distro", "ubuntu")));
    }
    Response r = alice.get("/v2/images?limit=2&sort_key=name&sort_dir=asc&tag=x&tag=y&os_distro=ubuntu");
    assertEquals(List.of(created.get(0), created.get(1)), r.ids());
    JsonObject body = r.json();
    assertEquals("/v2/images?limit=2&sort_key=name&sort_dir=asc&tag=x&tag=y&os_distro=ubuntu",
        body.getString("first"));
    assertEquals("/v2/images?limit=2&sort_key=name&sort_dir=asc&tag=x&tag=y&os_distro=ubuntu&marker="
        + created.get(1), body.getString("next"));

    // a request with a marker: first drops it, next replaces it
    Response second = alice.get("/v2/images?marker=" + created.get(1)
        + "&limit=2&sort_key=name&sort_dir=asc&tag=x&tag=y");
    assertEquals(List.of(created.get(2), created.get(3)), second.ids());
    assertEquals("/v2/images?limit=2&sort_key=name&sort_dir=asc&tag=x&tag=y", second.json().getString("first"));
    assertEquals("/v2/images?limit=2&sort_key=name&sort_dir=asc&tag=x&tag=y&marker=" + created.get(3),
        second.json().getString("next"));

    // values are URL-encoded in the links and survive the round trip
    String query = q("limit", "1", "name", "in:\"n0,x\",n2,n1", "sort", "name:asc");
    Response quoted = alice.get("/v2/images" + query);
    assertEquals(List.of(created.get(1)), quoted.ids());
    assertEquals("/v2/images" + query, quoted.json().getString("first"));
    String next = quoted.json().getString("next");
    assertEquals("/v2/images" + query + "&marker=" + created.get(1), next);
    Response last = alice.get(next);
    assertEquals(List.of(created.get(2)), last.ids());
    assertEquals(List.of(), alice.get(last.json().getString("next")).ids());

    // no parameters: first is the bare collection, and no next on a short page
    Response plain = alice.get("/v2/images");
    assertEquals("/v2/images", plain.json().getString("first"));
    assertFalse(plain.json().containsKey("next"));
    assertEquals(Set.of("images", "first", "schema"), plain.json().fieldNames());
  }

  @Test
  @DisplayName("an unknown marker -> 400")
  void unknownMarker() {
    image(alice, "x", "private");
    Response r = alice.get("/v2/images?marker=" + UUID.randomUUID());
    assertEquals(400, r.status(), r::toString);
    assertEquals(400, alice.get("/v2/images?marker=not-an-id").status());
    assertEquals(400, alice.get("/v2/images?marker=" + "a".repeat(40)).status());
    assertEquals(400, alice.get("/v2/images?marker=").status());
  }

  @Test
  @DisplayName("an unknown marker's 400 carries Glance's message 'No image found with ID <id>'")
  void unknownMarkerMessage() {
    String id = UUID.randomUUID().toString();
    assertBadRequest(alice, "?marker=" + id, "No image found with ID " + id);
  }

  @Test
  @DisplayName("a marker the caller cannot see, or a deleted one, -> 400")
  void invisibleOrDeletedMarker() {
    String bPriv = image(bob, "b-priv", "private");
    String bShared = image(bob, "b-shared", "shared");
    String bComm = image(bob, "b-comm", "community");
    String aPriv = image(alice, "a-priv", "private");
    String gone = image(alice, "gone", "private");
    assertEquals(204, alice.delete("/v2/images/" + gone).status());
    assertEquals(400, alice.get("/v2/images?marker=" + bPriv).status());
    assertEquals(400, alice.get("/v2/images?marker=" + bShared).status(), "not a member");
    assertEquals(400, alice.get("/v2/images?marker=" + gone).status());
    // a member of any status may use the shared image as marker; community images are visible to all
    member(bShared, "project-a", "rejected");
    assertEquals(List.of(aPriv), list(alice, "?marker=" + bComm + "&sort_dir=asc&visibility=all"));
    assertEquals(List.of(), list(alice, "?marker=" + bShared + "&visibility=shared&member_status=all"));
    assertEquals(List.of(aPriv), list(alice, "?marker=" + bShared + "&sort_dir=asc"));
    // a killed image is not listed but is still a valid marker (Glance's _image_get does not filter status)
    String killed = image(alice, "killed", "private");
    setStatus(killed, "killed");
    assertEquals(List.of(aPriv), list(alice, "?marker=" + killed));
    // the admin may use anyone's image
    assertEquals(List.of(bShared), list(admin, "?marker=" + bPriv + "&sort_dir=asc&limit=1"));
  }

  @Test
  @DisplayName("an admin may page from a deleted image (Glance admins can_see_deleted)")
  void adminDeletedMarker() {
    String first = image(alice, "first", "private");
    String gone = image(alice, "gone", "private");
    String last = image(alice, "last", "private");
    assertEquals(204, alice.delete("/v2/images/" + gone).status());
    assertEquals(List.of(first), list(admin, "?marker=" + gone));
    assertEquals(List.of(last), list(admin, "?marker=" + gone + "&sort_dir=asc"));
  }

  // ------------------------------------------------------------------------------------------------------------
  // divergences from Glance found while testing

  @Test
  @DisplayName("a name that parses as an ISO 8601 time is an exact match, not an operator")
  void nameThatLooksLikeATimestamp() {
    String stamp = image(alice, "2020-01-01T10:00:00", "private");
    image(alice, "other", "private");
    assertEquals(List.of(stamp), list(alice, q("name", "2020-01-01T10:00:00")));
  }

  @Test
  @DisplayName("a limit beyond the range of a long is capped, not refused")
  void hugeLimit() {
    String id = image(alice, "x", "private");
    assertEquals(List.of(id), list(alice, "?limit=99999999999999999999"));
  }

  @Test
  @DisplayName("created_at/updated_at operators: Glance's message, lower-case only, date checked first")
  void timeFilterOperatorErrors() {
    assertBadRequest(alice, q("created_at", "foo:2021-01-01T00:00:00Z"), "Unable to filter on a unknown operator.");
    assertBadRequest(alice, q("updated_at", "GT:2021-01-01T00:00:00Z"), "Unable to filter on a unknown operator.");
    assertBadRequest(alice, q("created_at", "foo:notadate"),
        "Bad \"created_at\" query filter format. Use ISO 8601 DateTime notation.");
    assertBadRequest(alice, q("created_at", "2021-13-01T00:00:00Z"),
        "Bad \"created_at\" query filter format. Use ISO 8601 DateTime notation.");
  }

  @Test
  @DisplayName("with several invalid parameters, Glance's first check wins")
  void errorPrecedence() {
    assertBadRequest(alice, "?sort_key=bogus&sort_dir=sideways",
        "Invalid sort key: bogus. It must be one of the following: " + SORT_KEYS + ".");
    assertBadRequest(alice, "?limit=abc&visibility=x", "Invalid visibility value: x");
    assertBadRequest(alice, "?limit=abc&member_status=x", "Invalid status: x");
    assertBadRequest(alice, "?sort_key=bogus&visibility=x", "Invalid visibility value: x");
  }
}
