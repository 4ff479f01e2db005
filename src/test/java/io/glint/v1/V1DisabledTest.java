package io.glint.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code enable_v1_api = false}: no v1 in the versions document, and {@code /v1/...} gets the version choices. */
@DisplayName("enable_v1_api = false: v1 neither listed nor served")
class V1DisabledTest extends ApiTestBase {
  private static TestServer off;

  @BeforeAll
  static void start() {
    off = TestServer.start(Map.of("enable_v1_api", "false"));
  }

  @AfterAll
  static void stop() {
    off.close();
  }

  @Test
  @DisplayName("/versions lists v2 only; /v1/images and /v1.1/images answer 300 with the choices")
  void disabled() {
    Api anon = Api.anonymous(off);
    Api.Response versions = anon.get("/versions");
    assertTrue(versions.json().getJsonArray("versions").stream()
        .noneMatch(v -> ((JsonObject) v).getString("id").startsWith("v1")), versions::toString);
    Api caller = Api.as(off, "project-a", "member");
    assertEquals(300, caller.get("/v1/images").status());
    assertEquals(300, caller.get("/v1.1/images").status());
    assertEquals(200, caller.get("/v2/images").status());
  }
}
