package io.glint.image;

import io.glint.error.GlintException;
import io.glint.image.ImageQuery.ColumnFilter;
import io.glint.image.ImageQuery.RangeFilter;
import io.glint.image.ImageQuery.SortKey;
import io.glint.image.ImageQuery.TimeFilter;
import io.glint.image.ImageQuery.TimeOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses the query string of {@code GET /v2/images} as Glance's {@code RequestDeserializer.index} and
 * {@code _make_conditions_from_filters} do, with Glance's error messages. Unknown parameters are
 * custom-property filters.
 */
public final class ImageQueryParser {

  private static final Set<String> IN_COLUMNS = Set.of("name", "id", "status", "container_format", "disk_format");
  private static final Set<String> EQ_COLUMNS =
      Set.of("owner", "checksum", "os_hash_value", "os_hash_algo", "size", "virtual_size", "min_disk", "min_ram");
  private static final Set<String> RANGE_COLUMNS = Set.of("size", "virtual_size", "min_disk", "min_ram");
  private static final Set<String> VISIBILITIES = Set.of("community", "public", "private", "shared", "all");
  private static final Set<String> MEMBER_STATUSES = Set.of("pending", "accepted", "rejected", "all");
  private static final Set<String> IGNORED = Set.of("deleted", "deleted_at", "is_public");

  private final int limitDefault;
  private final int limitMax;

  public ImageQueryParser(int limitDefault, int limitMax) {
    this.limitDefault = limitDefault;
    this.limitMax = limitMax;
  }

