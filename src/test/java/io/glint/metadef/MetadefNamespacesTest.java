package io.glint.metadef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code /v2/metadefs/namespaces} as Glance's {@code metadef_namespaces.py} answers. */
@DisplayName("Metadef namespaces: create, list, show, update, delete")
class MetadefNamespacesTest extends ApiTestBase {
  static final String NS = "/v2/metadefs/namespaces";
  static final String ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

  static Response create(Api who, JsonObject body) {
    return who.post(NS, body);
  }

  static JsonObject created(Api who, JsonObject body) {
    Response r = create(who, body);
    assertEquals(201, r.status(), r.body());
    return r.json();
  }

  static List<String> names(Response r) {
    List<String> out = new ArrayList<>();
    r.json().getJsonArray("namespaces").forEach(o -> out.add(((JsonObject) o).getString("namespace")));
    return out;
  }

  @Test
  @DisplayName("create answers 201 with Location, defaults, self/schema links and the children as given")
  void create() {
    JsonObject body = new JsonObject().put("namespace", "OS::Compute::Test").put("display_name", "Test")
        .put("description", "d")
        .put("resource_type_associations", new JsonArray().add(new JsonObject().put("name", "OS::Glance::Image")
            .put("prefix", "hw_")))
        .put("properties", new JsonObject().put("cpu", new JsonObject().put("title", "CPU").put("type", "integer")
            .put("minimum", 1)))
        .put("objects", new JsonArray().add(new JsonObject().put("name", "obj").put("required", new JsonArray().add("a"))
            .put("properties", new JsonObject().put("a", new JsonObject().put("title", "A").put("type", "string")))))
        .put("tags", new JsonArray().add(new JsonObject().put("name", "t1")));
    Response r = create(admin, body);
    assertEquals(201, r.status(), r.body());
    assertEquals(server.base() + NS + "/OS::Compute::Test", r.header("Location"));
    JsonObject ns = r.json();
    assertEquals("OS::Compute::Test", ns.getString("namespace"));
    assertEquals("private", ns.getString("visibility"));
    assertEquals(false, ns.getBoolean("protected"));
    assertEquals("project-admin", ns.getString("owner"));
    assertEquals(NS + "/OS::Compute::Test", ns.getString("self"));
    assertEquals("/v2/schemas/metadefs/namespace", ns.getString("schema"));
    assertTrue(ns.getString("created_at").matches(ISO));
    assertEquals(new JsonObject().put("cpu", new JsonObject().put("minimum", 1).put("title", "CPU")
        .put("type", "integer")), ns.getJsonObject("properties"));
    assertEquals("t1", ns.getJsonArray("tags").getJsonObject(0).getString("name"));
    assertEquals(List.of("created_at", "description", "display_name", "namespace", "objects", "owner", "properties",
        "protected", "resource_type_associations", "schema", "self", "tags", "updated_at", "visibility"),
        new ArrayList<>(ns.fieldNames()));

    JsonObject shown = admin.get(NS + "/OS::Compute::Test").json();
    assertEquals("hw_", shown.getJsonArray("resource_type_associations").getJsonObject(0).getString("prefix"));
    JsonObject obj = shown.getJsonArray("objects").getJsonObject(0);
    assertEquals(NS + "/OS::Compute::Test/objects/obj", obj.getString("self"));
    assertEquals("/v2/schemas/metadefs/object", obj.getString("schema"));
    assertEquals(new JsonArray().add("a"), obj.getJsonArray("required"));
    assertEquals(new JsonArray().add(new JsonObject().put("name", "t1")), shown.getJsonArray("tags"));
  }

  @Test
  @DisplayName("show with resource_type prefixes property names, object properties and required")
  void prefix() {
    created(admin, new JsonObject().put("namespace", "ns1").put("visibility", "public")
        .put("resource_type_associations", new JsonArray()
            .add(new JsonObject().put("name", "OS::Nova::Flavor").put("prefix", "hw:"))
            .add(new JsonObject().put("name", "OS::Glance::Image").put("prefix", "hw_")))
        .put("properties", new JsonObject().put("cpu_policy", new JsonObject().put("title", "P").put("type", "string")))
        .put("objects", new JsonArray().add(new JsonObject().put("name", "o").put("required", new JsonArray().add("x"))
            .put("properties", new JsonObject().put("x", new JsonObject().put("title", "X").put("type", "string"))))));
    JsonObject flavor = alice.get(NS + "/ns1?resource_type=OS::Nova::Flavor").json();
    assertEquals(List.of("hw:cpu_policy"), new ArrayList<>(flavor.getJsonObject("properties").fieldNames()));
    JsonObject o = flavor.getJsonArray("objects").getJsonObject(0);
    assertEquals(List.of("hw:x"), new ArrayList<>(o.getJsonObject("properties").fieldNames()));
    assertEquals(new JsonArray().add("hw:x"), o.getJsonArray("required"));
    JsonObject image = alice.get(NS + "/ns1?resource_type=OS::Glance::Image").json();
    assertTrue(image.getJsonObject("properties").containsKey("hw_cpu_policy"));
    JsonObject unknown = alice.get(NS + "/ns1?resource_type=OS::Cinder::Volume").json();
    assertTrue(unknown.getJsonObject("properties").containsKey("cpu_policy"));
    // A property by its prefixed name.
    Response p = alice.get(NS + "/ns1/properties/hw_cpu_policy?resource_type=OS::Glance::Image");
    assertEquals(200, p.status(), p.body());
    assertEquals("cpu_policy", p.json().getString("name"));
    Response bad = alice.get(NS + "/ns1/properties/cpu_policy?resource_type=OS::Glance::Image");
    assertEquals(404, bad.status());
    assertEquals("Property cpu_policy does not start with the expected resource type association prefix of 'hw_'.",
        bad.message());
  }

