package io.glint.image;

import java.util.Locale;
import java.util.Optional;

/** Image visibility (API 2.5+). */
public enum Visibility {
  PUBLIC,
  PRIVATE,
  SHARED,
  COMMUNITY;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Visibility> parse(String value) {
    for (Visibility v : values()) {
      if (v.wireName().equals(value)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wireName();
  }
}
