package io.glint.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Renders images as Glance's v2 image view ({@code ResponseSerializer._format_image}): custom properties, then
 * the base fields, tags and links. Written straight to bytes with Jackson's streaming generator (this is the
 * hottest code of GET and list requests).
 *
 * <p>A view without locations is a function of the image record alone, so each image's bytes are memoised
 * ({@link #VIEWS}) under the whole record they were rendered from, checked for equality on every use: never
 * stale, whatever changed the image and however. A list page is then the memoised views copied between the
 * page's own fields, so its cost does not grow with the tags and properties of its images beyond the bytes.
 */
public final class ImageJson {
  private static final JsonFactory FACTORY = new com.fasterxml.jackson.databind.ObjectMapper().getFactory();
  /** Views rendered lately, by image id, with the record each was rendered from (about 1 KiB each). */
  private static final Cache<String, View> VIEWS = Caffeine.newBuilder().maximumSize(4_096).build();

  /** One image's view, encoded, and the record it shows. */
  private record View(Image image, byte[] json) {}

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
    byte[] json = view(image);
    return BufferInternal.buffer(Unpooled.wrappedBuffer(json));
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
    if (!options.any()) {
      return memoisedPage(images, first, next);
    }
    return write(256 + 1_536 * images.size(), g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("images");
      for (Image image : images) {
        writeImage(g, image, options, locations.getOrDefault(image.id(), List.of()));
      }
      g.writeEndArray();
      pageFields(g, first, next);
      g.writeEndObject();
    });
  }

  private static final byte[] PAGE_START = "{\"images\":[".getBytes(StandardCharsets.US_ASCII);

  /** A page of views without locations: the memoised views copied between the page's own fields. */
  private static Buffer memoisedPage(List<Image> images, String first, String next) {
    byte[][] views = new byte[images.size()][];
    int size = PAGE_START.length + 2;
    for (int i = 0; i < views.length; i++) {
      views[i] = view(images.get(i));
      size += views[i].length + 1;
    }
    // The page's own fields, rendered as an object whose '{' is left out: "first":...,"schema":...}
    ByteArrayOutputStream tail = new ByteArrayOutputStream(128 + first.length() + (next == null ? 0 : next.length()));
    try (JsonGenerator g = FACTORY.createGenerator(tail)) {
      g.writeStartObject();
      pageFields(g, first, next);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] fields = tail.toByteArray();
    // One array of the exact size, wrapped (Netty's allocator would count every page in a contended adder).
    byte[] page = new byte[size + fields.length - 1];
    System.arraycopy(PAGE_START, 0, page, 0, PAGE_START.length);
    int at = PAGE_START.length;
    for (int i = 0; i < views.length; i++) {
      if (i > 0) {
        page[at++] = ',';
      }
      System.arraycopy(views[i], 0, page, at, views[i].length);
      at += views[i].length;
    }
    page[at++] = ']';
    page[at++] = ',';
    System.arraycopy(fields, 1, page, at, fields.length - 1);
    at += fields.length - 1;
    return BufferInternal.buffer(Unpooled.wrappedBuffer(page, 0, at));
  }

  private static void pageFields(JsonGenerator g, String first, String next) throws IOException {
    g.writeStringField("first", first);
    g.writeStringField("schema", "/v2/schemas/images");
    if (next != null) {
      g.writeStringField("next", next);
    }
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  /** Written into a buffer of {@code size} bytes to start with (it grows if need be). */
  private static Buffer write(int size, Writer writer) {
    ByteBuf buf = Unpooled.buffer(size);
    try (JsonGenerator g = FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
      writer.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return BufferInternal.buffer(buf);
  }

  private static Buffer write(Writer writer) {
    return write(2_048, writer);
  }

  /** The image's view without locations: memoised, if rendered lately from an equal record. */
  private static byte[] view(Image image) {
    View known = VIEWS.getIfPresent(image.id());
    if (known != null && known.image().equals(image)) {
      return known.json();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(1_536);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      writeImage(g, image, Options.NONE, List.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] json = out.toByteArray();
    VIEWS.put(image.id(), new View(image, json));
    return json;
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