  /** Parses the parameters, given in request order (a parameter may repeat). Errors come in Glance's order. */
  public ImageQuery parse(List<Map.Entry<String, String>> params) {
    String limitParam = null;
    String marker = null;
    String memberStatus = null;
    String sortParam = null;
    List<String> sortKeys = new ArrayList<>();
    List<String> sortDirs = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    Map<String, String> filters = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : params) {
      String key = p.getKey();
      String value = p.getValue();
      switch (key) {
        case "limit" -> limitParam = limitParam == null ? value : limitParam;
        case "marker" -> marker = marker == null ? value : marker;
        case "member_status" -> memberStatus = memberStatus == null ? value : memberStatus;
        case "sort" -> sortParam = sortParam == null ? value : sortParam;
        case "sort_key" -> sortKeys.add(value.strip());
        case "sort_dir" -> sortDirs.add(value.strip());
        case "tag" -> tags.add(value.strip());
        default -> filters.put(key, value);
      }
    }
    String visibility = filters.remove("visibility");
    if (visibility != null && !visibility.isEmpty() && !VISIBILITIES.contains(visibility)) {
      throw GlintException.badRequest("Invalid visibility value: " + visibility);
    }
    if (filters.containsKey("changes-since")) {
      throw GlintException.badRequest("The \"changes-since\" filter is no longer available on v2.");
    }
    if (memberStatus == null) {
      memberStatus = "accepted";
    } else if (!MEMBER_STATUSES.contains(memberStatus)) {
      throw GlintException.badRequest("Invalid status: " + memberStatus);
    }
    int limit = parseLimit(limitParam);
    List<SortKey> sort = parseSort(sortParam, sortKeys, sortDirs);
    return parseFilters(limit, marker, sort, visibility == null || visibility.isEmpty() ? null : visibility,
        memberStatus, tags, filters);
  }

  private int parseLimit(String value) {
    if (value == null) {
      return Math.min(limitDefault, limitMax);
    }
    java.math.BigInteger limit;
    try {
      limit = new java.math.BigInteger(value.strip());
    } catch (NumberFormatException e) {
      throw GlintException.badRequest("limit param must be an integer");
    }
    if (limit.signum() < 0) {
      throw GlintException.badRequest("limit param must be positive");
    }
    return limit.min(java.math.BigInteger.valueOf(limitMax)).intValue();
  }

  private static List<SortKey> parseSort(String sortParam, List<String> keys, List<String> dirs) {
    List<SortKey> sort = new ArrayList<>();
    if (sortParam != null) {
      if (!keys.isEmpty() || !dirs.isEmpty()) {
        throw GlintException.badRequest("Old and new sorting syntax cannot be combined");
      }
      for (String item : sortParam.strip().split(",", -1)) {
        int colon = item.indexOf(':');
        String key = colon < 0 ? item : item.substring(0, colon);
        String dir = colon < 0 ? "" : item.substring(colon + 1);
        if (dir.isEmpty()) {
          dir = "desc";
        }
        sort.add(new SortKey(validSortKey(key.strip()), ascending(dir.strip())));
      }
    } else {
      for (String k : keys) {
        validSortKey(k);
      }
      for (String d : dirs) {
        ascending(d);
      }
      if (dirs.size() > 1 && dirs.size() != keys.size()) {
        throw GlintException.badRequest("Number of sort dirs does not match the number of sort keys");
      }
      List<Boolean> parsedDirs = new ArrayList<>();
      for (String d : dirs) {
        parsedDirs.add(ascending(d));
      }
      if (keys.isEmpty()) {
        keys = List.of("created_at");
      }
      boolean defaultAsc = parsedDirs.size() == 1 && parsedDirs.get(0);
      for (int i = 0; i < keys.size(); i++) {
        boolean asc = parsedDirs.size() > 1 ? parsedDirs.get(i) : defaultAsc;
        sort.add(new SortKey(validSortKey(keys.get(i)), asc));
      }
    }
    // Glance appends created_at and id, in the first key's default direction, to make the order total.
    boolean tieAsc = sortParam == null
        ? dirs.size() == 1 && "asc".equals(dirs.get(0))
        : sort.size() == 1 && sort.get(0).ascending();
    for (String tie : List.of("created_at", "id")) {
      if (sort.stream().noneMatch(s -> s.key().equals(tie))) {
        sort.add(new SortKey(tie, tieAsc));
      }
    }
    return List.copyOf(sort);
  }

  private static String validSortKey(String key) {
    if (!ImageQuery.SORT_KEYS.contains(key)) {
      throw GlintException.badRequest("Invalid sort key: " + key + ". It must be one of the following: "
          + String.join(", ", ImageQuery.SORT_KEYS) + ".");
    }
    return key;
  }

  private static boolean ascending(String dir) {
    return switch (dir) {
      case "asc" -> true;
      case "desc" -> false;
      default -> throw GlintException.badRequest("Invalid sort direction: " + dir);
    };
  }

  private static ImageQuery parseFilters(int limit, String marker, List<SortKey> sort, String visibility,
      String memberStatus, List<String> tags, Map<String, String> filters) {
    String hidden = filters.remove("os_hidden");
    boolean hiddenFilter = booleanFilter("os_hidden", hidden == null ? "false" : hidden.toLowerCase(Locale.ROOT));
    String prot = filters.remove("protected");
    Boolean protectedFilter = prot == null ? null : booleanFilter("protected", prot);
    List<ColumnFilter> columns = new ArrayList<>();
    List<RangeFilter> ranges = new ArrayList<>();
    List<TimeFilter> times = new ArrayList<>();
    Map<String, String> properties = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : filters.entrySet()) {
      String key = f.getKey();
      String value = f.getValue();
      if (IGNORED.contains(key)) {
        continue;
      }
      if (key.endsWith("_min") || key.endsWith("_max")) {
        String column = key.substring(0, key.length() - 4);
        long bound;
        try {
          bound = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
          throw GlintException.badRequest("Unable to filter on a range with a non-numeric value.");
        }
        if (!RANGE_COLUMNS.contains(column)) {
          throw GlintException.badRequest("Unable to filter on a range of '" + column + "'.");
        }
        ranges.add(new RangeFilter(column, key.endsWith("_min"), bound));
      } else if (key.equals("created_at") || key.equals("updated_at")) {
        times.add(parseTime(key, value));
      } else if (IN_COLUMNS.contains(key)) {
        columns.add(new ColumnFilter(key, parseInValues(value)));
      } else if (EQ_COLUMNS.contains(key)) {
        if (RANGE_COLUMNS.contains(key)) {
          try {
            Long.parseLong(value.strip());
          } catch (NumberFormatException e) {
            throw GlintException.badRequest("Invalid value '" + value + "' for '" + key + "' filter.");
          }
        }
        columns.add(new ColumnFilter(key, List.of(value)));
      } else {
        properties.put(key, value);
      }
    }
    return new ImageQuery(limit, marker, sort, visibility, memberStatus, hiddenFilter, protectedFilter,
        List.copyOf(columns), List.copyOf(ranges), List.copyOf(times), List.copyOf(tags), properties);
  }

  /** A {@code true}/{@code false} filter ({@code os_hidden}, {@code protected}); 400 for any other value. */
  private static boolean booleanFilter(String name, String value) {
    if (!value.equals("true") && !value.equals("false")) {
      throw GlintException.badRequest(
          "Invalid value '" + value + "' for '" + name + "' filter. Valid values are 'true' or 'false'.");
    }
    return value.equals("true");
  }

  /** {@code in:a,b}, {@code eq:a} or a bare value, as Glance's {@code split_filter_op}. */
  static List<String> parseInValues(String expression) {
    int colon = expression.indexOf(':');
    if (colon < 0 || IsoTime.parse(expression) != null) {
      return List.of(expression);
    }
    String op = expression.substring(0, colon);
    String rest = expression.substring(colon + 1);
    return switch (op) {
      case "in" -> splitQuoted(rest);
      case "eq" -> List.of(rest);
      default -> throw GlintException.badRequest("Unable to filter by unknown operator '" + op + "'.");
    };
  }

  /** Splits {@code a,"b,c",d} on commas outside double quotes ({@code split_filter_value_for_quotes}). */
  static List<String> splitQuoted(String value) {
    int quotes = 0;
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
        quotes++;
      }
    }
    if (quotes % 2 != 0) {
      throw GlintException.badRequest("Invalid filter value " + value + ". The quote is not closed.");
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = value.length();
    while (i < n) {
      char c = value.charAt(i);
      if (c == '"') {
        StringBuilder sb = new StringBuilder();
        i++;
        while (i < n && value.charAt(i) != '"') {
          if (value.charAt(i) == '\\' && i + 1 < n) {
            sb.append(value.charAt(i + 1));
            i += 2;
          } else {
            sb.append(value.charAt(i++));
          }
        }
        i++; // closing quote
        if (i < n && value.charAt(i) != ',') {
          throw GlintException.badRequest(
              "Invalid filter value " + value + ". There is no comma after closing quotation mark.");
        }
        i++; // comma
        out.add(sb.toString());
      } else if (c == ',') {
        out.add("");
        i++;
      } else {
        int end = value.indexOf(',', i);
        if (end < 0) {
          end = n;
        }
        String item = value.substring(i, end);
        if (item.indexOf('"') >= 0) {
          throw GlintException.badRequest(
              "Invalid filter value " + value + ". There is no comma before opening quotation mark.");
        }
        out.add(item);
        i = end + 1;
      }
    }
    return List.copyOf(out);
  }

  private static TimeFilter parseTime(String column, String expression) {
    String op = "eq";
    String time = expression;
    if (IsoTime.parse(expression) == null) {
      int colon = expression.indexOf(':');
      if (colon >= 0) {
        op = expression.substring(0, colon);
        time = expression.substring(colon + 1);
      }
    }
    Instant instant = IsoTime.parse(time);
    if (instant == null) {
      throw GlintException.badRequest(
          "Bad \"" + column + "\" query filter format. Use ISO 8601 DateTime notation.");
    }
    TimeOp timeOp = switch (op) {
      case "gt" -> TimeOp.GT;
      case "gte" -> TimeOp.GTE;
      case "lt" -> TimeOp.LT;
      case "lte" -> TimeOp.LTE;
      case "eq" -> TimeOp.EQ;
      case "neq" -> TimeOp.NEQ;
      default -> throw GlintException.badRequest("Unable to filter on a unknown operator.");
    };
    return new TimeFilter(column, timeOp, instant);
  }
}
