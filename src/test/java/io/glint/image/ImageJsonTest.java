package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The memoised image views and list pages, and the hand-written timestamps, against what they replace. */
class ImageJsonTest {

  private static Image image(String id, Map<String, String> properties, String... tags) {
    Image.Builder b = new Image.Builder();
    b.id = id;
    b.name = "img \u00e9 \"quoted\"";
    b.status = ImageStatus.ACTIVE;
    b.visibility = Visibility.SHARED;
    b.owner = "p1";
    b.size = 1024L;
    b.checksum = "0".repeat(32);
    b.osHashAlgo = "sha512";
    b.osHashValue = "f".repeat(128);
    b.containerFormat = "bare";
    b.diskFormat = "raw";
    b.createdAt = Instant.parse("2026-11-26T17:00:00.123456Z");
    b.updatedAt = Instant.parse("2026-11-26T17:00:01Z");
    b.properties.putAll(properties);
    b.tags.addAll(List.of(tags));
    return b.build();
  }

  @Test
  void aChangedImageIsRenderedAgainNotServedFromTheMemo() {
    String id = UUID.randomUUID().toString();
    Image before = image(id, Map.of("os_distro", "ubuntu"), "a", "b");
    JsonObject first = new JsonObject(ImageJson.toBuffer(before));
    assertEquals("ubuntu", first.getString("os_distro"));
    assertEquals(new JsonArray().add("a").add("b"), first.getJsonArray("tags"));

    Image after = image(id, Map.of("os_distro", "debian"), "a");
    JsonObject second = new JsonObject(ImageJson.toBuffer(after));
    assertEquals("debian", second.getString("os_distro"));
    assertEquals(new JsonArray().add("a"), second.getJsonArray("tags"));
    JsonObject inPage = new JsonObject(ImageJson.page(List.of(after), "/v2/images", null))
        .getJsonArray("images").getJsonObject(0);
    assertEquals(second, inPage);
    assertEquals("2026-11-26T17:00:00Z", second.getString("created_at"));
  }

  @Test
  void aMemoisedPageIsTheSameJsonAsOneRenderedWhole() {
    List<Image> images = List.of(image(UUID.randomUUID().toString(), Map.of("k", "v\u2603", "x", "y"), "t1", "t2"),
        image(UUID.randomUUID().toString(), Map.of(), "t"), image(UUID.randomUUID().toString(), Map.of("a", "b")));
    String next = "/v2/images?limit=3&marker=" + images.get(2).id() + "&name=%C3%A9";
    for (int round = 0; round < 2; round++) { // the second round serves every view from the memo
      String memoised = ImageJson.page(images, "/v2/images?limit=3", next).toString();
      // The locations option renders every image afresh (the path without memo): same JSON apart from locations.
      JsonObject whole = new JsonObject(ImageJson.page(images, "/v2/images?limit=3", next,
          new ImageJson.Options(true, false, false), Map.of()));
      whole.getJsonArray("images").forEach(i -> ((JsonObject) i).remove("locations"));
      assertEquals(whole, new JsonObject(memoised));
      assertEquals(List.of("images", "first", "schema", "next"), List.copyOf(new JsonObject(memoised).fieldNames()));
    }
    JsonObject last = new JsonObject(ImageJson.page(List.of(), "/v2/images", null));
    assertEquals(0, last.getJsonArray("images").size());
    assertNull(last.getString("next"));
    assertEquals("/v2/schemas/images", last.getString("schema"));
  }

  @Test
  void timestampsAreRenderedAsTheFormatterDoes() {
    DateTimeFormatter glance = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      long seconds = (long) (random.nextDouble() * 253_402_300_799L) - (i % 10 == 0 ? 62_135_596_800L : 0);
      Instant instant = Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
      assertEquals(glance.format(instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)),
          IsoTime.render(instant), instant.toString());
    }
    assertEquals("1970-01-01T00:00:00Z", IsoTime.render(Instant.EPOCH));
    assertEquals("9999-12-31T23:59:59Z", IsoTime.render(Instant.parse("9999-12-31T23:59:59.999Z")));
    assertNull(IsoTime.render(null));
  }
}
