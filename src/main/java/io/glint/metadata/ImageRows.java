package io.glint.metadata;

import io.glint.image.Image;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Maps image rows to {@link Image} records and records to statement parameters. */
final class ImageRows {
  private ImageRows() {}

  static Image fromRow(Row row) {
    Image.Builder b = new Image.Builder();
    b.id = row.getString(0);
    b.name = row.getString(1);
    b.status = ImageStatus.fromWire(row.getString(2));
    b.visibility = Visibility.parse(row.getString(3)).orElse(Visibility.PRIVATE);
    b.isProtected = row.getBoolean(4);
    b.osHidden = row.getBoolean(5);
    b.checksum = row.getString(6);
    b.osHashAlgo = row.getString(7);
    b.osHashValue = row.getString(8);
    b.owner = row.getString(9);
    b.size = row.getLong(10);
    b.virtualSize = row.getLong(11);
    b.containerFormat = row.getString(12);
    b.diskFormat = row.getString(13);
    b.minDisk = row.getInteger(14);
    b.minRam = row.getInteger(15);
    b.createdAt = instant(row.getOffsetDateTime(16));
    b.updatedAt = instant(row.getOffsetDateTime(17));
    readProperties(row.getString(18), b.properties);
    String[] tags = row.getArrayOfStrings(19);
    if (tags != null) {
      b.tags.addAll(List.of(tags));
    }
    return b.build();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The custom properties from their JSON text: an object of strings as Glint writes them ({@link #properties});
   * any other value (a row written by hand) as its JSON text, as {@code String.valueOf} of the decoded value gave.
   */
  static void readProperties(String text, Map<String, String> into) {
    if (text == null || text.equals("{}")) {
      return;
    }
    try (JsonParser p = JSON.getFactory().createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_STRING) {
          into.put(name, p.getText());
        } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          into.put(name, JSON.readTree(p).toString());
        } else {
          into.put(name, value == JsonToken.VALUE_NULL ? "null" : p.getText());
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Tuple insertParams(Image i) {
    return Tuple.from(new Object[] {
      i.id(), i.name(), i.status().wireName(), i.visibility().wireName(), i.isProtected(), i.osHidden(),
      i.checksum(), i.osHashAlgo(), i.osHashValue(), i.owner(), i.size(), i.virtualSize(), i.containerFormat(),
      i.diskFormat(), i.minDisk(), i.minRam(), odt(i.createdAt()), odt(i.updatedAt()), properties(i),
      i.tags().toArray(new String[0])
    });
  }

  static Tuple updateParams(Image i, Instant expectedUpdatedAt) {
    return Tuple.from(new Object[] {
      i.id(), i.name(), i.visibility().wireName(), i.isProtected(), i.osHidden(), i.owner(), i.containerFormat(),
      i.diskFormat(), i.minDisk(), i.minRam(), properties(i), i.tags().toArray(new String[0]), odt(i.updatedAt()),
      odt(expectedUpdatedAt), i.status().wireName()
    });
  }

  static JsonObject properties(Image i) {
    return new JsonObject(new java.util.LinkedHashMap<>(i.properties()));
  }

  static OffsetDateTime odt(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime odt) {
    return odt == null ? null : odt.toInstant();
  }
}
