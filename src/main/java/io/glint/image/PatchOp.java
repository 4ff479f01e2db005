package io.glint.image;

import java.util.List;

/**
 * One JSON-patch operation after parsing: {@code add}, {@code remove} or {@code replace}, a decoded JSON pointer
 * and the value (plain Java JSON value). {@code draft4} marks the deprecated v2.0 media type, whose
 * {@code add} refuses to overwrite.
 */
public record PatchOp(String op, List<String> path, Object value, boolean draft4) {
  public String root() {
    return path.get(0);
  }
}
