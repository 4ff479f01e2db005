package io.glint.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The caller's token on the request context, and Glance's get_glance_endpoint over its catalog. */
class CallerTokenTest {

  private static JsonObject endpoint(String region, String regionId, String iface, String url) {
    JsonObject e = new JsonObject().put("interface", iface).put("url", url).put("id", "e");
    if (region != null) {
      e.put("region", region);
    }
    if (regionId != null) {
      e.put("region_id", regionId);
    }
    return e;
  }

  @Test
  @DisplayName("only image endpoints are kept, with region (else region_id); lookup ignores the region's case")
  void catalog() {
    JsonArray catalog = new JsonArray()
        .add(new JsonObject().put("type", "identity").put("endpoints", new JsonArray()
            .add(endpoint("RegionTwo", "RegionTwo", "public", "http://keystone"))))
        .add(new JsonObject().put("type", "image").put("endpoints", new JsonArray()
            .add(endpoint("RegionOne", "RegionOne", "public", "http://one"))
            .add(endpoint(null, "RegionTwo", "internal", "http://two-internal"))
            .add(endpoint("RegionTwo", "RegionTwo", "public", "http://two-public"))));
    List<CallerToken.Endpoint> endpoints = KeystoneToken.imageEndpoints(catalog);
    assertEquals(3, endpoints.size());
    CallerToken token = new CallerToken("secret-token", endpoints);
    assertEquals(Optional.of("http://two-public"), token.imageEndpoint("regiontwo", "public"));
    assertEquals(Optional.of("http://two-internal"), token.imageEndpoint("RegionTwo", "INTERNAL"));
    assertEquals(Optional.empty(), token.imageEndpoint("RegionTwo", "admin"));
    assertEquals(Optional.empty(), token.imageEndpoint("RegionThree", "public"));
    assertTrue(KeystoneToken.imageEndpoints(null).isEmpty(), "no catalog (?nocatalog): no endpoint");
  }

  @Test
  @DisplayName("the token never shows in logs: neither its own toString nor the request context's")
  void neverPrinted() {
    CallerToken token = new CallerToken("secret-token", List.of());
    RequestContext ctx = new RequestContext("u", "p", java.util.Set.of("member"), false, false, "req", null, null,
        null, java.util.Set.of(), token);
    assertFalse(token.toString().contains("secret-token"));
    assertFalse(ctx.toString().contains("secret-token"));
    assertEquals("secret-token", ctx.withAdmin(true).token().id(), "kept when admin is decided");
  }
}
