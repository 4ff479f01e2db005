package io.glint.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.error.GlintException;
import io.glint.image.ImageQuery.SortKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("List query parsing (Glance's RequestDeserializer.index)")
class ImageQueryParserTest {
  private final ImageQueryParser parser = new ImageQueryParser(25, 1000);

  private ImageQuery parse(String... kv) {
    List<Map.Entry<String, String>> params = new ArrayList<>();
    for (int i = 0; i < kv.length; i += 2) {
      params.add(Map.entry(kv[i], kv[i + 1]));
    }
    return parser.parse(params);
  }

  private void bad(String... kv) {
    GlintException e = assertThrows(GlintException.class, () -> parse(kv));
    assertEquals(GlintException.Kind.BAD_REQUEST, e.kind());
  }

  @Test
  @DisplayName("defaults: limit 25, created_at desc then id desc, accepted members, hidden excluded")
  void defaults() {
    ImageQuery q = parse();
    assertEquals(25, q.limit());
    assertEquals(List.of(new SortKey("created_at", false), new SortKey("id", false)), q.sort());
    assertEquals("accepted", q.memberStatus());
    assertFalse(q.osHidden());
    assertEquals(null, q.visibility());
  }

  @Test
  @DisplayName("limit is capped at api_limit_max and must be a non-negative integer")
  void limits() {
    assertEquals(1000, parse("limit", "5000").limit());
    assertEquals(0, parse("limit", "0").limit());
    bad("limit", "-1");
    bad("limit", "ten");
  }

  @Test
  @DisplayName("classic and new sort syntaxes, tie-breakers in the default direction")
  void sorting() {
    assertEquals(List.of(new SortKey("name", true), new SortKey("created_at", true), new SortKey("id", true)),
        parse("sort_key", "name", "sort_dir", "asc").sort());
    assertEquals(List.of(new SortKey("name", true), new SortKey("size", false), new SortKey("created_at", false),
        new SortKey("id", false)), parse("sort", "name:asc,size").sort());
    assertEquals(List.of(new SortKey("name", true), new SortKey("size", true), new SortKey("created_at", false),
        new SortKey("id", false)), parse("sort_key", "name", "sort_key", "size", "sort_dir", "asc",
        "sort_dir", "asc").sort());
    bad("sort_key", "owner");
    bad("sort_dir", "up");
    bad("sort", "name", "sort_key", "size");
    bad("sort_key", "name", "sort_key", "size", "sort_key", "id", "sort_dir", "asc", "sort_dir", "desc");
  }

  @Test
  @DisplayName("filters: in-lists with quotes, operators, ranges, times, tags, custom properties")
  void filters() {
    ImageQuery q = parse("name", "in:a,\"b,c\",d", "status", "eq:active", "size_min", "10", "tag", "x", "tag", "y",
        "os_distro", "ubuntu", "created_at", "gte:2026-01-01T00:00:00Z", "updated_at", "2026-01-02T00:00:00Z",
        "protected", "true", "os_hidden", "True");
    assertEquals(List.of("a", "b,c", "d"), q.columnFilters().get(0).values());
    assertEquals(List.of("active"), q.columnFilters().get(1).values());
    assertEquals(10, q.ranges().get(0).value());
    assertTrue(q.ranges().get(0).min());
    assertEquals(List.of("x", "y"), q.tags());
    assertEquals(Map.of("os_distro", "ubuntu"), q.properties());
    assertEquals(ImageQuery.TimeOp.GTE, q.times().get(0).op());
    assertEquals(Instant.parse("2026-01-01T00:00:00Z"), q.times().get(0).value());
    assertEquals(ImageQuery.TimeOp.EQ, q.times().get(1).op());
    assertTrue(q.protectedFilter());
    assertTrue(q.osHidden());
    bad("name", "like:x");
    bad("name", "in:\"a,b");
    bad("size_max", "big");
    bad("created_at", "gt:yesterday");
    bad("created_at", "after:2026-01-01T00:00:00Z");
    bad("protected", "True");
    bad("os_hidden", "maybe");
    bad("visibility", "everyone");
    bad("member_status", "maybe");
    bad("changes-since", "2026-01-01T00:00:00Z");
  }

  @Test
  @DisplayName("quoted in-list splitting follows split_filter_value_for_quotes")
  void splitting() {
    assertEquals(List.of("a", "b"), ImageQueryParser.splitQuoted("a,b"));
    assertEquals(List.of("a,b", "c"), ImageQueryParser.splitQuoted("\"a,b\",c"));
    assertEquals(List.of("a\"b"), ImageQueryParser.splitQuoted("\"a\\\"b\""));
    assertThrows(GlintException.class, () -> ImageQueryParser.splitQuoted("\"a\"b"));
    assertThrows(GlintException.class, () -> ImageQueryParser.splitQuoted("a\"b\""));
  }
}
