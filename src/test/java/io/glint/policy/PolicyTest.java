package io.glint.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.auth.RequestContext;
import io.glint.error.GlintException;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The permission matrix, asked of the engine directly: every action, for every kind of caller, on images of
 * every visibility and the statuses that matter. Through HTTP, the API tests check the same rules end to end.
 */
@DisplayName("Policy: Glance Zed's default rules, action by action, caller by caller")
class PolicyTest {
  private static final RequestContext ADMIN = caller("project-admin", true, false);
  private static final RequestContext OWNER = caller("project-a", false, false);
  private static final RequestContext OTHER = caller("project-b", false, false);
  private static final RequestContext NO_PROJECT = caller(null, false, false);
  private static final RequestContext ANONYMOUS = RequestContext.anonymous("req-test");

  private final Policy policy = new Policy();

  private static RequestContext caller(String project, boolean admin, boolean readOnly) {
    return new RequestContext("user", project, admin ? Set.of("admin", "member") : Set.of("member"), admin,
        readOnly, "req-test");
  }

  private static Target image(Visibility visibility, ImageStatus status) {
    return new Target("project-a", visibility, status, false, null);
  }

  @Test
  @DisplayName("writes to an image: its owner and admins only, never anonymous callers")
  void ownerOrAdminWrites() {
    for (Action action : List.of(Action.MODIFY_IMAGE, Action.DELETE_IMAGE, Action.UPLOAD_IMAGE, Action.DEACTIVATE,
        Action.REACTIVATE, Action.ADD_MEMBER, Action.DELETE_MEMBER, Action.COMMUNITIZE_IMAGE)) {
      for (Visibility v : Visibility.values()) {
        Target t = image(v, ImageStatus.ACTIVE);
        assertEquals(expect(true, true, false, false, false), matrix(action, t), action + " on " + v);
      }
    }
  }

  @Test
  @DisplayName("admin-only actions: publicize, change owner, delete from a store, store details")
  void adminOnly() {
    for (Action action : List.of(Action.PUBLICIZE_IMAGE, Action.SET_IMAGE_OWNER, Action.DELETE_IMAGE_LOCATION,
        Action.STORES_INFO_DETAIL)) {
      assertEquals(expect(true, false, false, false, false), matrix(action, image(Visibility.SHARED,
          ImageStatus.ACTIVE)), action.rule());
    }
  }

  @Test
  @DisplayName("add_image: the caller's own project, or anything for admins; never an ownerless image")
  void addImage() {
    assertEquals(expect(true, true, false, false, false),
        matrix(Action.ADD_IMAGE, Target.newImage("project-a", Visibility.SHARED)));
    assertEquals(expect(true, false, false, false, false),
        matrix(Action.ADD_IMAGE, Target.newImage(null, Visibility.SHARED)), "owned by nobody");
    assertFalse(policy.allows(NO_PROJECT, Action.ADD_IMAGE, Target.newImage(null, Visibility.SHARED)));
  }

  @Test
  @DisplayName("get_image: public and community for all; private for owner; shared for owner and members")
  void getImage() {
    assertEquals(expect(true, true, true, true, true), matrix(Action.GET_IMAGE, image(Visibility.PUBLIC,
        ImageStatus.ACTIVE)));
    assertEquals(expect(true, true, true, true, true), matrix(Action.GET_IMAGE, image(Visibility.COMMUNITY,
        ImageStatus.ACTIVE)));
    assertEquals(expect(true, true, false, false, false), matrix(Action.GET_IMAGE, image(Visibility.PRIVATE,
        ImageStatus.ACTIVE)));
    Target shared = image(Visibility.SHARED, ImageStatus.ACTIVE);
    assertEquals(expect(true, true, false, false, false), matrix(Action.GET_IMAGE, shared));
    assertTrue(policy.allows(OTHER, Action.GET_IMAGE, shared.withCallerMember(true)), "a member sees it");
    assertFalse(policy.allows(OTHER, Action.GET_IMAGE, image(Visibility.PRIVATE, ImageStatus.ACTIVE)
        .withCallerMember(true)), "membership does not open a private image");
    assertTrue(policy.needsMembership(OTHER, shared), "another project's shared image: look membership up");
    assertFalse(policy.needsMembership(OWNER, shared));
    assertFalse(policy.needsMembership(ADMIN, shared));
    assertFalse(policy.needsMembership(OTHER, image(Visibility.PRIVATE, ImageStatus.ACTIVE)));
    assertFalse(policy.needsMembership(NO_PROJECT, shared), "no project: no membership to look up");
  }

