package io.glint.image;

import java.util.Locale;
import java.util.Optional;

/** Image visibility (API 2.5+). */
public enum Visibility {
  PUBLIC,
  PRIVATE,
  SHARED,
  COMMUNITY;

  private static final Visibility[] VALUES = values();
  /** {@link #name()} lower-cased once (the wire name is on every rendered image). */
  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wireName() {
    return wire;
  }

  public static Optional<Visibility> parse(String value) {
    for (Visibility v : VALUES) {
      if (v.wire.equals(value)) {
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
