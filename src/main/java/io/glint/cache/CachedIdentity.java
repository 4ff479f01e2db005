package io.glint.cache;

import java.util.Objects;

/**
 * What a cache entry's bytes are the data of: the image's size and digests and the location they were read from.
 * An entry whose image no longer has this identity (deleted, deactivated, data replaced, location changed) is
 * stale and is evicted.
 *
 * @param size the image's size in bytes
 * @param checksum its md5 ({@code checksum}), null when the image has none (a location added by URL)
 * @param osHashAlgo its {@code os_hash_algo}, null when it has none
 * @param osHashValue its {@code os_hash_value}, null when it has none
 * @param location the location URL the bytes were read from
 */
public record CachedIdentity(long size, String checksum, String osHashAlgo, String osHashValue, String location) {

  public CachedIdentity {
    Objects.requireNonNull(location, "location");
  }

  /** The Java name of {@link #osHashAlgo} (sha512 → SHA-512, sha3_256 → SHA3-256, md5 → MD5); null if none. */
  String osHashJcaName() {
    if (osHashAlgo == null || osHashValue == null) {
      return null;
    }
    String a = osHashAlgo.toLowerCase(java.util.Locale.ROOT);
    if (a.equals("md5")) {
      return "MD5";
    }
    if (a.startsWith("sha3_")) {
      return "SHA3-" + a.substring(5);
    }
    if (a.startsWith("sha")) {
      return "SHA-" + a.substring(3);
    }
    return null;
  }
}
