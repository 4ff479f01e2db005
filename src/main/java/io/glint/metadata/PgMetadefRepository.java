package io.glint.metadata;

import static io.glint.metadata.MetadefSql.*;

import io.glint.error.GlintException;
import io.glint.metadef.Association;
import io.glint.metadef.MetaObject;
import io.glint.metadef.MetadefRepository;
import io.glint.metadef.Namespace;
import io.glint.metadef.NamespaceContent;
import io.glint.metadef.NamespaceFields;
import io.glint.metadef.NamespaceQuery;
import io.glint.metadef.Property;
import io.glint.metadef.ResourceType;
import io.glint.metadef.Tag;
import io.glint.metadef.TagQuery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/** The metadata definitions catalogue in PostgreSQL. */
public final class PgMetadefRepository implements MetadefRepository {
  private static final String UNIQUE_VIOLATION = "23505";
  private static final Set<String> NAMESPACE_SORT_KEYS = Set.of("namespace", "created_at", "updated_at");
  private static final Set<String> TAG_SORT_KEYS = Set.of("name", "created_at", "updated_at");

  private final Pool pool;

  public PgMetadefRepository(Pool pool) {
    this.pool = pool;
  }

  // ---------------------------------------------------------------------------------------------- namespaces

  /** The list query of {@code q} and its parameters (also used by the tests' {@code EXPLAIN}). */
  public static Map.Entry<String, Tuple> listQuery(NamespaceQuery q) {
    if (!NAMESPACE_SORT_KEYS.contains(q.sortKey())) {
      throw new IllegalArgumentException(q.sortKey());
    }
    Tuple params = Tuple.tuple();
    List<String> where = new ArrayList<>();
    if (!q.admin()) {
      params.addString(q.owner());
      where.add(VISIBLE);
    } else {
      params.addString(null);
      where.add("$1::text IS NULL");
    }
    if (q.resourceTypes() != null) {
      params.addArrayOfString(q.resourceTypes().toArray(new String[0]));
      where.add(WITH_RESOURCE_TYPES);
    }
    if (q.visibility() != null) {
      params.addString(q.visibility());
      where.add("visibility = $" + params.size());
    }
    List<String> keys = new ArrayList<>(List.of("created_at", "id"));
    if (!keys.contains(q.sortKey())) {
      keys.add(0, q.sortKey());
    }
    if (q.marker() != null) {
      Namespace m = q.marker();
      List<String> holders = new ArrayList<>();
      for (String key : keys) {
        switch (key) {
          case "namespace" -> params.addString(m.namespace());
          case "created_at" -> params.addOffsetDateTime(odt(m.createdAt()));
          case "updated_at" -> params.addOffsetDateTime(odt(m.updatedAt()));
          default -> params.addLong(m.id());
        }
        holders.add("$" + params.size());
      }
      where.add("(" + String.join(", ", keys) + ") " + (q.ascending() ? ">" : "<") + " ("
          + String.join(", ", holders) + ")");
    }
    String dir = q.ascending() ? " ASC" : " DESC";
    params.addInteger(q.limit());
    String sql = "SELECT " + NS_COLUMNS + " FROM metadef_namespaces WHERE " + String.join(" AND ", where)
        + " ORDER BY " + String.join(dir + ", ", keys) + dir + " LIMIT $" + params.size();
    return Map.entry(sql, params);
  }

  @Override
  public Future<List<Namespace>> listNamespaces(NamespaceQuery q) {
    Map.Entry<String, Tuple> query = listQuery(q);
    return pool.preparedQuery(query.getKey()).execute(query.getValue())
        .map(rows -> all(rows, PgMetadefRepository::namespace));
  }

  @Override
  public Future<Optional<Namespace>> findNamespace(String name) {
    return pool.preparedQuery(FIND_NAMESPACE).execute(Tuple.of(name))
        .map(rows -> first(rows, PgMetadefRepository::namespace));
  }