  @Test
  @DisplayName("download_image: anyone who sees the image, but a deactivated one only for admins")
  void downloadImage() {
    assertEquals(expect(true, true, true, true, true), matrix(Action.DOWNLOAD_IMAGE, image(Visibility.PUBLIC,
        ImageStatus.ACTIVE)));
    assertEquals(expect(true, false, false, false, false), matrix(Action.DOWNLOAD_IMAGE, image(Visibility.PUBLIC,
        ImageStatus.DEACTIVATED)));
  }

  @Test
  @DisplayName("set_image_location: owners while the image is not active; admins always (OSSN-0065)")
  void setImageLocation() {
    assertEquals(expect(true, true, true, true, false), matrix(Action.SET_IMAGE_LOCATION, image(Visibility.SHARED,
        ImageStatus.QUEUED)), "ownership is checked by modify_image first");
    assertEquals(expect(true, false, false, false, false), matrix(Action.SET_IMAGE_LOCATION, image(Visibility.SHARED,
        ImageStatus.ACTIVE)));
  }

  @Test
  @DisplayName("members: the member answers for itself, the owner may not; the owner and the member see its row")
  void members() {
    Target shared = image(Visibility.SHARED, ImageStatus.ACTIVE);
    assertEquals(expect(true, false, true, true, false), matrix(Action.MODIFY_MEMBER, shared),
        "before the member is known: the owner is refused");
    assertEquals(expect(true, false, true, false, false), matrix(Action.MODIFY_MEMBER, shared.withMember("project-b")));
    assertFalse(policy.allows(OTHER, Action.MODIFY_MEMBER, shared.withMember("project-c")), "not its membership");
    assertEquals(expect(true, true, true, false, false), matrix(Action.GET_MEMBER, shared.withMember("project-b")));
    assertEquals(expect(true, true, false, false, false), matrix(Action.GET_MEMBER, shared.withMember("project-c")));
  }

  @Test
  @DisplayName("enforce refuses with Glance's policy message, or the caller's; a file's rule replaces a default")
  void enforceAndOverride() {
    GlintException e = assertThrows(GlintException.class,
        () -> policy.enforce(OTHER, Action.MODIFY_IMAGE, image(Visibility.SHARED, ImageStatus.ACTIVE)));
    assertEquals(GlintException.Kind.FORBIDDEN, e.kind());
    assertEquals("You are not authorized to complete modify_image action.", e.getMessage());
    GlintException custom = assertThrows(GlintException.class,
        () -> policy.enforce(OTHER, Action.ADD_MEMBER, image(Visibility.SHARED, ImageStatus.ACTIVE), "Not allowed."));
    assertEquals("Not allowed.", custom.getMessage());
    Policy strict = new Policy(Map.of(Action.GET_IMAGE, DefaultRules.ADMIN));
    assertFalse(strict.allows(OWNER, Action.GET_IMAGE, image(Visibility.PUBLIC, ImageStatus.ACTIVE)));
    assertTrue(strict.allows(OWNER, Action.MODIFY_IMAGE, image(Visibility.PUBLIC, ImageStatus.ACTIVE)),
        "other rules keep their defaults");
  }

  @Test
  @DisplayName("every action has a default rule and a Glance-style rule name")
  void everyActionHasARule() {
    for (Action action : Action.values()) {
      assertTrue(action.rule().matches("[a-z_]+"), action.rule());
      policy.allows(ADMIN, action, Target.none()); // no action is missing from the defaults
    }
    assertEquals(Action.values().length, DefaultRules.all().size());
  }

  /** Allowed or not, for admin, owner, another project, a caller without project, an anonymous caller. */
  private Map<String, Boolean> matrix(Action action, Target target) {
    Map<String, Boolean> m = new LinkedHashMap<>();
    m.put("admin", policy.allows(ADMIN, action, target));
    m.put("owner", policy.allows(OWNER, action, target));
    m.put("other", policy.allows(OTHER, action, target));
    m.put("no project", policy.allows(NO_PROJECT, action, target));
    m.put("anonymous", policy.allows(ANONYMOUS, action, target));
    return m;
  }

  private static Map<String, Boolean> expect(boolean admin, boolean owner, boolean other, boolean noProject,
      boolean anonymous) {
    Map<String, Boolean> m = new LinkedHashMap<>();
    m.put("admin", admin);
    m.put("owner", owner);
    m.put("other", other);
    m.put("no project", noProject);
    m.put("anonymous", anonymous);
    return m;
  }
}
