package io.glint.imports;

import static io.glint.imports.ImportTest.assertError;
import static io.glint.imports.ImportTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.glint.testing.Api;
import io.glint.testing.Bytes;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code GET /v2/info/usage} and Glint's per-project limits, enforced with 413 as Glance's unified limits are. */
@DisplayName("Per-project limits and /v2/info/usage")
class ImportQuotasTest {

  @Test
  @DisplayName("limits off: usage is empty; on: usage counts, and create, upload, stage and import are refused past a limit")
  void limits() throws Exception {
    try (TestServer off = TestServer.start(Map.of())) {
      off.reset();
      assertEquals(new JsonObject().put("usage", new JsonObject()),
          Api.as(off, "project-a", "member").get("/v2/info/usage").json());
    }
    try (TestServer on = TestServer.start(Map.of("use_keystone_limits", "true",
        "project_limits.image_count_total", "3", "project_limits.image_size_total", "2",
        "project_limits.image_stage_total", "1", "project_limits.image_count_uploading", "1"))) {
      on.reset();
      Api a = Api.as(on, "project-q", "member");
      String one = create(a, "raw");
      assertEquals(204, a.upload(one, Bytes.random(1536 * 1024, 81)).status());
      JsonObject usage = a.get("/v2/info/usage").json().getJsonObject("usage");
      assertEquals(new JsonObject().put("limit", 2).put("usage", 1), usage.getJsonObject("image_size_total"));
      assertEquals(new JsonObject().put("limit", 3).put("usage", 1), usage.getJsonObject("image_count_total"));
      assertEquals(new JsonObject().put("limit", 1).put("usage", 0), usage.getJsonObject("image_stage_total"));
      assertEquals(new JsonObject().put("limit", 1).put("usage", 0), usage.getJsonObject("image_count_uploading"));

      String two = create(a, "raw");
      assertError(413, "Project project-q is over a limit for [Resource image_size_total is over limit of 2 due to "
          + "current usage 1 and delta 2]", a.upload(two, Bytes.random(2 * 1024 * 1024, 82)));
      assertError(413, "Project project-q is over a limit for [Resource image_stage_total is over limit of 1 due to "
          + "current usage 0 and delta 2]", stage(a, two, Bytes.random(2 * 1024 * 1024, 83)));
      assertEquals(204, stage(a, two, Bytes.random(1024 * 1024, 84)).status());
      assertEquals(1, a.get("/v2/info/usage").json().getJsonObject("usage").getJsonObject("image_count_uploading")
          .getLong("usage"));
      String three = create(a, "raw");
      assertError(413, "Project project-q is over a limit for [Resource image_count_uploading is over limit of 1 due "
          + "to current usage 1 and delta 1]", stage(a, three, Bytes.random(1000, 85)));
      assertError(413, "Project project-q is over a limit for [Resource image_count_total is over limit of 3 due to "
          + "current usage 3 and delta 1]", a.post("/v2/images", new JsonObject().put("name", "four")));
      // glance-direct of the staged MiB: 1 stored + 1 staged = 2 ≤ 2.
      assertEquals(202, importImage(a, two, method("glance-direct")).status());
      assertEquals("success", awaitTask(a, two).getString("status"));
      assertEquals(2, a.get("/v2/info/usage").json().getJsonObject("usage").getJsonObject("image_size_total")
          .getLong("usage"));
    }
  }
}
