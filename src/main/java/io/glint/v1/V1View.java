package io.glint.v1;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.glint.image.Image;
import io.glint.image.Visibility;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An image as the v1 API showed it (Glance Queens' registry record through {@code mutate_image_dict_to_v1}):
 * {@code is_public} is {@code visibility == public}, times without a zone and with microseconds, custom
 * properties under {@code properties}, never a location. As JSON (lists, create, update) or as
 * {@code x-image-meta-*} headers (HEAD, GET).
 */
final class V1View {
  private static final JsonFactory FACTORY = new com.fasterxml.jackson.databind.ObjectMapper().getFactory();
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")
      .withZone(ZoneOffset.UTC);

  private V1View() {}

  static String time(Instant instant) {
    return instant == null ? null : TIME.format(instant);
  }

  static boolean isPublic(Image image) {
    return image.visibility() == Visibility.PUBLIC;
  }

  /** {@code {"image": {...}}}: the body of create and update. */
  static Buffer image(Image image) {
    return write(g -> {
      g.writeStartObject();
      g.writeFieldName("image");
      detail(g, image);
      g.writeEndObject();
    });
  }

  /** {@code GET /v1/images}: the brief records. */
  static Buffer index(List<Image> images) {
    return write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("images");
      for (Image i : images) {
        g.writeStartObject();
        g.writeStringField("id", i.id());
        g.writeStringField("name", i.name());
        writeLong(g, "size", i.size());
        g.writeStringField("disk_format", i.diskFormat());
        g.writeStringField("container_format", i.containerFormat());
        g.writeStringField("checksum", i.checksum());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** {@code GET /v1/images/detail}: the whole records. */
  static Buffer detail(List<Image> images) {
    return write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("images");
      for (Image i : images) {
        detail(g, i);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  private static void detail(JsonGenerator g, Image i) throws IOException {
    g.writeStartObject();
    g.writeStringField("status", i.status().wireName());
    g.writeStringField("name", i.name());
    g.writeBooleanField("deleted", false);
    g.writeStringField("container_format", i.containerFormat());
    g.writeStringField("created_at", time(i.createdAt()));
    g.writeStringField("disk_format", i.diskFormat());
    g.writeStringField("updated_at", time(i.updatedAt()));
    g.writeNumberField("min_disk", i.minDisk());
    g.writeBooleanField("protected", i.isProtected());
    g.writeStringField("id", i.id());
    g.writeNumberField("min_ram", i.minRam());
    g.writeStringField("checksum", i.checksum());
    g.writeStringField("owner", i.owner());
    g.writeBooleanField("is_public", isPublic(i));
    g.writeNullField("deleted_at");
    writeLong(g, "virtual_size", i.virtualSize());
    writeLong(g, "size", i.size());
    g.writeObjectFieldStart("properties");
    for (Map.Entry<String, String> p : i.properties().entrySet()) {
      if (!p.getKey().equals("os_glance_stage_host")) {
        g.writeStringField(p.getKey(), p.getValue());
      }
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /**
   * Glance's {@code image_meta_to_http_headers}: every field that is not None as {@code x-image-meta-<field>}
   * (booleans as Python prints them), properties as {@code x-image-meta-property-<key>}, and {@code ETag} for the
   * checksum.
   */
  static void headers(MultiMap out, Image i) {
    put(out, "x-image-meta-id", i.id());
    put(out, "x-image-meta-name", i.name());
    put(out, "x-image-meta-status", i.status().wireName());
    put(out, "x-image-meta-disk_format", i.diskFormat());
    put(out, "x-image-meta-container_format", i.containerFormat());
    put(out, "x-image-meta-size", i.size() == null ? null : i.size().toString());
    put(out, "x-image-meta-virtual_size", i.virtualSize() == null ? null : i.virtualSize().toString());
    put(out, "x-image-meta-checksum", i.checksum());
    put(out, "x-image-meta-is_public", python(isPublic(i)));
    put(out, "x-image-meta-protected", python(i.isProtected()));
    put(out, "x-image-meta-min_disk", Integer.toString(i.minDisk()));
    put(out, "x-image-meta-min_ram", Integer.toString(i.minRam()));
    put(out, "x-image-meta-owner", i.owner());
    put(out, "x-image-meta-created_at", time(i.createdAt()));
    put(out, "x-image-meta-updated_at", time(i.updatedAt()));
    put(out, "x-image-meta-deleted", "False");
    for (Map.Entry<String, String> p : i.properties().entrySet()) {
      if (!p.getKey().equals("os_glance_stage_host")) {
        put(out, "x-image-meta-property-" + p.getKey().toLowerCase(Locale.ROOT), p.getValue());
      }
    }
    if (i.checksum() != null) {
      out.set("ETag", i.checksum());
    }
  }

  private static void put(MultiMap out, String name, String value) {
    if (value != null) {
      out.set(name, headerSafe(value));
    }
  }

  /**
   * A header value as it can travel: text outside printable ASCII (a name or property in another script) is
   * sent as its UTF-8 bytes read as Latin-1, which is what a WSGI server put on the wire for Glance.
   */
  private static String headerSafe(String value) {
    for (int k = 0; k < value.length(); k++) {
      char c = value.charAt(k);
      if (c < 0x20 && c != '\t' || c >= 0x7f) {
        byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(utf8.length);
        for (byte b : utf8) {
          int u = b & 0xff;
          sb.append(u < 0x20 && u != '\t' ? ' ' : (char) u);
        }
        return sb.toString();
      }
    }
    return value;
  }

  static String python(boolean b) {
    return b ? "True" : "False";
  }

  private static void writeLong(JsonGenerator g, String name, Long value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeNumberField(name, value);
    }
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
}
