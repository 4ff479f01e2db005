package io.glint.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Renders images as Glance's v2 image view ({@code ResponseSerializer._format_image}): custom properties, then
 * the base fields, tags and links. Written straight to bytes with Jackson's streaming generator (this is the
 * hottest code of GET and list requests).
 */
public final class ImageJson {
  private static final JsonFactory FACTORY = new com.fasterxml.jackson.databind.ObjectMapper().getFactory();

  private ImageJson() {}

  /** Which optional fields views carry: Glance's show_multiple_locations and show_image_direct_url. */
  public record Options(boolean locations, boolean directUrl, boolean stores) {
    public static final Options NONE = new Options(false, false, false);

    public boolean any() {
      return locations || directUrl || stores;
    }
  }

  /** One image view, encoded. */
  public static Buffer toBuffer(Image image) {
    return write(g -> writeImage(g, image, Options.NONE, List.of()));
  }

  /** One image view with its locations (used only when {@code options.any()}). */
  public static Buffer toBuffer(Image image, Options options, List<ImageLocation> locations) {
    return write(g -> writeImage(g, image, options, locations));
  }

  /** The body of a list response. */
  public static Buffer page(List<Image> images, String first, String next) {
    return page(images, first, next, Options.NONE, Map.of());
  }

  /** The body of a list response, with locations when the options ask for them. */
  public static Buffer page(List<Image> images, String first, String next, Options options,
      Map<String, List<ImageLocation>> locations) {
    return write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("images");
      for (Image image : images) {
        writeImage(g, image, options, locations.getOrDefault(image.id(), List.of()));
      }
      g.writeEndArray();
      g.writeStringField("first", first);
      g.writeStringField("schema", "/v2/schemas/images");
      if (next != null) {
        g.writeStringField("next", next);
      }
      g.writeEndObject();
    });
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private static Buffer write(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static void writeImage(JsonGenerator g, Image i, Options options, List<ImageLocation> locations)
      throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, String> p : i.properties().entrySet()) {
      if (!p.getKey().equals("os_glance_stage_host")) { // as Glance's _hidden_properties
        g.writeStringField(p.getKey(), p.getValue());
      }
    }
    g.writeStringField("name", i.name());
    g.writeStringField("disk_format", i.diskFormat());
    g.writeStringField("container_format", i.containerFormat());
    g.writeStringField("visibility", i.visibility().wireName());
    writeLong(g, "size", i.size());
    writeLong(g, "virtual_size", i.virtualSize());
    g.writeStringField("status", i.status().wireName());
    g.writeStringField("checksum", i.checksum());
    g.writeBooleanField("protected", i.isProtected());
    g.writeNumberField("min_ram", i.minRam());
    g.writeNumberField("min_disk", i.minDisk());
    g.writeStringField("owner", i.owner());
    g.writeBooleanField("os_hidden", i.osHidden());
    g.writeStringField("os_hash_algo", i.osHashAlgo());
    g.writeStringField("os_hash_value", i.osHashValue());
    g.writeStringField("id", i.id());
    g.writeStringField("created_at", IsoTime.render(i.createdAt()));
    g.writeStringField("updated_at", IsoTime.render(i.updatedAt()));
    if (options.locations()) {
      g.writeArrayFieldStart("locations");
      for (ImageLocation l : locations) {
        g.writeStartObject();
        g.writeStringField("url", l.url());
        g.writeFieldName("metadata");
        g.writeStartObject();
        for (Map.Entry<String, Object> m : l.metadata().entrySet()) {
          g.writeFieldName(m.getKey());
          g.writeObject(m.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    if (options.directUrl() && !locations.isEmpty()) {
      g.writeStringField("direct_url", locations.get(0).url());
    }
    if (options.stores() && !locations.isEmpty()) {
      java.util.StringJoiner stores = new java.util.StringJoiner(",");
      for (ImageLocation l : locations) {
        Object store = l.metadata().get("store");
        if (store != null) {
          stores.add(store.toString());
        }
      }
      g.writeStringField("stores", stores.toString());
    }
    g.writeArrayFieldStart("tags");
    for (String tag : i.tags()) {
      g.writeString(tag);
    }
    g.writeEndArray();
    g.writeStringField("self", "/v2/images/" + i.id());
    g.writeStringField("file", "/v2/images/" + i.id() + "/file");
    g.writeStringField("schema", "/v2/schemas/image");
    g.writeEndObject();
  }

  private static void writeLong(JsonGenerator g, String name, Long value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeNumberField(name, value);
    }
  }
}