  @Override
  public Future<Namespace> createNamespace(NamespaceContent content) {
    return pool.withTransaction(conn -> insertNamespace(conn, content.fields(), now())
        .compose(ns -> insertChildren(conn, ns, content, false, false).map(ns)));
  }

  private Future<Namespace> insertNamespace(SqlClient conn, NamespaceFields f, OffsetDateTime now) {
    return conn.preparedQuery(INSERT_NAMESPACE)
        .execute(Tuple.of(f.namespace(), f.displayName(), f.description(), f.visibility(), f.isProtected(),
            f.owner(), now))
        .map(rows -> namespace(rows.iterator().next()))
        .recover(e -> Future.failedFuture(isDuplicate(e)
            ? GlintException.conflict("The metadata definition namespace=" + f.namespace() + " already exists.")
            : e));
  }

  /**
   * Inserts a namespace's children. {@code merge}: an existing child is kept ({@code preferNew}: replaced);
   * otherwise a duplicate is a conflict with Glance's message.
   */
  private Future<Void> insertChildren(SqlClient conn, Namespace ns, NamespaceContent c, boolean merge,
      boolean preferNew) {
    OffsetDateTime now = now();
    Future<Void> chain = Future.succeededFuture();
    for (Association a : c.associations()) {
      chain = chain.compose(v -> insertAssociation(conn, ns, a, now, merge, preferNew).mapEmpty());
    }
    for (Property p : c.properties()) {
      String sql = !merge ? INSERT_PROPERTY : preferNew ? UPSERT_PROPERTY : INSERT_PROPERTY_IF_NEW;
      chain = chain.compose(v -> conn.preparedQuery(sql).execute(Tuple.of(ns.id(), p.name(), p.schema(), now))
          .<Void>mapEmpty()
          .recover(duplicateAs(() -> duplicateProperty(p.name(), ns))));
    }
    for (MetaObject o : c.objects()) {
      String sql = !merge ? INSERT_OBJECT : preferNew ? UPSERT_OBJECT : INSERT_OBJECT_IF_NEW;
      chain = chain.compose(v -> conn.preparedQuery(sql)
          .execute(Tuple.of(ns.id(), o.name(), o.description(), required(o.required()), o.properties(), now))
          .<Void>mapEmpty()
          .recover(duplicateAs(() -> duplicateObject(o.name(), ns))));
    }
    for (String t : c.tags()) {
      String sql = merge ? INSERT_TAG_IF_NEW : INSERT_TAG;
      chain = chain.compose(v -> conn.preparedQuery(sql).execute(Tuple.of(ns.id(), t, now))
          .<Void>mapEmpty()
          .recover(duplicateAs(() -> duplicateTag(t, ns))));
    }
    return chain;
  }

  private Future<Association> insertAssociation(SqlClient conn, Namespace ns, Association a, OffsetDateTime now,
      boolean upsert, boolean preferNew) {
    String sql = !upsert ? INSERT_ASSOCIATION : preferNew ? UPSERT_ASSOCIATION
        : INSERT_ASSOCIATION + " ON CONFLICT DO NOTHING";
    return conn.preparedQuery(INSERT_RESOURCE_TYPE).execute(Tuple.of(a.name(), false, now))
        .compose(rows -> conn.preparedQuery(sql)
            .execute(Tuple.of(rows.iterator().next().getLong(0), ns.id(), a.prefix(), a.propertiesTarget(), now)))
        .map(rows -> new Association(a.name(), a.prefix(), a.propertiesTarget(), now.toInstant(), now.toInstant()))
        .recover(duplicateAs(() -> GlintException.conflict(
            "The metadata definition resource-type association of resource-type=" + a.name() + " to namespace="
                + ns.namespace() + " already exists.")));
  }

  @Override
  public Future<Namespace> updateNamespace(Namespace current, NamespaceFields f) {
    return pool.preparedQuery(UPDATE_NAMESPACE)
        .execute(Tuple.of(current.id(), f.namespace(), f.displayName(), f.description(), f.visibility(),
            f.isProtected(), f.owner(), now()))
        .map(rows -> first(rows, PgMetadefRepository::namespace).orElseThrow(() -> namespaceGone(current)))
        .recover(duplicateAs(() -> GlintException.conflict(
            "Invalid update. It would result in a duplicate metadata definition namespace with the same name of "
                + f.namespace())));
  }

