package io.glint.image;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code GET /v2/images} request: filters, sort order and page. Built by {@link ImageQueryParser};
 * turned into SQL by the metadata layer.
 *
 * @param limit page size, already capped at {@code api_limit_max}
 * @param marker id of the last image of the previous page, or null
 * @param sort sort keys with directions; {@code created_at} and {@code id} are appended as tie-breakers
 * @param visibility the visibility filter, or null for Glance's default set; "all" for everything visible
 * @param memberStatus member status shared images must have to be listed ("all" for any)
 * @param osHidden list hidden images only (true) or non-hidden only (false)
 * @param protectedFilter protected filter, or null
 * @param columnFilters exact or {@code in:} matches on base columns
 * @param ranges {@code <column>_min}/{@code _max} bounds
 * @param times {@code created_at}/{@code updated_at} comparisons
 * @param tags tags that must all be present
 * @param properties custom-property equality filters
 */
public record ImageQuery(
    int limit,
    String marker,
    List<SortKey> sort,
    String visibility,
    String memberStatus,
    boolean osHidden,
    Boolean protectedFilter,
    List<ColumnFilter> columnFilters,
    List<RangeFilter> ranges,
    List<TimeFilter> times,
    List<String> tags,
    Map<String, String> properties) {

  /** Columns that may be sorted on (Glance's {@code _available_sort_keys}). */
  public static final List<String> SORT_KEYS =
      List.of("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at");

  public record SortKey(String key, boolean ascending) {}

  /** {@code column IN (values)}; a bare value or {@code eq:} is a one-element list. */
  public record ColumnFilter(String column, List<String> values) {}

  public record RangeFilter(String column, boolean min, long value) {}

  public enum TimeOp {
    GT(">"), GTE(">="), LT("<"), LTE("<="), EQ("="), NEQ("<>");

    private final String sql;

    TimeOp(String sql) {
      this.sql = sql;
    }

    public String sql() {
      return sql;
    }
  }

  public record TimeFilter(String column, TimeOp op, Instant value) {}
}