  @Test
  @DisplayName("duplicates are 409; read-only attributes 403; schema violations 400 naming the schema")
  void conflictsAndValidation() {
    created(admin, new JsonObject().put("namespace", "dup"));
    Response dup = create(admin, new JsonObject().put("namespace", "dup"));
    assertEquals(409, dup.status());
    assertEquals("The metadata definition namespace=dup already exists.", dup.message());
    Response ro = create(admin, new JsonObject().put("namespace", "x").put("created_at", "2020-01-01T00:00:00Z"));
    assertEquals(403, ro.status());
    assertEquals("Attribute 'created_at' is read-only.", ro.message());
    Response missing = create(admin, new JsonObject().put("display_name", "x"));
    assertEquals(400, missing.status());
    assertEquals("Provided object does not match schema 'namespace': 'namespace' is a required property",
        missing.message());
    Response vis = create(admin, new JsonObject().put("namespace", "x").put("visibility", "shared"));
    assertEquals(400, vis.status());
    assertEquals("Provided object does not match schema 'namespace': 'shared' is not one of ['public', 'private']",
        vis.message());
    Response extra = create(admin, new JsonObject().put("namespace", "x").put("foo", 1));
    assertEquals("Provided object does not match schema 'namespace': Additional properties are not allowed "
        + "('foo' was unexpected)", extra.message());
    Response longName = create(admin, new JsonObject().put("namespace", "n".repeat(81)));
    assertEquals(400, longName.status());
    Response badProp = create(admin, new JsonObject().put("namespace", "x").put("properties",
        new JsonObject().put("p", new JsonObject().put("title", "P").put("type", "str"))));
    assertEquals(400, badProp.status());
    assertEquals("Provided object does not match schema 'namespace': 'str' is not one of ['array', 'boolean', "
        + "'integer', 'number', 'object', 'string', None]", badProp.message());
    // A failed create leaves nothing behind (one transaction).
    Response childDup = create(admin, new JsonObject().put("namespace", "tx")
        .put("tags", new JsonArray().add(new JsonObject().put("name", "a")).add(new JsonObject().put("name", "A"))));
    assertEquals(409, childDup.status());
    assertEquals(404, admin.get(NS + "/tx").status());
  }

  @Test
  @DisplayName("update replaces every attribute (omitted ones back to defaults); rename to a taken name is 409")
  void update() {
    created(admin, new JsonObject().put("namespace", "a").put("display_name", "A").put("visibility", "public")
        .put("protected", true).put("tags", new JsonArray().add(new JsonObject().put("name", "keep"))));
    created(admin, new JsonObject().put("namespace", "b"));
    Response r = admin.send("PUT", NS + "/a", new JsonObject().put("namespace", "a2").encode(), "application/json");
    assertEquals(200, r.status(), r.body());
    JsonObject ns = r.json();
    assertEquals("a2", ns.getString("namespace"));
    assertNull(ns.getString("display_name"));
    assertEquals("private", ns.getString("visibility"));
    assertEquals(false, ns.getBoolean("protected"));
    assertEquals(NS + "/a2", ns.getString("self"));
    assertFalse(ns.containsKey("tags"));
    assertEquals(1, admin.get(NS + "/a2").json().getJsonArray("tags").size());
    Response taken = admin.send("PUT", NS + "/a2", new JsonObject().put("namespace", "b").encode(),
        "application/json");
    assertEquals(409, taken.status());
    assertEquals("Invalid update. It would result in a duplicate metadata definition namespace with the same name "
        + "of b", taken.message());
    Response missing = admin.send("PUT", NS + "/nope", new JsonObject().put("namespace", "n").encode(),
        "application/json");
    assertEquals(404, missing.status());
    assertEquals("Namespace nope not found", missing.message());
  }

