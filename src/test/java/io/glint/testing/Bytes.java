package io.glint.testing;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/** Deterministic test data and digests. */
public final class Bytes {
  private Bytes() {}

  public static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  public static String md5(byte[] data) {
    return digest("MD5", data);
  }

  public static String sha512(byte[] data) {
    return digest("SHA-512", data);
  }

  public static String digest(String algorithm, byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
