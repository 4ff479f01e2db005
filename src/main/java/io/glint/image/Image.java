package io.glint.image;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An image record: Glance's base properties, custom string properties and tags. Immutable; changes make a
 * new record with {@code with*} methods.
 */
public record Image(
    String id,
    String name,
    ImageStatus status,
    Visibility visibility,
    boolean isProtected,
    boolean osHidden,
    String checksum,
    String osHashAlgo,
    String osHashValue,
    String owner,
    Long size,
    Long virtualSize,
    String containerFormat,
    String diskFormat,
    int minDisk,
    int minRam,
    Instant createdAt,
    Instant updatedAt,
    Map<String, String> properties,
    Set<String> tags) {

  public Image {
    properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    tags = Collections.unmodifiableSet(new LinkedHashSet<>(tags));
  }

  /** Mutable view used while applying a create request or a JSON-patch; {@link #build()} validates nothing. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A builder over every field, used by the patch engine and the row mapper. */
  public static final class Builder {
    public String id;
    public String name;
    public ImageStatus status;
    public Visibility visibility;
    public boolean isProtected;
    public boolean osHidden;
    public String checksum;
    public String osHashAlgo;
    public String osHashValue;
    public String owner;
    public Long size;
    public Long virtualSize;
    public String containerFormat;
    public String diskFormat;
    public int minDisk;
    public int minRam;
    public Instant createdAt;
    public Instant updatedAt;
    public final Map<String, String> properties;
    public final Set<String> tags;

    public Builder() {
      properties = new TreeMap<>();
      tags = new LinkedHashSet<>();
    }

    Builder(Image i) {
      id = i.id;
      name = i.name;
      status = i.status;
      visibility = i.visibility;
      isProtected = i.isProtected;
      osHidden = i.osHidden;
      checksum = i.checksum;
      osHashAlgo = i.osHashAlgo;
      osHashValue = i.osHashValue;
      owner = i.owner;
      size = i.size;
      virtualSize = i.virtualSize;
      containerFormat = i.containerFormat;
      diskFormat = i.diskFormat;
      minDisk = i.minDisk;
      minRam = i.minRam;
      createdAt = i.createdAt;
      updatedAt = i.updatedAt;
      properties = new TreeMap<>(i.properties);
      tags = new LinkedHashSet<>(i.tags);
    }

    public Image build() {
      return new Image(id, name, status, visibility, isProtected, osHidden, checksum, osHashAlgo, osHashValue,
          owner, size, virtualSize, containerFormat, diskFormat, minDisk, minRam, createdAt, updatedAt,
          properties, tags);
    }
  }
}
