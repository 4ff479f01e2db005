package io.glint.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes of one new file opened with {@code O_DIRECT} ({@code filesystem_store_direct_io}): the bytes go from an
 * aligned direct buffer to the disk, past the page cache, which saves the kernel's copy into the cache and its
 * writeback. {@code O_DIRECT} wants every write's offset, length and memory aligned to the filesystem's block
 * size: each write sends the whole blocks it has and keeps the rest (less than a block) for the next;
 * {@link #finish} writes the last partial block padded with zeros and truncates the file to its true length.
 * Used by one thread at a time (the upload's file lane).
 */
final class DirectWrites {
  /** The largest alignment supported (and the alignment of the per-thread buffers). */
  static final int MAX_ALIGNMENT = 64 * 1024;

  private final FileChannel channel;
  private final int alignment;
  private final byte[] carry;
  private int carried;
  private long written;

  DirectWrites(FileChannel channel, int alignment) {
    this.channel = channel;
    this.alignment = alignment;
    this.carry = new byte[alignment];
  }

  /**
   * The alignment O_DIRECT writes need in {@code dir}'s filesystem (its block size), or 0 when it is not a power
   * of two up to {@link #MAX_ALIGNMENT}.
   */
  static int alignment(Path dir) throws IOException {
    long size = Files.getFileStore(dir).getBlockSize();
    return size > 0 && size <= MAX_ALIGNMENT && Long.bitCount(size) == 1 ? (int) Math.max(size, 512) : 0;
  }

  /** Writes the whole blocks of what was kept plus {@code bytes}, and keeps the rest. */
  void write(ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      ByteBuffer direct = FileStore.directBuffer(0);
      direct.clear();
      direct.put(carry, 0, carried);
      int take = Math.min(bytes.remaining(), direct.remaining());
      ByteBuffer part = bytes.slice(bytes.position(), take);
      bytes.position(bytes.position() + take);
      direct.put(part);
      int total = direct.position();
      int whole = total - total % alignment;
      direct.flip();
      direct.limit(whole);
      while (direct.hasRemaining()) {
        written += channel.write(direct);
      }
      direct.limit(total);
      carried = total - whole;
      direct.get(carry, 0, carried);
    }
  }

  /** Writes the last partial block, padded, and cuts the file to the bytes given. */
  void finish() throws IOException {
    if (carried == 0) {
      return;
    }
    ByteBuffer direct = FileStore.directBuffer(0);
    direct.clear();
    direct.put(carry, 0, carried);
    while (direct.position() < alignment) {
      direct.put((byte) 0);
    }
    direct.flip();
    long end = written + carried;
    while (direct.hasRemaining()) {
      written += channel.write(direct);
    }
    channel.truncate(end);
    written = end;
    carried = 0;
  }
}
