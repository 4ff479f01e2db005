package io.glint.metadef;

import java.time.Instant;

/** A metadata definition namespace as stored (Glance's {@code metadef_namespaces} row). */
public record Namespace(long id, String namespace, String displayName, String description, String visibility,
    boolean isProtected, String owner, Instant createdAt, Instant updatedAt) {

  public boolean isPublic() {
    return "public".equals(visibility);
  }
}
