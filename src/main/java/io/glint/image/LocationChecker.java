package io.glint.image;

import io.vertx.core.Future;

/**
 * Checks a location URL a user wants to add (outbound filtering, a store that serves it) and returns the size
 * of the data there; fails with a 400-class error when the location is not acceptable.
 */
public interface LocationChecker {
  Future<Long> size(String url);

  /** In multi-store mode, the id of the store that serves {@code url} (recorded as the location's "store"). */
  default String storeOf(String url) {
    return null;
  }
}
