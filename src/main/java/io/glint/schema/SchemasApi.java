package io.glint.schema;

import io.glint.Resources;
import io.glint.http.Http;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code /v2/schemas/image} and {@code /v2/schemas/images}: Glance's JSON schemas, with the configured disk and
 * container formats. Rendered once at start-up.
 */
public final class SchemasApi implements io.glint.http.Routes {
  private static final List<String> METADEF_SCHEMAS = List.of("namespace", "namespaces", "resource_type",
      "resource_types", "property", "properties", "object", "objects", "tag", "tags");
  private final Buffer image;
  private final Buffer images;
  private final Buffer member;
  private final Buffer members;

  public SchemasApi(List<String> containerFormats, List<String> diskFormats) {
    JsonObject imageSchema = imageSchema(containerFormats, diskFormats);
    this.image = imageSchema.toBuffer();
    this.images = collection("images", imageSchema).toBuffer();
    JsonObject memberSchema = new JsonObject(Resources.text("schemas/member.json"));
    this.member = memberSchema.toBuffer();
    this.members = collection("members", memberSchema).toBuffer();
  }

  @Override
  public void mount(Router v2) {
    v2.get("/schemas/image").handler(Http::rejectBody).handler(ctx -> send(ctx, image));
    v2.get("/schemas/images").handler(Http::rejectBody).handler(ctx -> send(ctx, images));
    v2.get("/schemas/member").handler(Http::rejectBody).handler(ctx -> send(ctx, member));
    v2.get("/schemas/members").handler(Http::rejectBody).handler(ctx -> send(ctx, members));
    Http.allow(v2, "/schemas/member", "GET");
    Http.allow(v2, "/schemas/members", "GET");
    Http.allow(v2, "/schemas/image", "GET");
    Http.allow(v2, "/schemas/images", "GET");
    for (String name : METADEF_SCHEMAS) {
      Buffer schema = io.glint.metadef.MetadefJson.schema(name).toBuffer();
      v2.get("/schemas/metadefs/" + name).handler(Http::rejectBody).handler(ctx -> send(ctx, schema));
      Http.allow(v2, "/schemas/metadefs/" + name, "GET");
    }
  }

  static JsonObject imageSchema(List<String> containerFormats, List<String> diskFormats) {
    JsonObject properties = new JsonObject(Resources.text("schemas/image-base-properties.json"));
    properties.getJsonObject("container_format").put("enum", withNull(containerFormats));
    properties.getJsonObject("disk_format").put("enum", withNull(diskFormats));
    return new JsonObject()
        .put("name", "image")
        .put("properties", properties)
        .put("additionalProperties", new JsonObject().put("type", "string"))
        .put("links", new JsonArray()
            .add(link("self", "{self}"))
            .add(link("enclosure", "{file}"))
            .add(link("describedby", "{schema}")));
  }

  /** The schema of a list named {@code name} of {@code itemSchema} items, with its first, next and schema links. */
  public static JsonObject collection(String name, JsonObject itemSchema) {
    return new JsonObject()
        .put("name", name)
        .put("properties", new JsonObject()
            .put(name, new JsonObject().put("type", "array").put("items", itemSchema))
            .put("first", new JsonObject().put("type", "string"))
            .put("next", new JsonObject().put("type", "string"))
            .put("schema", new JsonObject().put("type", "string")))
        .put("links", new JsonArray()
            .add(link("first", "{first}"))
            .add(link("next", "{next}"))
            .add(link("describedby", "{schema}")));
  }

  private static JsonArray withNull(List<String> values) {
    JsonArray array = new JsonArray().addNull();
    values.forEach(array::add);
    return array;
  }

  private static JsonObject link(String rel, String href) {
    return new JsonObject().put("rel", rel).put("href", href);
  }

  private static void send(RoutingContext ctx, Buffer body) {
    io.glint.http.ApiResponses.json(ctx, body);
  }
}
