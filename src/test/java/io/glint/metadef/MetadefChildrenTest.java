package io.glint.metadef;

import static io.glint.metadef.MetadefNamespacesTest.NS;
import static io.glint.metadef.MetadefNamespacesTest.created;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Resource types, properties, objects and tags of a namespace, as Glance's metadef controllers answer. */
@DisplayName("Metadef resource types, properties, objects and tags")
class MetadefChildrenTest extends ApiTestBase {
  private static final String N = NS + "/ns";

  @BeforeEach
  void namespace() {
    created(admin, new JsonObject().put("namespace", "ns").put("visibility", "public"));
  }

  private Response put(String path, JsonObject body) {
    return admin.send("PUT", path, body.encode(), "application/json");
  }

  private static List<String> tagNames(Response r) {
    List<String> out = new ArrayList<>();
    r.json().getJsonArray("tags").forEach(t -> out.add(((JsonObject) t).getString("name")));
    return out;
  }

  @Test
  @DisplayName("associations: create (type made on the fly), list, duplicate 409, delete, 404 for an unknown one")
  void resourceTypes() {
    Response r = admin.post(N + "/resource_types", new JsonObject().put("name", "OS::Glance::Image")
        .put("prefix", "hw_").put("properties_target", "image"));
    assertEquals(201, r.status(), r.body());
    JsonObject a = r.json();
    assertEquals(List.of("created_at", "name", "prefix", "properties_target", "updated_at"),
        new ArrayList<>(a.fieldNames()));
    assertEquals("hw_", a.getString("prefix"));
    Response dup = admin.post(N + "/resource_types", new JsonObject().put("name", "OS::Glance::Image"));
    assertEquals(409, dup.status());
    assertEquals("The metadata definition resource-type association of resource-type=OS::Glance::Image to "
        + "namespace=ns already exists.", dup.message());
    JsonArray types = alice.get("/v2/metadefs/resource_types").json().getJsonArray("resource_types");
    assertEquals("OS::Glance::Image", types.getJsonObject(0).getString("name"));
    assertEquals(List.of("created_at", "name", "updated_at"), new ArrayList<>(types.getJsonObject(0).fieldNames()));
    JsonArray assocs = alice.get(N + "/resource_types").json().getJsonArray("resource_type_associations");
    assertEquals("image", assocs.getJsonObject(0).getString("properties_target"));
    Response ro = admin.post(N + "/resource_types", new JsonObject().put("name", "X").put("created_at", "x"));
    assertEquals(403, ro.status());
    Response noName = admin.post(N + "/resource_types", new JsonObject().put("prefix", "x"));
    assertEquals("Provided object does not match schema 'resource_type_association': 'name' is a required property",
        noName.message());
    Response gone = admin.delete(N + "/resource_types/OS::Nova::Flavor");
    assertEquals(404, gone.status());
    assertEquals("Failed to find resource type OS::Nova::Flavor to delete", gone.message());
    assertEquals(204, admin.delete(N + "/resource_types/OS::Glance::Image").status());
    assertEquals(0, alice.get(N + "/resource_types").json().getJsonArray("resource_type_associations").size());
    // The resource type itself stays.
    assertEquals(1, alice.get("/v2/metadefs/resource_types").json().getJsonArray("resource_types").size());
    assertEquals("DELETE", admin.get(N + "/resource_types/X").header("Allow"));
  }