  @Test
  @DisplayName("protected namespaces refuse deletes, of themselves and of their children (403)")
  void protectedNamespace() {
    created(admin, new JsonObject().put("namespace", "p").put("protected", true)
        .put("properties", new JsonObject().put("x", new JsonObject().put("title", "X").put("type", "string")))
        .put("tags", new JsonArray().add(new JsonObject().put("name", "t"))));
    Response r = admin.delete(NS + "/p");
    assertEquals(403, r.status());
    assertEquals("Metadata definition namespace p is protected and cannot be deleted.", r.message());
    assertEquals(403, admin.delete(NS + "/p/properties").status());
    assertEquals(403, admin.delete(NS + "/p/objects").status());
    assertEquals(403, admin.delete(NS + "/p/tags").status());
    Response prop = admin.delete(NS + "/p/properties/x");
    assertEquals(403, prop.status());
    assertEquals("Metadata definition property x is protected and cannot be deleted.", prop.message());
    Response tag = admin.delete(NS + "/p/tags/t");
    assertEquals("Metadata definition tag t is protected and cannot be deleted.", tag.message());
    admin.send("PUT", NS + "/p", new JsonObject().put("namespace", "p").put("protected", false).encode(),
        "application/json");
    assertEquals(204, admin.delete(NS + "/p/tags").status());
    assertEquals(204, admin.delete(NS + "/p/properties").status());
    assertEquals(204, admin.delete(NS + "/p/objects").status());
    JsonObject shown = admin.get(NS + "/p").json();
    assertFalse(shown.containsKey("tags"));
    assertFalse(shown.containsKey("properties"));
    assertEquals(204, admin.delete(NS + "/p").status());
    assertEquals(404, admin.get(NS + "/p").status());
  }

  @Test
  @DisplayName("list pages by marker with first/next links, sorts, filters by visibility and resource types")
  void list() {
    for (int i = 0; i < 5; i++) {
      created(admin, new JsonObject().put("namespace", "n" + i).put("visibility", i % 2 == 0 ? "public" : "private")
          .put("resource_type_associations", new JsonArray().add(new JsonObject().put("name", "RT" + (i % 3)))));
    }
    Response page1 = admin.get(NS + "?limit=2&sort_key=namespace&sort_dir=asc");
    assertEquals(200, page1.status(), page1.body());
    assertEquals(List.of("n0", "n1"), names(page1));
    JsonObject body = page1.json();
    assertEquals(NS + "?limit=2&sort_key=namespace&sort_dir=asc", body.getString("first"));
    assertEquals(NS + "?limit=2&sort_key=namespace&sort_dir=asc&marker=n1", body.getString("next"));
    assertEquals("/v2/schemas/metadefs/namespaces", body.getString("schema"));
    assertEquals(List.of("n2", "n3"), names(admin.get(body.getString("next"))));
    assertEquals(List.of("n4"), names(admin.get(NS + "?limit=2&sort_key=namespace&sort_dir=asc&marker=n3")));
    assertFalse(admin.get(NS + "?limit=2&sort_key=namespace&sort_dir=asc&marker=n3").json().containsKey("next"));
    assertEquals(List.of("n4", "n3", "n2", "n1", "n0"), names(admin.get(NS + "?sort_key=namespace")));
    assertEquals(List.of("n0", "n2", "n4"), names(admin.get(NS + "?visibility=public&sort_key=namespace&sort_dir=asc")));
    assertEquals(List.of("n0", "n2", "n3"),
        names(admin.get(NS + "?resource_types=RT0,RT2&sort_key=namespace&sort_dir=asc")));
    JsonObject first = admin.get(NS + "?resource_types=RT0&sort_key=namespace&sort_dir=asc").json()
        .getJsonArray("namespaces").getJsonObject(0);
    assertEquals("RT0", first.getJsonArray("resource_type_associations").getJsonObject(0).getString("name"));
    // Non-admins: public ones and their own project's.
    assertEquals(List.of("n0", "n2", "n4"), names(alice.get(NS + "?sort_key=namespace&sort_dir=asc")));

    assertEquals("Invalid sort direction: up", admin.get(NS + "?sort_dir=up").message());
    assertEquals("Invalid visibility value: shared", admin.get(NS + "?visibility=shared").message());
    assertEquals("limit param must be positive", admin.get(NS + "?limit=-1").message());
    assertEquals("limit param must be an integer", admin.get(NS + "?limit=x").message());
    Response badMarker = admin.get(NS + "?marker=nope");
    assertEquals(404, badMarker.status());
    assertEquals("Metadata definition namespace=nope was not found.", badMarker.message());
  }

  @Test
  @DisplayName("wrong verbs get 405 with Allow; bodies on GET/DELETE are 400")
  void frame() {
    Response r = admin.send("PATCH", NS, "{}", "application/json");
    assertEquals(405, r.status());
    assertEquals("GET, POST", r.header("Allow"));
    created(admin, new JsonObject().put("namespace", "f"));
    assertEquals("GET, PUT, DELETE", admin.send("POST", NS + "/f", "{}", "application/json").header("Allow"));
    assertEquals("GET, POST, DELETE", admin.send("PUT", NS + "/f/tags", "{}", "application/json").header("Allow"));
    Response body = admin.send("GET", NS + "/f", "{}", "application/json");
    assertEquals(400, body.status());
    assertEquals("A body is not expected with this request.", body.message());
  }
}
