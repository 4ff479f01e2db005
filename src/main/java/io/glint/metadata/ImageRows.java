package io.glint.metadata;

import io.glint.image.Image;
import io.glint.image.ImageStatus;
import io.glint.image.Visibility;
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
    Object props = row.getValue(18);
    if (props instanceof JsonObject json) {
      for (Map.Entry<String, Object> e : json) {
        b.properties.put(e.getKey(), String.valueOf(e.getValue()));
      }
    }
    String[] tags = row.getArrayOfStrings(19);
    if (tags != null) {
      b.tags.addAll(List.of(tags));
    }
    return b.build();
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