  @Test
  @DisplayName("properties: every keyword Glance accepts round-trips; invalid definitions are 400; rename; 409")
  void properties() {
    JsonObject full = new JsonObject().put("name", "p1").put("title", "P1").put("type", "array")
        .put("description", "d").put("operators", new JsonArray().add("<all-in>")).put("readonly", false)
        .put("items", new JsonObject().put("type", "string").put("enum", new JsonArray().add("a").add("b")))
        .put("minItems", 1).put("maxItems", 3).put("uniqueItems", true).put("additionalItems", false)
        .put("default", "a");
    Response r = admin.post(N + "/properties", full);
    assertEquals(201, r.status(), r.body());
    assertEquals(MetadefJson.sorted(full), r.json());
    assertEquals(new ArrayList<>(MetadefJson.sorted(full).fieldNames()), new ArrayList<>(r.json().fieldNames()));
    JsonObject str = new JsonObject().put("name", "p2").put("title", "P2").put("type", "string").put("minLength", 1)
        .put("maxLength", 10).put("pattern", "^[a-z]+$").put("enum", new JsonArray().add("x").add("y"));
    assertEquals(201, admin.post(N + "/properties", str).status());
    JsonObject num = new JsonObject().put("name", "p3").put("title", "P3").put("type", "integer").put("minimum", 0)
        .put("maximum", 9);
    assertEquals(201, admin.post(N + "/properties", num).status());
    // PropertyType has "confidential", but Glance's property schema does not: a body with it is refused.
    assertEquals(400, admin.post(N + "/properties", num.copy().put("name", "p4").put("confidential", true)).status());

    JsonObject all = alice.get(N + "/properties").json().getJsonObject("properties");
    assertEquals(List.of("p1", "p2", "p3"), new ArrayList<>(all.fieldNames()));
    // wsme's PropertyType: "default" is bytes (always shown as a string), bounds are int.
    Response eight = admin.post(N + "/properties", new JsonObject().put("name", "d1").put("title", "D")
        .put("type", "integer").put("default", 8).put("maximum", 9.7));
    assertEquals(201, eight.status(), eight.body());
    assertEquals("8", eight.json().getValue("default"));
    assertEquals(9L, ((Number) eight.json().getValue("maximum")).longValue());
    Response yes = admin.post(N + "/properties", new JsonObject().put("name", "d2").put("title", "D")
        .put("type", "boolean").put("default", true));
    assertEquals("True", yes.json().getValue("default"));
    assertEquals("True", alice.get(N + "/properties/d2").json().getValue("default"));
    admin.delete(N + "/properties/d1");
    admin.delete(N + "/properties/d2");
    assertEquals(MetadefJson.sorted(str), alice.get(N + "/properties/p2").json());

    String prefix = "Provided object does not match schema 'property': ";
    assertEquals(prefix + "'title' is a required property",
        admin.post(N + "/properties", new JsonObject().put("name", "x").put("type", "string")).message());
    assertEquals(prefix + "'name' is a required property",
        admin.post(N + "/properties", new JsonObject().put("title", "x").put("type", "string")).message());
    assertEquals(prefix + "'text' is not one of ['array', 'boolean', 'integer', 'number', 'object', 'string', None]",
        admin.post(N + "/properties", new JsonObject().put("name", "x").put("title", "x").put("type", "text"))
            .message());
    assertEquals(prefix + "-1 is less than the minimum of 0", admin.post(N + "/properties", new JsonObject()
        .put("name", "x").put("title", "x").put("type", "string").put("maxLength", -1)).message());
    assertEquals(prefix + "'1' is not of type 'number'", admin.post(N + "/properties", new JsonObject()
        .put("name", "x").put("title", "x").put("type", "integer").put("minimum", "1")).message());
    assertEquals(prefix + "'yes' is not of type 'boolean'", admin.post(N + "/properties", new JsonObject()
        .put("name", "x").put("title", "x").put("type", "string").put("readonly", "yes")).message());
    assertEquals(prefix + "'x' is not of type 'array'", admin.post(N + "/properties", new JsonObject()
        .put("name", "x").put("title", "x").put("type", "string").put("enum", "x")).message());
    assertEquals(prefix + "Additional properties are not allowed ('format' was unexpected)",
        admin.post(N + "/properties", new JsonObject().put("name", "x").put("title", "x").put("type", "string")
            .put("format", "date")).message());
    assertEquals(prefix + "'n' is too long", admin.post(N + "/properties", new JsonObject()
        .put("name", "n".repeat(81)).put("title", "x").put("type", "string")).message().replace("n".repeat(81), "n"));
    assertEquals(403, admin.post(N + "/properties", new JsonObject().put("name", "x").put("title", "x")
        .put("type", "string").put("updated_at", "x")).status());

    Response dup = admin.post(N + "/properties", str);
    assertEquals(409, dup.status());
    assertEquals("A metadata definition property with name=p2 already exists in namespace=ns.", dup.message());

    Response renamed = put(N + "/properties/p2", new JsonObject().put("name", "p2b").put("title", "T")
        .put("type", "boolean"));
    assertEquals(200, renamed.status(), renamed.body());
    assertEquals(new JsonObject().put("name", "p2b").put("title", "T").put("type", "boolean"), renamed.json());
    assertEquals(404, alice.get(N + "/properties/p2").status());
    Response clash = put(N + "/properties/p2b", new JsonObject().put("name", "p3").put("title", "T")
        .put("type", "boolean"));
    assertEquals(409, clash.status());
    Response missing = alice.get(N + "/properties/zz");
    assertEquals("The metadata definition property with name=zz was not found in namespace=ns.", missing.message());
    assertEquals(204, admin.delete(N + "/properties/p2b").status());
    assertEquals(404, admin.delete(N + "/properties/p2b").status());
  }