  @Override
  public Future<Void> deleteNamespace(long id) {
    return pool.preparedQuery(DELETE_NAMESPACE).execute(Tuple.of(id)).mapEmpty();
  }

  @Override
  public Future<Void> deleteProperties(long namespaceId) {
    return pool.preparedQuery(DELETE_PROPERTIES).execute(Tuple.of(namespaceId)).mapEmpty();
  }

  @Override
  public Future<Void> deleteObjects(long namespaceId) {
    return pool.preparedQuery(DELETE_OBJECTS).execute(Tuple.of(namespaceId)).mapEmpty();
  }

  @Override
  public Future<Void> deleteTags(long namespaceId) {
    return pool.preparedQuery(DELETE_TAGS).execute(Tuple.of(namespaceId)).mapEmpty();
  }

  // ---------------------------------------------------------------------------------------------- resource types

  @Override
  public Future<List<ResourceType>> listResourceTypes() {
    return pool.query(LIST_RESOURCE_TYPES).execute()
        .map(rows -> all(rows, r -> new ResourceType(r.getString(0), instant(r.getOffsetDateTime(1)),
            instant(r.getOffsetDateTime(2)))));
  }

  @Override
  public Future<List<Association>> associations(long namespaceId) {
    return pool.preparedQuery(ASSOCIATIONS).execute(Tuple.of(namespaceId))
        .map(rows -> all(rows, r -> association(r, 0)));
  }

