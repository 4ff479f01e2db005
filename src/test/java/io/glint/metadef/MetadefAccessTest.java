package io.glint.metadef;

import static io.glint.metadef.MetadefNamespacesTest.NS;
import static io.glint.metadef.MetadefNamespacesTest.created;
import static io.glint.metadef.MetadefNamespacesTest.names;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Who sees and changes what, with Zed's default rules: public namespaces are read by everyone, private ones by
 * their owner project and admins (404 for anyone else); every write is {@code rule:metadef_admin}: 403 where the
 * namespace is visible, 404 where it is not.
 */
@DisplayName("Metadef visibility and policy matrix (admin, owner, other project, anonymous)")
class MetadefAccessTest extends ApiTestBase {
  private static TestServer anonymousServer;
  private Map<String, Api> callers;

  private static TestServer rbacServer;

  @BeforeAll
  static void startServers() {
    anonymousServer = TestServer.start(Map.of("allow_anonymous_access", "true"));
    rbacServer = TestServer.start(Map.of("oslo_policy.enforce_new_defaults", "true"));
  }

  @AfterAll
  static void stopServers() {
    anonymousServer.close();
    rbacServer.close();
  }

  @BeforeEach
  void namespaces() {
    created(admin, new JsonObject().put("namespace", "pub").put("visibility", "public"));
    created(admin, new JsonObject().put("namespace", "priv-a").put("owner", "project-a"));
    created(admin, new JsonObject().put("namespace", "priv-admin"));
    callers = new LinkedHashMap<>();
    callers.put("admin", admin);
    callers.put("owner", alice);
    callers.put("other", bob);
    callers.put("anonymous", Api.anonymous(anonymousServer));
  }

  private void expect(String what, Map<String, Integer> expected, java.util.function.Function<Api, Response> call) {
    Map<String, Integer> actual = new LinkedHashMap<>();
    callers.forEach((name, api) -> actual.put(name, call.apply(api).status()));
    assertEquals(expected, actual, what);
  }

  private static Map<String, Integer> of(int admin, int owner, int other, int anonymous) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("admin", admin);
    m.put("owner", owner);
    m.put("other", other);
    m.put("anonymous", anonymous);
    return m;
  }

  @Test
  @DisplayName("reads: public to all, private to owner and admin, 404 otherwise")
  void reads() {
    expect("show public", of(200, 200, 200, 200), a -> a.get(NS + "/pub"));
    expect("show private", of(200, 200, 404, 404), a -> a.get(NS + "/priv-a"));
    expect("properties of private", of(200, 200, 404, 404), a -> a.get(NS + "/priv-a/properties"));
    expect("tags of private", of(200, 200, 404, 404), a -> a.get(NS + "/priv-a/tags"));
    expect("objects of private", of(200, 200, 404, 404), a -> a.get(NS + "/priv-a/objects"));
    expect("associations of private", of(200, 200, 404, 404), a -> a.get(NS + "/priv-a/resource_types"));
    expect("resource types", of(200, 200, 200, 200), a -> a.get("/v2/metadefs/resource_types"));
    assertEquals(List.of("pub", "priv-a", "priv-admin"), names(admin.get(NS + "?sort_key=created_at&sort_dir=asc")));
    assertEquals(List.of("pub", "priv-a"), names(alice.get(NS + "?sort_dir=asc")));
    assertEquals(List.of("pub"), names(bob.get(NS)));
    assertEquals(List.of("pub"), names(Api.anonymous(anonymousServer).get(NS)));
    Response hidden = bob.get(NS + "/priv-a");
    assertEquals("The resource could not be found.", hidden.message());
    assertEquals("Namespace priv-a not found", bob.get(NS + "/priv-a/tags").message());
    Response marker = bob.get(NS + "?marker=priv-a");
    assertEquals(403, marker.status());
    assertEquals("Forbidding request, metadata definition namespace=priv-a is not visible.", marker.message());
  }

  @Test
  @DisplayName("writes: metadef_admin only; 403 on a visible namespace, 404 on an invisible one")
  void writes() {
    JsonObject property = new JsonObject().put("name", "x").put("title", "X").put("type", "string");
    expect("create namespace", of(201, 403, 403, 403), a -> a.post(NS, new JsonObject().put("namespace",
        "new-" + System.nanoTime())));
    Response denied = alice.post(NS, new JsonObject().put("namespace", "mine"));
    assertEquals("You are not authorized to complete add_metadef_namespace action.", denied.message());
    expect("add property to public", of(201, 403, 403, 403),
        a -> a.post(NS + "/pub/properties", property.copy().put("name", "x" + System.nanoTime())));
    assertEquals("You are not authorized to complete add_metadef_property action.",
        alice.post(NS + "/pub/properties", property).message());
    expect("add property to private", of(201, 403, 404, 404),
        a -> a.post(NS + "/priv-a/properties", property.copy().put("name", "x" + System.nanoTime())));
    expect("add tag to private", of(201, 403, 404, 404), a -> a.post(NS + "/priv-a/tags/t" + System.nanoTime(), null));
    expect("associate", of(201, 403, 404, 404), a -> a.post(NS + "/priv-a/resource_types",
        new JsonObject().put("name", "RT" + System.nanoTime())));
    expect("update private", of(200, 403, 404, 404), a -> a.send("PUT", NS + "/priv-a",
        new JsonObject().put("namespace", "priv-a").put("owner", "project-a").encode(), "application/json"));
    expect("delete tags of private", of(204, 403, 404, 404), a -> a.delete(NS + "/priv-a/tags"));
    assertEquals(403, alice.delete(NS + "/priv-a").status());
    assertEquals(404, bob.delete(NS + "/priv-a").status());
    assertEquals(404, callers.get("anonymous").delete(NS + "/priv-a").status());
    assertEquals(204, admin.delete(NS + "/priv-a").status());
    for (String who : List.of("owner", "other", "anonymous")) {
      assertEquals(403, callers.get(who).delete(NS + "/pub").status(), who);
    }
    assertEquals(204, admin.delete(NS + "/pub").status());
  }

  @Test
  @DisplayName("secure RBAC (enforce_new_defaults): readers read their project's and public namespaces; no role, no list")
  void secureRbac() {
    Api reader = Api.as(rbacServer, "project-a", "reader");
    Api stranger = Api.as(rbacServer, "project-b", "member,reader");
    Api noRole = Api.as(rbacServer, "project-a", "");
    Api member = Api.as(rbacServer, "project-a", "member,reader");
    Api rbacAdmin = Api.as(rbacServer, "project-admin", "admin,member,reader");
    assertEquals(List.of("pub", "priv-a"), names(reader.get(NS + "?sort_dir=asc")));
    assertEquals(200, reader.get(NS + "/priv-a").status());
    assertEquals(200, stranger.get(NS + "/pub").status());
    assertEquals(404, stranger.get(NS + "/priv-a").status());
    Response list = noRole.get(NS);
    assertEquals(403, list.status());
    assertEquals("You are not authorized to complete get_metadef_namespaces action.", list.message());
    assertEquals(404, noRole.get(NS + "/pub").status());
    JsonObject tag = new JsonObject().put("tags", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("name", "t")));
    assertEquals(403, member.post(NS + "/priv-a/tags", tag).status());
    assertEquals(201, rbacAdmin.post(NS + "/priv-a/tags", tag).status());
  }
}
