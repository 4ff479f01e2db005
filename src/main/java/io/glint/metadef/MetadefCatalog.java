package io.glint.metadef;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.glint.error.GlintException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The operator's side of the catalogue, as {@code glance-manage db load_metadefs / export_metadefs /
 * unload_metadefs} ({@code glance/db/sqlalchemy/metadata.py}) do it, over the files Glance ships in
 * {@code etc/metadefs/}. Unlike Glance, a load is all or nothing: every {@code *.json} file of the directory is
 * read and validated (the namespace schema of the API, and the property keywords Glance knows) before anything is
 * written, a bad file fails the load naming the file, and the namespaces are written in one transaction.
 * Glance's file format is kept; a namespace without an {@code owner} is owned by {@code admin}, as Glance loads it.
 * Blocking file I/O: for a command-line tool or a test thread, never an event loop.
 */
public final class MetadefCatalog {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  private final MetadefRepository repo;

  public MetadefCatalog(MetadefRepository repo) {
    this.repo = repo;
  }

  /** A definition file that cannot be loaded; the message names the file. */
  public static final class BadFile extends RuntimeException {
    BadFile(Path file, String reason) {
      super(file.getFileName() + ": " + reason, null, false, false);
    }
  }

  /** The namespaces of {@code path} (a directory of {@code *.json} files, or one file), read and validated. */
  public static List<NamespaceContent> read(Path path) throws IOException {
    List<Path> files;
    if (Files.isDirectory(path)) {
      try (Stream<Path> s = Files.list(path)) {
        files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted()
            .toList();
      }
    } else {
      files = List.of(path);
    }
    if (files.isEmpty()) {
      throw new IOException("Json schema files not found in " + path + ". Aborting.");
    }
    List<NamespaceContent> out = new ArrayList<>();
    Map<String, Path> seen = new LinkedHashMap<>();
    for (Path file : files) {
      NamespaceContent content = parse(file);
      Path before = seen.put(content.fields().namespace(), file);
      if (before != null) {
        throw new BadFile(file, "namespace " + content.fields().namespace() + " is also defined in "
            + before.getFileName());
      }
      out.add(content);
    }
    return out;
  }

  private static NamespaceContent parse(Path file) throws IOException {
    Object value;
    try {
      value = MAPPER.readValue(Files.readAllBytes(file), Object.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadFile(file, "not valid JSON: " + e.getOriginalMessage());
    }
    if (!(value instanceof Map<?, ?> body)) {
      throw new BadFile(file, "expected a JSON object");
    }
    try {
      MetadefJson.refuseReadOnly(body, "self", "schema", "created_at", "updated_at");
      MetadefJson.validate(body, "namespace");
      if (body.get("objects") instanceof List<?> objects) {
        for (Object o : objects) {
          MetadefJson.validate(o, "object");
          if (((Map<?, ?>) o).get("properties") instanceof Map<?, ?> props) {
            props.values().forEach(p -> MetadefJson.validate(p, "property-in-object"));
          }
        }
      }
      return MetadefJson.content(body, "admin");
    } catch (GlintException e) {
      throw new BadFile(file, e.getMessage());
    }
  }

  /** Loads {@code path}: new namespaces created; existing ones skipped, merged or overwritten as asked. */
  public Future<List<String>> load(Path path, boolean merge, boolean preferNew, boolean overwrite) {
    List<NamespaceContent> contents;
    try {
      contents = read(path);
    } catch (IOException | BadFile e) {
      return Future.failedFuture(e);
    }
    return repo.load(contents, merge, preferNew, overwrite)
        .map(v -> contents.stream().map(c -> c.fields().namespace()).toList());
  }

  /** Writes every namespace to {@code dir} in Glance's file format; returns the files written. */
  public Future<List<Path>> export(Path dir) {
    return repo.namespaceNames()
        .compose(names -> {
          List<Future<NamespaceContent>> all = new ArrayList<>();
          for (String name : names) {
            all.add(repo.findNamespace(name).compose(ns -> repo.content(ns.orElseThrow())));
          }
          return Future.all(all).map(f -> f.<NamespaceContent>list());
        })
        .map(contents -> {
          List<Path> written = new ArrayList<>();
          try {
            Files.createDirectories(dir);
            for (NamespaceContent c : contents) {
              Path file = dir.resolve(fileName(c.fields(), written, dir));
              Files.writeString(file, MAPPER.writeValueAsString(document(c)) + "\n");
              written.add(file);
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return written;
        });
  }

  /** Glance names a file after the display name without its non-word characters; Glint falls back to the name. */
  private static String fileName(NamespaceFields f, List<Path> taken, Path dir) {
    String base = (f.displayName() == null || f.displayName().isBlank() ? f.namespace() : f.displayName())
        .replaceAll("[\\W_]+", "");
    if (base.isEmpty()) {
      base = "namespace";
    }
    String name = base + ".json";
    for (int i = 2; taken.contains(dir.resolve(name)); i++) {
      name = base + "-" + i + ".json";
    }
    return name;
  }

  /** A namespace as a definition file: Glance's export format, plus {@code owner} and objects' {@code required}. */
  static Map<String, Object> document(NamespaceContent c) {
    NamespaceFields f = c.fields();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("namespace", f.namespace());
    out.put("display_name", f.displayName());
    out.put("description", f.description());
    out.put("visibility", f.visibility());
    out.put("protected", f.isProtected());
    out.put("owner", f.owner());
    List<Object> assocs = new ArrayList<>();
    for (Association a : c.associations()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", a.name());
      if (a.prefix() != null) {
        m.put("prefix", a.prefix());
      }
      if (a.propertiesTarget() != null) {
        m.put("properties_target", a.propertiesTarget());
      }
      assocs.add(m);
    }
    out.put("resource_type_associations", assocs);
    Map<String, Object> props = new LinkedHashMap<>();
    c.properties().forEach(p -> props.put(p.name(), new JsonObject(p.schema()).getMap()));
    out.put("properties", props);
    List<Object> objects = new ArrayList<>();
    for (MetaObject o : c.objects()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", o.name());
      m.put("description", o.description());
      if (o.required() != null) {
        m.put("required", o.required());
      }
      m.put("properties", new JsonObject(o.properties()).getMap());
      objects.add(m);
    }
    out.put("objects", objects);
    out.put("tags", c.tags().stream().map(t -> Map.of("name", t)).toList());
    out.values().removeIf(v -> v == null);
    return out;
  }

  /** Deletes the whole catalogue. */
  public Future<Void> unload() {
    return repo.unload();
  }
}