  @Override
  public Future<Map<Long, List<Association>>> associations(List<Long> namespaceIds) {
    if (namespaceIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery(ASSOCIATIONS_OF).execute(Tuple.of(namespaceIds.toArray(new Long[0])))
        .map(rows -> {
          Map<Long, List<Association>> out = new LinkedHashMap<>();
          rows.forEach(r -> out.computeIfAbsent(r.getLong(0), k -> new ArrayList<>()).add(association(r, 1)));
          return out;
        });
  }

  @Override
  public Future<Association> associate(Namespace ns, Association association) {
    return pool.withTransaction(conn -> insertAssociation(conn, ns, association, now(), false, false));
  }

  @Override
  public Future<Boolean> dissociate(long namespaceId, String resourceType) {
    return pool.preparedQuery(DELETE_ASSOCIATION).execute(Tuple.of(namespaceId, resourceType))
        .map(rows -> rows.rowCount() > 0);
  }

  // ---------------------------------------------------------------------------------------------- properties

  @Override
  public Future<List<Property>> properties(long namespaceId) {
    return pool.preparedQuery(PROPERTIES).execute(Tuple.of(namespaceId))
        .map(rows -> all(rows, r -> new Property(r.getString(0), r.getString(1))));
  }

  @Override
  public Future<Optional<Property>> findProperty(long namespaceId, String name) {
    return pool.preparedQuery(FIND_PROPERTY).execute(Tuple.of(namespaceId, name))
        .map(rows -> first(rows, r -> new Property(r.getString(0), r.getString(1))));
  }

  @Override
  public Future<Property> addProperty(Namespace ns, Property p) {
    return pool.preparedQuery(INSERT_PROPERTY).execute(Tuple.of(ns.id(), p.name(), p.schema(), now()))
        .map(p)
        .recover(duplicateAs(() -> duplicateProperty(p.name(), ns)));
  }

  @Override
  public Future<Property> updateProperty(Namespace ns, String oldName, Property p) {
    return pool.preparedQuery(UPDATE_PROPERTY).execute(Tuple.of(ns.id(), oldName, p.name(), p.schema(), now()))
        .map(rows -> {
          if (rows.rowCount() == 0) {
            throw propertyNotFound(oldName, ns);
          }
          return p;
        })
        .recover(duplicateAs(() -> duplicateByUpdate("property", p.name(), ns)));
  }

  @Override
  public Future<Boolean> removeProperty(long namespaceId, String name) {
    return pool.preparedQuery(DELETE_PROPERTY).execute(Tuple.of(namespaceId, name)).map(r -> r.rowCount() > 0);
  }

  // ---------------------------------------------------------------------------------------------- objects

  @Override
  public Future<List<MetaObject>> objects(long namespaceId) {
    return pool.preparedQuery(OBJECTS).execute(Tuple.of(namespaceId))
        .map(rows -> all(rows, PgMetadefRepository::object));
  }

  @Override
  public Future<Optional<MetaObject>> findObject(long namespaceId, String name) {
    return pool.preparedQuery(FIND_OBJECT).execute(Tuple.of(namespaceId, name))
        .map(rows -> first(rows, PgMetadefRepository::object));
  }

  @Override
  public Future<MetaObject> addObject(Namespace ns, MetaObject o) {
    OffsetDateTime now = now();
    return pool.preparedQuery(INSERT_OBJECT)
        .execute(Tuple.of(ns.id(), o.name(), o.description(), required(o.required()), o.properties(), now))
        .map(rows -> new MetaObject(o.name(), o.description(), o.required(), o.properties(), now.toInstant(),
            now.toInstant()))
        .recover(duplicateAs(() -> duplicateObject(o.name(), ns)));
  }

  @Override
  public Future<MetaObject> updateObject(Namespace ns, String oldName, MetaObject o) {
    return pool.preparedQuery(UPDATE_OBJECT)
        .execute(Tuple.of(ns.id(), oldName, o.name(), o.description(), required(o.required()), o.properties(),
            now()))
        .map(rows -> first(rows, PgMetadefRepository::object).orElseThrow(() -> objectNotFound(oldName, ns)))
        .recover(duplicateAs(() -> duplicateByUpdate("object", o.name(), ns)));
  }

  @Override
  public Future<Boolean> removeObject(long namespaceId, String name) {
    return pool.preparedQuery(DELETE_OBJECT).execute(Tuple.of(namespaceId, name)).map(r -> r.rowCount() > 0);
  }

  // ---------------------------------------------------------------------------------------------- tags

  @Override
  public Future<List<Tag>> tags(TagQuery q) {
    if (!TAG_SORT_KEYS.contains(q.sortKey())) {
      throw new IllegalArgumentException(q.sortKey());
    }
    List<String> keys = new ArrayList<>(List.of("created_at", "id"));
    if (!keys.contains(q.sortKey())) {
      keys.add(0, q.sortKey());
    }
    String dir = q.ascending() ? " ASC" : " DESC";
    String order = " ORDER BY " + String.join(dir + ", ", keys) + dir;
    String cols = String.join(", ", keys);
    StringBuilder sql = new StringBuilder("SELECT " + TAG_COLUMNS + " FROM metadef_tags t WHERE namespace_id = $1");
    Tuple params = Tuple.of(q.namespaceId());
    if (q.markerName() != null) {
      params.addString(q.markerName());
      sql.append(" AND (").append(cols).append(") ").append(q.ascending() ? ">" : "<")
          .append(" (SELECT ").append(cols).append(" FROM metadef_tags WHERE namespace_id = $1 AND name = $2)");
    }
    sql.append(order);
    if (q.limit() != null) {
      params.addInteger(q.limit());
      sql.append(" LIMIT $").append(params.size());
    }
    return pool.preparedQuery(sql.toString()).execute(params).map(rows -> all(rows, PgMetadefRepository::tag));
  }

  @Override
  public Future<Optional<Tag>> findTag(long namespaceId, String name) {
    return pool.preparedQuery(FIND_TAG).execute(Tuple.of(namespaceId, name))
        .map(rows -> first(rows, PgMetadefRepository::tag));
  }

  @Override
  public Future<Tag> addTag(Namespace ns, String name) {
    return pool.preparedQuery(INSERT_TAG).execute(Tuple.of(ns.id(), name, now()))
        .map(rows -> tag(rows.iterator().next()))
        .recover(duplicateAs(() -> duplicateTag(name, ns)));
  }

  @Override
  public Future<List<Tag>> addTags(Namespace ns, List<String> names, boolean append) {
    OffsetDateTime now = now();
    return pool.withTransaction(conn -> {
      Future<Void> chain = append ? Future.succeededFuture()
          : conn.preparedQuery(DELETE_TAGS).execute(Tuple.of(ns.id())).mapEmpty();
      List<Tag> out = new ArrayList<>();
      for (String name : names) {
        chain = chain.compose(v -> conn.preparedQuery(INSERT_TAG).execute(Tuple.of(ns.id(), name, now))
            .map(rows -> out.add(tag(rows.iterator().next())))
            .<Void>mapEmpty()
            .recover(duplicateAs(() -> duplicateTag(name, ns))));
      }
      return chain.map(v -> out);
    });
  }

  @Override
  public Future<Tag> renameTag(Namespace ns, String oldName, String newName) {
    return pool.preparedQuery(RENAME_TAG).execute(Tuple.of(ns.id(), oldName, newName, now()))
        .map(rows -> first(rows, PgMetadefRepository::tag).orElseThrow(() -> tagNotFound(oldName, ns)))
        .recover(duplicateAs(() -> duplicateTag(newName, ns)));
  }

  @Override
  public Future<Boolean> removeTag(long namespaceId, String name) {
    return pool.preparedQuery(DELETE_TAG).execute(Tuple.of(namespaceId, name)).map(r -> r.rowCount() > 0);
  }

  // ---------------------------------------------------------------------------------------------- catalogue

  @Override
  public Future<List<String>> namespaceNames() {
    return pool.query(NAMESPACE_NAMES).execute().map(rows -> all(rows, r -> r.getString(0)));
  }

  @Override
  public Future<Void> load(List<NamespaceContent> contents, boolean merge, boolean preferNew, boolean overwrite) {
    return pool.withTransaction(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (NamespaceContent c : contents) {
        chain = chain.compose(v -> loadOne(conn, c, merge, preferNew, overwrite));
      }
      return chain;
    });
  }

