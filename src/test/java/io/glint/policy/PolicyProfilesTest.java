package io.glint.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.auth.RequestContext;
import io.glint.image.Image;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The permission matrix of both profiles, asked of the engine directly: every action for a project admin, a member
 * and a reader of the owning project, a member of another project, and an anonymous caller. Roles are as Keystone
 * puts them in tokens (admin implies member implies reader).
 */
@DisplayName("Policy profiles: legacy (default) and secure RBAC (enforce_new_defaults), action by action")
class PolicyProfilesTest {
  private static final RequestContext ADMIN = caller("project-admin", true, "admin", "member", "reader");
  private static final RequestContext MEMBER = caller("project-a", false, "member", "reader");
  private static final RequestContext READER = caller("project-a", false, "reader");
  private static final RequestContext OTHER = caller("project-b", false, "member", "reader");
  private static final RequestContext ANONYMOUS = RequestContext.anonymous("req");
  private static final List<String> CALLERS = List.of("admin", "member", "reader", "other", "anonymous");

  private final Policy legacy = new Policy(PolicyRules.defaults(false, false));
  private final Policy secure = new Policy(PolicyRules.defaults(true, false));

  private static RequestContext caller(String project, boolean admin, String... roles) {
    return new RequestContext("user-of-" + project, project, Set.of(roles), admin, false, "req");
  }

  private static Target image(Visibility visibility, ImageStatus status) {
    Instant now = Instant.now();
    return Target.of(new Image("img", "n", status, visibility, false, false, null, null, null, "project-a", 1L, null,
        "bare", "raw", 0, 0, now, now, Map.of(), Set.of()));
  }

  private static Map<String, Boolean> row(boolean admin, boolean member, boolean reader, boolean other,
      boolean anonymous) {
    Map<String, Boolean> m = new LinkedHashMap<>();
    boolean[] values = {admin, member, reader, other, anonymous};
    for (int i = 0; i < CALLERS.size(); i++) {
      m.put(CALLERS.get(i), values[i]);
    }
    return m;
  }

  private static Map<String, Boolean> matrix(Policy policy, Action action, Target target) {
    Map<String, Boolean> m = new LinkedHashMap<>();
    List<RequestContext> callers = List.of(ADMIN, MEMBER, READER, OTHER, ANONYMOUS);
    for (int i = 0; i < CALLERS.size(); i++) {
      m.put(CALLERS.get(i), policy.allows(callers.get(i), action, target));
    }
    return m;
  }

  @Test
  @DisplayName("writes to an image: legacy — the owning project whatever its role; secure — its members only")
  void writes() {
    for (Action action : List.of(Action.MODIFY_IMAGE, Action.DELETE_IMAGE, Action.UPLOAD_IMAGE, Action.DEACTIVATE,
        Action.REACTIVATE, Action.ADD_MEMBER, Action.DELETE_MEMBER, Action.COMMUNITIZE_IMAGE)) {
      Target t = image(Visibility.SHARED, ImageStatus.ACTIVE);
      assertEquals(row(true, true, true, false, false), matrix(legacy, action, t), "legacy " + action.rule());
      assertEquals(row(true, true, false, false, false), matrix(secure, action, t), "secure " + action.rule());
    }
  }

  @Test
  @DisplayName("add_image: legacy — for one's own project; secure — a member, for its own project")
  void addImage() {
    Target own = Target.newImage("project-a", Visibility.PRIVATE);
    assertEquals(row(true, true, true, false, false), matrix(legacy, Action.ADD_IMAGE, own));
    assertEquals(row(true, true, false, false, false), matrix(secure, Action.ADD_IMAGE, own));
    Target ownerless = Target.newImage(null, Visibility.PRIVATE);
    assertEquals(row(true, false, false, false, false), matrix(secure, Action.ADD_IMAGE, ownerless));
  }

  @Test
  @DisplayName("reads: secure needs the reader role; the database's visibility filter holds in both")
  void reads() {
    Target priv = image(Visibility.PRIVATE, ImageStatus.ACTIVE);
    Target pub = image(Visibility.PUBLIC, ImageStatus.ACTIVE);
    assertEquals(row(true, true, true, false, false), matrix(legacy, Action.GET_IMAGE, priv));
    assertEquals(row(true, true, true, false, false), matrix(secure, Action.GET_IMAGE, priv));
    assertEquals(row(true, true, true, true, true), matrix(legacy, Action.GET_IMAGE, pub));
    assertEquals(row(true, true, true, true, false), matrix(secure, Action.GET_IMAGE, pub),
        "an anonymous caller has no reader role");
    Target shared = image(Visibility.SHARED, ImageStatus.ACTIVE);
    assertTrue(secure.allows(OTHER, Action.GET_IMAGE, shared.withCallerMember(true)), "a member project reads it");
    assertFalse(secure.allows(OTHER, Action.GET_IMAGE, shared), "not without membership");
    assertTrue(secure.needsMembership(OTHER, shared));
    for (RequestContext c : List.of(ADMIN, MEMBER, READER, OTHER)) {
      assertTrue(secure.allows(c, Action.GET_IMAGES, Target.project(c.projectId())));
    }
    assertFalse(secure.allows(ANONYMOUS, Action.GET_IMAGES, Target.project(null)));
    assertTrue(legacy.allows(ANONYMOUS, Action.GET_IMAGES, Target.project(null)));
  }

