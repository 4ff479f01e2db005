package io.glint.metadef;

import static io.glint.metadef.MetadefNamespacesTest.NS;
import static io.glint.metadef.MetadefNamespacesTest.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.Manage;
import io.glint.metadata.PgMetadefRepository;
import io.glint.testing.ApiTestBase;
import io.glint.testing.TestDatabase;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, exporting and unloading definition files (Glance's {@code glance-manage db *_metadefs}). */
@DisplayName("Metadef catalogue: load, export, unload; the list served by indexes")
class MetadefCatalogTest extends ApiTestBase {
  static final Path GLANCE = Path.of("src/test/resources/metadefs/glance-zed");
  private static Pool pool;
  private static MetadefCatalog catalog;

  @TempDir
  Path dir;

  @BeforeAll
  static void catalog() {
    pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(TestDatabase.uri())).using(TestServer.vertx())
        .build();
    catalog = new MetadefCatalog(new PgMetadefRepository(pool));
  }

  @AfterAll
  static void close() {
    pool.close().await();
  }

  private void write(String file, JsonObject doc) throws Exception {
    Files.writeString(dir.resolve(file), doc.encodePrettily());
  }

  private static JsonObject doc(String namespace, String title) {
    return new JsonObject().put("namespace", namespace).put("display_name", "Display " + namespace)
        .put("description", "about " + namespace).put("visibility", "public").put("protected", true)
        .put("resource_type_associations", new JsonArray().add(new JsonObject().put("name", "OS::Glance::Image")
            .put("prefix", "x_").put("properties_target", "image")))
        .put("properties", new JsonObject().put("p", new JsonObject().put("title", title).put("type", "string")
            .put("enum", new JsonArray().add("a").add("b"))))
        .put("objects", new JsonArray().add(new JsonObject().put("name", "o").put("description", "d")
            .put("required", new JsonArray().add("q"))
            .put("properties", new JsonObject().put("q", new JsonObject().put("title", "Q").put("type", "integer")))))
        .put("tags", new JsonArray().add(new JsonObject().put("name", "t1")).add(new JsonObject().put("name", "t2")));
  }

  /** A namespace as the API shows it, without its timestamps. */
  private JsonObject shown(String name) {
    JsonObject ns = admin.get(NS + "/" + name).json();
    strip(ns);
    return ns;
  }

  private static void strip(Object value) {
    if (value instanceof JsonObject o) {
      o.remove("created_at");
      o.remove("updated_at");
      o.forEach(e -> strip(e.getValue()));
    } else if (value instanceof JsonArray a) {
      a.forEach(MetadefCatalogTest::strip);
    }
  }

  @Test
  @DisplayName("load → export → unload → load of the export gives back the same namespaces")
  void roundTrip() throws Exception {
    write("a.json", doc("ns-a", "A"));
    write("b.json", doc("ns-b", "B").put("visibility", "private").put("owner", "project-a"));
    assertEquals(List.of("ns-a", "ns-b"), catalog.load(dir, false, false, false).await());
    JsonObject a = shown("ns-a");
    JsonObject b = shown("ns-b");
    assertEquals("admin", a.getString("owner"));
    assertEquals("project-a", b.getString("owner"));
    assertEquals(List.of("x_p"), new ArrayList<>(alice.get(NS + "/ns-a?resource_type=OS::Glance::Image").json()
        .getJsonObject("properties").fieldNames()));

    Path out = dir.resolve("export");
    List<Path> files = catalog.export(out).await();
    assertEquals(List.of(out.resolve("Displaynsa.json"), out.resolve("Displaynsb.json")), files);
    JsonObject exported = new JsonObject(Files.readString(files.get(0)));
    assertEquals("ns-a", exported.getString("namespace"));
    assertEquals(doc("ns-a", "A").getJsonObject("properties"), exported.getJsonObject("properties"));

    catalog.unload().await();
    assertEquals(List.of(), names(admin.get(NS)));
    assertEquals(0, admin.get("/v2/metadefs/resource_types").json().getJsonArray("resource_types").size());

    catalog.load(out, false, false, false).await();
    assertEquals(a, shown("ns-a"));
    assertEquals(b, shown("ns-b"));
  }

  @Test
  @DisplayName("a bad file is reported by name and nothing is loaded")
  void badFile() throws Exception {
    write("a.json", doc("ns-a", "A"));
    write("b.json", doc("ns-b", "B").put("visibility", "everyone"));
    MetadefCatalog.BadFile e = assertThrows(MetadefCatalog.BadFile.class,
        () -> catalog.load(dir, false, false, false).await());
    assertEquals("b.json: Provided object does not match schema 'namespace': 'everyone' is not one of "
        + "['public', 'private']", e.getMessage());
    Files.writeString(dir.resolve("b.json"), "{\"namespace\": ");
    assertTrue(assertThrows(MetadefCatalog.BadFile.class, () -> catalog.load(dir, false, false, false).await())
        .getMessage().startsWith("b.json: not valid JSON"));
    write("b.json", doc("ns-b", "B").put("properties", new JsonObject().put("p", new JsonObject().put("type", "x"))));
    assertTrue(assertThrows(MetadefCatalog.BadFile.class, () -> catalog.load(dir, false, false, false).await())
        .getMessage().startsWith("b.json: Provided object does not match schema 'namespace':"));
    assertEquals(List.of(), names(admin.get(NS)));
  }

  @Test
  @DisplayName("existing namespaces: skipped, merged (--merge), refreshed (--prefer_new) or replaced (--overwrite)")
  void mergeOptions() throws Exception {
    write("a.json", doc("ns-a", "A"));
    catalog.load(dir, false, false, false).await();
    JsonObject changed = doc("ns-a", "A2");
    changed.getJsonObject("properties").put("p2", new JsonObject().put("title", "P2").put("type", "boolean"));
    changed.put("tags", new JsonArray().add(new JsonObject().put("name", "t3")));
    write("a.json", changed);

    catalog.load(dir, false, false, false).await();
    assertEquals(List.of("p"), new ArrayList<>(shown("ns-a").getJsonObject("properties").fieldNames()));

    catalog.load(dir, true, false, false).await();
    JsonObject merged = shown("ns-a");
    assertEquals("A", merged.getJsonObject("properties").getJsonObject("p").getString("title"));
    assertTrue(merged.getJsonObject("properties").containsKey("p2"));
    assertEquals(3, merged.getJsonArray("tags").size());

    catalog.load(dir, true, true, false).await();
    assertEquals("A2", shown("ns-a").getJsonObject("properties").getJsonObject("p").getString("title"));

    catalog.load(dir, false, false, true).await();
    JsonObject replaced = shown("ns-a");
    assertEquals(new JsonArray().add(new JsonObject().put("name", "t3")), replaced.getJsonArray("tags"));
  }

  @Test
  @DisplayName("Glance's own catalogue (etc/metadefs of Zed) loads whole, through the command-line entry")
  void glanceCatalogue() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Manage.run(List.of("db", "load_metadefs", "--path", GLANCE.toString(),
        "--database.connection=" + TestDatabase.uri()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Loaded 33 namespace file(s)"), out.toString());
    List<String> all = names(admin.get(NS + "?limit=1000"));
    assertEquals(33, all.size());
    long properties = TestServer.execute("SELECT 1 FROM metadef_properties");
    long inObjects = Long.parseLong(TestServer.executeString(
        "SELECT coalesce(sum((SELECT count(*) FROM json_object_keys(json_schema::json))), 0) FROM metadef_objects"));
    // Zed's catalogue: 132 namespace properties and 63 more in its 23 objects.
    assertEquals(132, properties);
    assertEquals(63, inObjects);
    JsonObject cpu = alice.get(NS + "/OS::Compute::CPUPinning?resource_type=OS::Nova::Flavor").json();
    assertTrue(cpu.getJsonObject("properties").containsKey("hw:cpu_policy"), cpu.encode());
    assertEquals(2, Manage.run(List.of("db", "load_metadefs"), new PrintStream(out), new PrintStream(err)));
    ByteArrayOutputStream unloadErr = new ByteArrayOutputStream();
    assertEquals(0, Manage.run(List.of("db", "unload_metadefs", "--database.connection=" + TestDatabase.uri()),
        new PrintStream(out), new PrintStream(unloadErr)), unloadErr.toString());
    assertEquals(List.of(), names(admin.get(NS)));
  }

  @Test
  @DisplayName("the namespace list filtered by resource type is served by indexes (EXPLAIN)")
  void explain() {
    TestServer.execute("""
        INSERT INTO metadef_namespaces (namespace, visibility, owner, created_at, updated_at)
        SELECT 'ns-' || g, CASE WHEN g % 2 = 0 THEN 'public' ELSE 'private' END, 'p' || (g % 50),
          now() - g * interval '1 second', now() FROM generate_series(1, 20000) g""");
    TestServer.execute("""
        INSERT INTO metadef_resource_types (name, created_at, updated_at)
        SELECT 'RT' || g, now(), now() FROM generate_series(1, 5000) g""");
    TestServer.execute("""
        INSERT INTO metadef_namespace_resource_types (resource_type_id, namespace_id, created_at, updated_at)
        SELECT r.id, n.id, now(), now() FROM metadef_namespaces n
        JOIN metadef_resource_types r ON r.name = 'RT' || (n.id % 200 + 1)""");
    TestServer.execute("ANALYZE metadef_namespaces");
    TestServer.execute("ANALYZE metadef_resource_types");
    TestServer.execute("ANALYZE metadef_namespace_resource_types");
    var query = PgMetadefRepository.listQuery(new NamespaceQuery(false, "p3", null, List.of("RT7"), null, 25,
        "created_at", false));
    List<String> plan = new ArrayList<>();
    for (Row row : pool.preparedQuery("EXPLAIN " + query.getKey()).execute(query.getValue()).await()) {
      plan.add(row.getString(0));
    }
    String text = String.join("\n", plan);
    System.out.println("EXPLAIN " + query.getKey() + "\n" + text);
    assertTrue(text.contains("metadef_resource_types_name_key"), text);
    assertTrue(text.contains("metadef_namespace_resource_types_pkey") || text.contains("metadef_ns_res_types"),
        text);
    assertTrue(text.contains("metadef_namespaces_pkey"), text);
    assertFalse(text.contains("Seq Scan"), text);
    // Without the filter, Glance's default order walks the (created_at, id) index backwards.
    var plain = PgMetadefRepository.listQuery(new NamespaceQuery(false, "p3", null, null, null, 25, "created_at",
        false));
    List<String> plainPlan = new ArrayList<>();
    for (Row row : pool.preparedQuery("EXPLAIN " + plain.getKey()).execute(plain.getValue()).await()) {
      plainPlan.add(row.getString(0));
    }
    String plainText = String.join("\n", plainPlan);
    System.out.println("EXPLAIN " + plain.getKey() + "\n" + plainText);
    assertTrue(plainText.contains("Index Scan Backward using metadef_namespaces_created_idx"), plainText);
  }
}