  private Future<Void> loadOne(SqlClient conn, NamespaceContent c, boolean merge, boolean preferNew,
      boolean overwrite) {
    NamespaceFields f = c.fields();
    return conn.preparedQuery(FIND_NAMESPACE).execute(Tuple.of(f.namespace()))
        .map(rows -> first(rows, PgMetadefRepository::namespace))
        .compose(existing -> {
          if (existing.isPresent() && overwrite) {
            return conn.preparedQuery(DELETE_NAMESPACE).execute(Tuple.of(existing.get().id()))
                .compose(r -> insertNamespace(conn, f, now()))
                .compose(ns -> insertChildren(conn, ns, c, false, false));
          }
          if (existing.isEmpty()) {
            return insertNamespace(conn, f, now()).compose(ns -> insertChildren(conn, ns, c, false, false));
          }
          if (!merge) {
            return Future.succeededFuture();
          }
          Future<Namespace> ns = preferNew
              ? conn.preparedQuery(UPDATE_NAMESPACE).execute(Tuple.of(existing.get().id(), f.namespace(),
                  f.displayName(), f.description(), f.visibility(), f.isProtected(), f.owner(), now()))
                  .map(rows -> namespace(rows.iterator().next()))
              : Future.succeededFuture(existing.get());
          return ns.compose(n -> insertChildren(conn, n, c, true, preferNew));
        });
  }

  @Override
  public Future<NamespaceContent> content(Namespace ns) {
    NamespaceFields fields = new NamespaceFields(ns.namespace(), ns.displayName(), ns.description(),
        ns.visibility(), ns.isProtected(), ns.owner());
    return Future.all(associations(ns.id()), properties(ns.id()), objects(ns.id()),
            tags(new TagQuery(ns.id(), null, null, "created_at", true)))
        .map(all -> new NamespaceContent(fields, all.resultAt(0), all.resultAt(1), all.resultAt(2),
            all.<List<Tag>>resultAt(3).stream().map(Tag::name).toList()));
  }

