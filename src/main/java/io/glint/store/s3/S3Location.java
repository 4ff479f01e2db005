package io.glint.store.s3;

import java.util.Locale;

/**
 * An S3 location URI as glance_store writes it, {@code s3://host[:port]/bucket/key} for a plain-http endpoint
 * and {@code s3+https://host[:port]/bucket/key} for https (also read: {@code s3+http://}). glance_store puts the
 * access and secret keys in front of the host ({@code s3://access:secret@host/...}); Glint never writes them,
 * and ignores them when it reads a location that has them.
 */
record S3Location(String scheme, String authority, String bucket, String key) {

  /** The location of {@code key} in the store of {@code settings}. */
  static S3Location of(S3Settings settings, String key) {
    return new S3Location(settings.https() ? "s3+https" : "s3", settings.authority(), settings.bucket(), key);
  }

  /** Parses a location; null when it is no S3 location. */
  static S3Location parse(String uri) {
    int colon = uri.indexOf("://");
    if (colon < 0 || uri.indexOf("://", colon + 3) >= 0) {
      return null; // glance_store refuses s3://a:b@https://host/... too
    }
    String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!scheme.equals("s3") && !scheme.equals("s3+http") && !scheme.equals("s3+https")) {
      return null;
    }
    String rest = uri.substring(colon + 3);
    // The secret may contain '/', so the credentials end at the last '@' (glance_store's parse_uri too).
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      rest = rest.substring(at + 1);
    }
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      return null;
    }
    String authority = rest.substring(0, slash);
    String path = rest.substring(slash + 1);
    int next = path.indexOf('/');
    if (next <= 0 || next == path.length() - 1) {
      return null;
    }
    return new S3Location(scheme, authority, path.substring(0, next), path.substring(next + 1));
  }

  /** Whether this location is in the bucket of the store of {@code settings}, on its endpoint. */
  boolean in(S3Settings settings) {
    boolean https = scheme.equals("s3+https");
    return https == settings.https() && authority.equalsIgnoreCase(settings.authority())
        && bucket.equals(settings.bucket());
  }

  /** The URI, without credentials. */
  String uri() {
    return scheme + "://" + authority + "/" + bucket + "/" + key;
  }

  @Override
  public String toString() {
    return uri();
  }
}