  @Test
  @DisplayName("objects: create with nested properties and required, list (schema link without slash), update, delete")
  void objects() {
    JsonObject body = new JsonObject().put("name", "o1").put("description", "d")
        .put("required", new JsonArray().add("a"))
        .put("properties", new JsonObject().put("a", new JsonObject().put("title", "A").put("type", "string")));
    Response r = admin.post(N + "/objects", body);
    assertEquals(201, r.status(), r.body());
    JsonObject o = r.json();
    assertEquals(List.of("created_at", "description", "name", "properties", "required", "schema", "self",
        "updated_at"), new ArrayList<>(o.fieldNames()));
    assertEquals(N + "/objects/o1", o.getString("self"));
    Response list = alice.get(N + "/objects");
    assertEquals("v2/schemas/metadefs/objects", list.json().getString("schema"));
    assertEquals(1, list.json().getJsonArray("objects").size());
    Response dup = admin.post(N + "/objects", body);
    assertEquals(409, dup.status());
    assertEquals("A metadata definition object with name=o1 already exists in namespace=ns.", dup.message());
    Response badProp = admin.post(N + "/objects", new JsonObject().put("name", "o2")
        .put("properties", new JsonObject().put("a", new JsonObject().put("type", "string"))));
    assertEquals(400, badProp.status());
    assertEquals("Provided object does not match schema 'object': 'title' is a required property",
        badProp.message());
    Response noName = admin.post(N + "/objects", new JsonObject().put("description", "x"));
    assertEquals("Provided object does not match schema 'object': 'name' is a required property", noName.message());
    Response ro = admin.post(N + "/objects", new JsonObject().put("name", "o3").put("self", "x"));
    assertEquals(403, ro.status());
    assertEquals("Attribute 'self' is read-only.", ro.message());

    Response updated = put(N + "/objects/o1", new JsonObject().put("name", "o1b"));
    assertEquals(200, updated.status(), updated.body());
    assertEquals(N + "/objects/o1b", updated.json().getString("self"));
    assertNull(updated.json().getString("description"));
    assertEquals(new JsonObject(), updated.json().getJsonObject("properties"));
    assertEquals(404, alice.get(N + "/objects/o1").status());
    assertEquals("The metadata definition object with name=o1 was not found in namespace=ns.",
        alice.get(N + "/objects/o1").message());
    assertEquals(204, admin.delete(N + "/objects/o1b").status());
    // The objects controller keeps the database layer's message for a namespace that does not exist.
    assertEquals("Metadata definition namespace=nope was not found.", alice.get(NS + "/nope/objects").message());
    assertEquals("Namespace nope not found", alice.get(NS + "/nope/properties").message());
    assertEquals(0, alice.get(N + "/objects").json().getJsonArray("objects").size());
  }