  @Override
  public Future<Void> unload() {
    return pool.query(UNLOAD).execute().mapEmpty();
  }

  // ---------------------------------------------------------------------------------------------- rows

  private static Namespace namespace(Row r) {
    return new Namespace(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
        r.getBoolean(5), r.getString(6), instant(r.getOffsetDateTime(7)), instant(r.getOffsetDateTime(8)));
  }

  private static Association association(Row r, int i) {
    return new Association(r.getString(i), r.getString(i + 1), r.getString(i + 2),
        instant(r.getOffsetDateTime(i + 3)), instant(r.getOffsetDateTime(i + 4)));
  }

  private static MetaObject object(Row r) {
    String required = r.getString(2);
    List<String> names = required == null ? null
        : new JsonArray(required).stream().map(String::valueOf).toList();
    return new MetaObject(r.getString(0), r.getString(1), names, r.getString(3), instant(r.getOffsetDateTime(4)),
        instant(r.getOffsetDateTime(5)));
  }

  private static Tag tag(Row r) {
    return new Tag(r.getString(0), instant(r.getOffsetDateTime(1)), instant(r.getOffsetDateTime(2)));
  }

  private static String required(List<String> names) {
    return names == null ? null : new JsonArray(new ArrayList<>(names)).encode();
  }

  private static <T> List<T> all(RowSet<Row> rows, Function<Row, T> map) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(map.apply(r)));
    return out;
  }

  private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> map) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(map.apply(it.next())) : Optional.empty();
  }

  /** Turns a unique violation into {@code conflict}; any other failure passes through. */
  private static <T> Function<Throwable, Future<T>> duplicateAs(Supplier<GlintException> conflict) {
    return e -> Future.failedFuture(isDuplicate(e) ? conflict.get() : e);
  }

  private static boolean isDuplicate(Throwable e) {
    return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }

  /** An update renaming a namespace's {@code kind} onto a name another one already has. */
  private static GlintException duplicateByUpdate(String kind, String name, Namespace ns) {
    return GlintException.conflict("Invalid update. It would result in a duplicate metadata definition " + kind
        + " with the same name=" + name + " in namespace=" + ns.namespace() + ".");
  }

  private static GlintException duplicateProperty(String name, Namespace ns) {
    return GlintException.conflict("A metadata definition property with name=" + name
        + " already exists in namespace=" + ns.namespace() + ".");
  }

  private static GlintException duplicateObject(String name, Namespace ns) {
    return GlintException.conflict("A metadata definition object with name=" + name
        + " already exists in namespace=" + ns.namespace() + ".");
  }

  private static GlintException duplicateTag(String name, Namespace ns) {
    return GlintException.conflict("A metadata tag with name=" + name + " already exists in namespace="
        + ns.namespace() + ". (Please note that metadata tag names are case insensitive).");
  }

  static GlintException propertyNotFound(String name, Namespace ns) {
    return GlintException.notFound("The metadata definition property with name=" + name
        + " was not found in namespace=" + ns.namespace() + ".");
  }

  static GlintException objectNotFound(String name, Namespace ns) {
    return GlintException.notFound("The metadata definition object with name=" + name
        + " was not found in namespace=" + ns.namespace() + ".");
  }

  static GlintException tagNotFound(String name, Namespace ns) {
    return GlintException.notFound("The metadata definition tag with name=" + name
        + " was not found in namespace=" + ns.namespace() + ".");
  }

  private static GlintException namespaceGone(Namespace ns) {
    return GlintException.notFound("Metadata definition namespace=" + ns.namespace() + " was not found.");
  }

  private static OffsetDateTime now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC);
  }

  private static OffsetDateTime odt(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime odt) {
    return odt.toInstant();
  }
}