  @Test
  @DisplayName("download_image: secure needs the member role; a deactivated image only for admins in both")
  void download() {
    Target pub = image(Visibility.PUBLIC, ImageStatus.ACTIVE);
    assertEquals(row(true, true, true, true, true), matrix(legacy, Action.DOWNLOAD_IMAGE, pub));
    assertEquals(row(true, true, false, true, false), matrix(secure, Action.DOWNLOAD_IMAGE, pub));
    Target off = image(Visibility.PUBLIC, ImageStatus.DEACTIVATED);
    assertEquals(row(true, false, false, false, false), matrix(legacy, Action.DOWNLOAD_IMAGE, off));
    assertEquals(row(true, false, false, false, false), matrix(secure, Action.DOWNLOAD_IMAGE, off));
  }

  @Test
  @DisplayName("admin-only in both: publicize, change owner, delete from a store, store details")
  void adminOnly() {
    Target t = image(Visibility.SHARED, ImageStatus.ACTIVE);
    for (Action action : List.of(Action.PUBLICIZE_IMAGE, Action.SET_IMAGE_OWNER, Action.DELETE_IMAGE_LOCATION,
        Action.STORES_INFO_DETAIL)) {
      assertEquals(row(true, false, false, false, false), matrix(legacy, action, t), "legacy " + action.rule());
      assertEquals(row(true, false, false, false, false), matrix(secure, action, t), "secure " + action.rule());
    }
  }

  @Test
  @DisplayName("locations: set_image_location as writes; of an active image admins only; shown to readers (secure)")
  void locations() {
    Target queued = image(Visibility.PRIVATE, ImageStatus.QUEUED);
    Target active = image(Visibility.PRIVATE, ImageStatus.ACTIVE);
    assertEquals(row(true, true, true, true, false), matrix(legacy, Action.SET_IMAGE_LOCATION, queued),
        "legacy: ownership is checked by modify_image first");
    assertEquals(row(true, true, false, false, false), matrix(secure, Action.SET_IMAGE_LOCATION, queued));
    assertEquals(row(true, false, false, false, false), matrix(legacy, Action.SET_IMAGE_LOCATION, active));
    assertEquals(row(true, false, false, false, false), matrix(secure, Action.SET_IMAGE_LOCATION, active));
    Target pub = image(Visibility.PUBLIC, ImageStatus.ACTIVE);
    assertEquals(row(true, true, true, true, true), matrix(legacy, Action.GET_IMAGE_LOCATION, pub));
    assertEquals(row(true, true, true, false, false), matrix(secure, Action.GET_IMAGE_LOCATION, pub));
  }

  @Test
  @DisplayName("members: secure — the owner's members and readers see rows, the member project answers for itself")
  void members() {
    Target shared = image(Visibility.SHARED, ImageStatus.ACTIVE);
    RequestContext memberReader = caller("project-b", false, "reader");
    RequestContext stranger = caller("project-c", false, "member", "reader");
    Target aboutB = shared.withMember("project-b");
    assertEquals(row(true, false, false, true, false), matrix(secure, Action.MODIFY_MEMBER, aboutB));
    assertFalse(secure.allows(memberReader, Action.MODIFY_MEMBER, aboutB), "a reader may not answer");
    assertFalse(secure.allows(stranger, Action.MODIFY_MEMBER, shared.withMember("project-c").withMember("project-b")));
    assertEquals(row(true, false, false, true, false), matrix(legacy, Action.MODIFY_MEMBER, aboutB),
        "legacy: the owning project may not answer, whatever its role");
    assertEquals(row(true, true, true, true, false), matrix(secure, Action.GET_MEMBER, aboutB));
    assertFalse(secure.allows(stranger, Action.GET_MEMBER, aboutB));
    assertEquals(row(true, true, true, true, false), matrix(secure, Action.GET_MEMBERS, shared));
  }

  @Test
  @DisplayName("enforce_scope: a system-scoped admin token is refused by project rules, not by context_is_admin")
  void scope() {
    RequestContext system = new RequestContext("u", null, Set.of("admin"), true, false, "req", "default", null,
        "all", Set.of());
    Target t = image(Visibility.PRIVATE, ImageStatus.ACTIVE);
    Policy scoped = new Policy(PolicyRules.defaults(true, true));
    assertTrue(secure.allows(system, Action.MODIFY_IMAGE, t), "scope not enforced: logged only");
    assertFalse(scoped.allows(system, Action.MODIFY_IMAGE, t));
    assertFalse(scoped.allows(system, Action.STORES_INFO_DETAIL, Target.none()));
    assertTrue(scoped.isAdmin(system));
    assertTrue(scoped.allows(ADMIN, Action.MODIFY_IMAGE, t), "project-scoped tokens pass");
  }

  @Test
  @DisplayName("every action has a registered rule in both profiles and an in-code check")
  void complete() {
    for (Action action : Action.values()) {
      assertTrue(GlanceRules.all().containsKey(action.rule()), action.rule());
      legacy.allows(ADMIN, action, Target.none());
      secure.allows(ADMIN, action, Target.none());
    }
    assertEquals(Action.values().length, DefaultRules.inCode(true).size());
  }
}