  @Test
  @DisplayName("tags: single create, bulk replace or append (X-Openstack-Append), rename, 409s, paging by marker")
  void tags() {
    Response one = admin.post(N + "/tags/alpha", null);
    assertEquals(201, one.status(), one.body());
    assertEquals(List.of("created_at", "name", "updated_at"), new ArrayList<>(one.json().fieldNames()));
    Response dup = admin.post(N + "/tags/ALPHA", null);
    assertEquals(409, dup.status());
    assertEquals("A metadata tag with name=ALPHA already exists in namespace=ns. (Please note that metadata tag "
        + "names are case insensitive).", dup.message());
    assertEquals(400, admin.post(N + "/tags/" + "t".repeat(81), null).status());

    JsonObject bulk = new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "b"))
        .add(new JsonObject().put("name", "c")).add(new JsonObject().put("name", "d")));
    Response replaced = admin.post(N + "/tags", bulk);
    assertEquals(201, replaced.status(), replaced.body());
    assertEquals(new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "b"))
        .add(new JsonObject().put("name", "c")).add(new JsonObject().put("name", "d"))), replaced.json());
    assertEquals(List.of("b", "c", "d"), tagNames(alice.get(N + "/tags?sort_key=name&sort_dir=asc")));
    Response appended = admin.with("X-Openstack-Append", "True").post(N + "/tags",
        new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "e"))));
    assertEquals(201, appended.status());
    assertEquals(List.of("b", "c", "d", "e"), tagNames(alice.get(N + "/tags?sort_key=name&sort_dir=asc")));
    Response appendDup = admin.with("X-Openstack-Append", "true").post(N + "/tags",
        new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "f"))
            .add(new JsonObject().put("name", "b"))));
    assertEquals(409, appendDup.status());
    assertEquals(List.of("b", "c", "d", "e"), tagNames(alice.get(N + "/tags?sort_key=name&sort_dir=asc")));
    Response badBulk = admin.post(N + "/tags", new JsonObject().put("tags", new JsonArray()
        .add(new JsonObject().put("nom", "x"))));
    assertEquals(400, badBulk.status());

    // Paging by marker (a tag name) and limit.
    assertEquals(List.of("b", "c"), tagNames(alice.get(N + "/tags?sort_key=name&sort_dir=asc&limit=2")));
    assertEquals(List.of("d", "e"), tagNames(alice.get(N + "/tags?sort_key=name&sort_dir=asc&limit=2&marker=c")));
    assertEquals(List.of("e", "d"), tagNames(alice.get(N + "/tags?sort_key=name&limit=2")));
    assertEquals(List.of("c", "b"), tagNames(alice.get(N + "/tags?sort_key=name&limit=2&marker=d")));
    assertEquals(404, alice.get(N + "/tags?marker=zz").status());
    assertEquals("Invalid sort direction: x", alice.get(N + "/tags?sort_dir=x").message());

    Response renamed = put(N + "/tags/b", new JsonObject().put("name", "b2"));
    assertEquals(200, renamed.status(), renamed.body());
    assertEquals("b2", renamed.json().getString("name"));
    Response clash = put(N + "/tags/b2", new JsonObject().put("name", "C"));
    assertEquals(409, clash.status());
    assertEquals(200, alice.get(N + "/tags/b2").status());
    Response missing = alice.get(N + "/tags/b");
    assertEquals(404, missing.status());
    assertEquals("The metadata definition tag with name=b was not found in namespace=ns.", missing.message());
    assertEquals(204, admin.delete(N + "/tags/b2").status());
    assertEquals(List.of("c", "d", "e"), tagNames(alice.get(N + "/tags?sort_key=name&sort_dir=asc")));
    // A bulk create replaces every tag.
    admin.post(N + "/tags", new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "z"))));
    assertEquals(List.of("z"), tagNames(alice.get(N + "/tags")));
    assertEquals(204, admin.delete(N + "/tags").status());
    assertTrue(tagNames(alice.get(N + "/tags")).isEmpty());
    assertFalse(admin.get(N).json().containsKey("tags"));
  }
}
