package io.glint.metadata;

import io.glint.auth.RequestContext;
import io.glint.image.Image;
import io.glint.image.ImageQuery;
import io.glint.image.ImageQuery.ColumnFilter;
import io.glint.image.ImageQuery.RangeFilter;
import io.glint.image.ImageQuery.SortKey;
import io.glint.image.ImageQuery.TimeFilter;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the {@code GET /v2/images} query: Glance's visibility rules ({@code _select_images_query}), filters
 * ({@code _make_conditions_from_filters}) and keyset paging on the sort keys ({@code _paginate_query}, where a
 * NULL sorts and compares as the column type's default: '' or 0).
 *
 * <p>What comes from the caller's credentials and the parser's fixed vocabulary (the project, the member status,
 * {@code os_hidden}, the limit) is written into the statement as literals; only the request's filters and the
 * marker are parameters. The plain list of a project is then a statement without parameters, which PostgreSQL
 * plans once per connection and reuses (the client keeps it prepared), where a parameterised one was planned
 * afresh on every request: the planner found a custom plan cheaper than the generic one each time, and planning
 * took twice as long as running the query (0.15–0.2 ms against 0.06–0.08 ms on 1,000 images). A filtered list
 * or a later page keeps its parameters, and so its custom plans, which a selective filter needs.
 */
final class ImageListSql {

  private static final Set<String> TEXT_COLUMNS = Set.of("name", "id", "status", "container_format", "disk_format",
      "owner", "checksum", "os_hash_value", "os_hash_algo");
  private static final Set<String> NULLABLE_TEXT = Set.of("name", "container_format", "disk_format");

  /** The image columns qualified with the table alias, computed once (this is on every list request). */
  private static final String QUALIFIED_COLUMNS = ImageSql.columns("i");

  private final List<Object> params = new ArrayList<>();
  private final StringBuilder where = new StringBuilder("NOT i.deleted AND i.status <> 'killed'");

  record Statement(String sql, Tuple params) {}

  static Statement build(RequestContext ctx, ImageQuery q, Image marker) {
    return new ImageListSql().make(ctx, q, marker);
  }

  private Statement make(RequestContext ctx, ImageQuery q, Image marker) {
    visibility(ctx, q);
    and("i.os_hidden = " + q.osHidden());
    if (q.protectedFilter() != null) {
      and("i.protected = " + param(q.protectedFilter()));
    }
    for (ColumnFilter f : q.columnFilters()) {
      column(f);
    }
    for (RangeFilter r : q.ranges()) {
      and("i." + r.column() + (r.min() ? " >= " : " <= ") + param(r.value()));
    }
    for (TimeFilter t : q.times()) {
      and("date_trunc('second', i." + t.column() + ") " + t.op().sql() + " " + param(ImageRows.odt(t.value())));
    }
    if (!q.tags().isEmpty()) {
      and("i.tags @> " + param(q.tags().toArray(new String[0])) + "::text[]");
    }
    if (!q.properties().isEmpty()) {
      and("i.properties @> " + param(new JsonObject(new java.util.LinkedHashMap<>(q.properties()))) + "::jsonb");
    }
    if (marker != null) {
      and(markerCondition(q.sort(), marker));
    }
    StringBuilder order = new StringBuilder();
    for (SortKey s : q.sort()) {
      order.append(order.length() == 0 ? "" : ", ").append(expr(s.key())).append(s.ascending() ? " ASC" : " DESC");
    }
    String sql = "SELECT " + QUALIFIED_COLUMNS + " FROM images i WHERE " + where + " ORDER BY " + order + " LIMIT " + q.limit();
    return new Statement(sql, Tuple.from(params));
  }

  private void visibility(RequestContext ctx, ImageQuery q) {
    String project = ctx.owner();
    if (!ctx.admin()) {
      StringBuilder member = new StringBuilder("(i.visibility = 'shared' AND EXISTS (SELECT 1 FROM image_members m "
          + "WHERE m.image_id = i.id AND NOT m.deleted AND m.member = ");
      if (project == null) {
        // Glance would list every shared image that has any member here; nobody is a member of "no project".
        and("i.visibility IN ('public', 'community')");
      } else {
        member.append(literal(project));
        if (!q.memberStatus().equals("all")) {
          member.append(" AND m.status = ").append(literal(q.memberStatus()));
        }
        member.append("))");
        and("(i.visibility IN ('public', 'community') OR i.owner = " + literal(project) + " OR " + member + ")");
      }
    }
    String v = q.visibility();
    if (v != null) {
      if (!v.equals("all")) {
        and("i.visibility = " + param(v));
      }
    } else if (project == null) {
      and("i.visibility <> 'community'");
    } else {
      and("(i.owner = " + literal(project) + " OR i.visibility <> 'community')");
    }
  }

  private void column(ColumnFilter f) {
    String col = "i." + f.column();
    if (TEXT_COLUMNS.contains(f.column())) {
      if (f.values().size() == 1) {
        and(col + " = " + param(f.values().get(0)));
      } else {
        and(col + " = ANY(" + param(f.values().toArray(new String[0])) + "::text[])");
      }
    } else {
      and(col + " = " + param(Long.parseLong(f.values().get(0).strip())));
    }
  }

  private String markerCondition(List<SortKey> sort, Image marker) {
    List<String> alternatives = new ArrayList<>();
    for (int i = 0; i < sort.size(); i++) {
      StringBuilder alt = new StringBuilder("(");
      for (int j = 0; j < i; j++) {
        alt.append(expr(sort.get(j).key())).append(" = ").append(markerValue(sort.get(j).key(), marker))
            .append(" AND ");
      }
      SortKey k = sort.get(i);
      alt.append(expr(k.key())).append(k.ascending() ? " > " : " < ").append(markerValue(k.key(), marker))
          .append(")");
      alternatives.add(alt.toString());
    }
    return "(" + String.join(" OR ", alternatives) + ")";
  }

  private String markerValue(String key, Image m) {
    return switch (key) {
      case "name" -> param(m.name() == null ? "" : m.name()) + "::text";
      case "status" -> param(m.status().wireName()) + "::text";
      case "container_format" -> param(m.containerFormat() == null ? "" : m.containerFormat()) + "::text";
      case "disk_format" -> param(m.diskFormat() == null ? "" : m.diskFormat()) + "::text";
      case "size" -> param(m.size() == null ? 0L : m.size()) + "::bigint";
      case "id" -> param(m.id()) + "::text";
      case "created_at" -> param(ImageRows.odt(m.createdAt())) + "::timestamptz";
      case "updated_at" -> param(ImageRows.odt(m.updatedAt())) + "::timestamptz";
      default -> throw new IllegalArgumentException(key);
    };
  }

  private static String expr(String key) {
    if (NULLABLE_TEXT.contains(key)) {
      return "COALESCE(i." + key + ", '')";
    }
    if (key.equals("size")) {
      return "COALESCE(i.size, 0)";
    }
    return "i." + key;
  }

  private void and(String condition) {
    where.append(" AND ").append(condition);
  }

  /**
   * A string as an SQL literal: in the {@code E''} form, whose escapes (a doubled quote, a doubled backslash) mean
   * the same whatever the server's {@code standard_conforming_strings}.
   */
  static String literal(String value) {
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  private String param(Object value) {
    params.add(value);
    return "$" + params.size();
  }
}
