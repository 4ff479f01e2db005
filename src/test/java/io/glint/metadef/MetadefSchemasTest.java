package io.glint.metadef;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api.Response;
import io.glint.testing.ApiTestBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code /v2/schemas/metadefs/*} as Glance 25 renders them ({@code Schema.raw()} and the collection schemas). */
@DisplayName("Metadef schemas")
class MetadefSchemasTest extends ApiTestBase {

  private JsonObject schema(String name) {
    Response r = alice.get("/v2/schemas/metadefs/" + name);
    assertEquals(200, r.status(), name);
    assertEquals("application/json", r.header("Content-Type"));
    return r.json();
  }

  @Test
  @DisplayName("every schema answers with Glance's name, required list, definitions and links")
  void schemas() {
    Map<String, String> names = Map.of("namespace", "namespace", "namespaces", "namespaces",
        "resource_type", "resource_type_association", "resource_types", "resource_type_associations",
        "property", "property", "properties", "properties", "object", "object", "objects", "objects",
        "tag", "tag", "tags", "tags");
    names.forEach((path, name) -> assertEquals(name, schema(path).getString("name"), path));

    JsonObject ns = schema("namespace");
    assertEquals(new JsonArray().add("namespace"), ns.getJsonArray("required"));
    assertEquals(false, ns.getBoolean("additionalProperties"));
    assertEquals(80, ns.getJsonObject("properties").getJsonObject("namespace").getInteger("maxLength"));
    assertEquals(new JsonArray().add("public").add("private"),
        ns.getJsonObject("properties").getJsonObject("visibility").getJsonArray("enum"));
    assertEquals(new JsonArray().add("title").add("type"), ns.getJsonObject("definitions").getJsonObject("property")
        .getJsonObject("additionalProperties").getJsonArray("required"));

    JsonObject collection = schema("namespaces");
    assertEquals(List.of("first", "next", "describedby"),
        collection.getJsonArray("links").stream().map(l -> ((JsonObject) l).getString("rel")).toList());
    JsonObject items = collection.getJsonObject("properties").getJsonObject("namespaces").getJsonObject("items");
    assertFalse(items.containsKey("definitions"));
    assertTrue(collection.containsKey("definitions"));

    assertEquals(new JsonArray().add("title").add("type").add("name"), schema("property").getJsonArray("required"));
    JsonObject properties = schema("properties").getJsonObject("properties").getJsonObject("properties");
    assertEquals("object", properties.getString("type"));
    assertEquals(new JsonArray().add("title").add("type"),
        properties.getJsonObject("additionalProperties").getJsonArray("required"));
    assertEquals(new JsonArray().add("name"), schema("tag").getJsonArray("required"));
    assertEquals(new JsonArray().add("name"), schema("resource_type").getJsonArray("required"));
    assertEquals("#/definitions/property",
        schema("object").getJsonObject("properties").getJsonObject("properties").getString("$ref"));

    Response wrong = admin.send("POST", "/v2/schemas/metadefs/tags", "{}", "application/json");
    assertEquals(405, wrong.status());
    assertEquals("GET", wrong.header("Allow"));
  }
}
