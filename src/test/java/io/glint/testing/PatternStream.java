package io.glint.testing;

import java.io.InputStream;
import java.util.Random;

/**
 * A long deterministic byte stream made by repeating a random block of a prime length (so that a shifted or
 * repeated chunk changes the digest), produced on the fly: tests can move gigabytes without holding them.
 */
public final class PatternStream extends InputStream {
  private static final byte[] BLOCK = new byte[1_000_003];

  static {
    new Random(42).nextBytes(BLOCK);
  }

  private final long length;
  private long position;

  public PatternStream(long length) {
    this.length = length;
  }

  @Override
  public int read() {
    if (position >= length) {
      return -1;
    }
    return BLOCK[(int) (position++ % BLOCK.length)] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (position >= length) {
      return -1;
    }
    int n = (int) Math.min(len, length - position);
    int done = 0;
    while (done < n) {
      int at = (int) (position % BLOCK.length);
      int take = Math.min(n - done, BLOCK.length - at);
      System.arraycopy(BLOCK, at, b, off + done, take);
      done += take;
      position += take;
    }
    return n;
  }
}
