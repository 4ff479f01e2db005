package io.glint.digest;

import java.util.Arrays;

/**
 * Several independent messages hashed together, one per SIMD lane, as Intel's multi-buffer hashing does: each
 * step of {@link #process()} takes one block from every lane that has one and runs them through the compression
 * function at once; a lane without a full block is masked off (its state does not change).
 *
 * <p>Use: {@link #update} gives a lane its next bytes (kept by reference until {@link #process()} has consumed
 * them; less than a block is copied into the lane's tail), {@link #finish} marks a lane's message complete (its
 * padding is hashed by the next {@code process()}), {@link #isDone} tells when it has been, {@link #digest} reads
 * it and makes the lane free again. {@link #process()} returns as soon as a lane that had input has run dry, so
 * that a caller can give it the next job's bytes and keep the lanes full; {@link #drain()} runs until none has.
 * Not thread-safe.
 */
public abstract class MultiBufferDigest {
  private final int lanes;
  private final int blockSize;
  private final int lengthBytes;

  private final byte[][] input;
  private final int[] pos;
  private final int[] end;
  private final byte[][] tail;
  private final int[] tailLen;
  private final long[] length;
  private final boolean[] finishing;
  private final boolean[] done;
  private final byte[][] pad;
  /** Lanes given a block in the current step; the compression mask. */
  protected final boolean[] active;
  private final boolean[] had;

  protected MultiBufferDigest(int lanes, int blockSize, int lengthBytes) {
    this.lanes = lanes;
    this.blockSize = blockSize;
    this.lengthBytes = lengthBytes;
    input = new byte[lanes][];
    pos = new int[lanes];
    end = new int[lanes];
    tail = new byte[lanes][blockSize];
    tailLen = new int[lanes];
    length = new long[lanes];
    finishing = new boolean[lanes];
    done = new boolean[lanes];
    pad = new byte[lanes][2 * blockSize];
    active = new boolean[lanes];
    had = new boolean[lanes];
  }

  /** Messages hashed at once. */
  public final int lanes() {
    return lanes;
  }

  /** Bytes per block of the compression function. */
  public final int blockSize() {
    return blockSize;
  }

  /** Bytes of a digest. */
  public abstract int digestLength();

  /** Starts a new message in {@code lane}, dropping whatever it held. */
  public final void reset(int lane) {
    input[lane] = null;
    pos[lane] = 0;
    end[lane] = 0;
    tailLen[lane] = 0;
    length[lane] = 0;
    finishing[lane] = false;
    done[lane] = false;
    initState(lane);
  }

  /** Starts a new message in every lane. */
  public final void resetAll() {
    for (int l = 0; l < lanes; l++) {
      reset(l);
    }
  }

  /**
   * Appends {@code b[off, off+len)} to the message in {@code lane}. The array is read until the next
   * {@link #process()} or {@link #drain()} returns with this lane dry ({@link #hasInput} false); bytes still
   * queued in the lane are hashed first.
   */
  public final void update(int lane, byte[] b, int off, int len) {
    if (finishing[lane] || done[lane]) {
      throw new IllegalStateException("lane " + lane + " is finished");
    }
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new IndexOutOfBoundsException();
    }
    while (hasInput(lane)) {
      process();
    }
    if (len == 0) {
      return;
    }
    input[lane] = b;
    pos[lane] = off;
    end[lane] = off + len;
    length[lane] += len;
  }

  /** Whether the lane still holds bytes of its caller's (a tail under a block is not counted). */
  public final boolean hasInput(int lane) {
    return input[lane] != null || finishing[lane];
  }

  /** Marks the lane's message complete: its padding goes through the next {@link #process()}. */
  public final void finish(int lane) {
    if (!done[lane]) {
      finishing[lane] = true;
    }
  }

  /** Whether the lane's message is completely hashed ({@link #digest} may be read). */
  public final boolean isDone(int lane) {
    return done[lane] && input[lane] == null;
  }

  /** The finished lane's digest; the lane starts a new message. */
  public final byte[] digest(int lane) {
    if (!isDone(lane)) {
      finish(lane);
      while (!isDone(lane)) {
        process();
      }
    }
    byte[] out = new byte[digestLength()];
    readState(lane, out);
    reset(lane);
    return out;
  }

  /**
   * Hashes one block per lane per step, while every lane that had input at the call still has a block; returns
   * the number of steps run (0 if no lane had a full block).
   */
  public final int process() {
    int steps = 0;
    boolean[] had = this.had;
    for (int l = 0; l < lanes; l++) {
      had[l] = hasInput(l);
    }
    while (true) {
      int run = wholeBlocksInPlace(had);
      if (run > 0) {
        steps += runInPlace(had, run);
      }
      boolean any = false;
      boolean dry = false;
      for (int l = 0; l < lanes; l++) {
        boolean got = had[l] && nextBlock(l);
        active[l] = got;
        any |= got;
        dry |= had[l] && !got;
      }
      if (!any) {
        return steps;
      }
      compress();
      steps++;
      if (dry) {
        return steps;
      }
    }
  }

  /**
   * The steps every lane in {@code had} can take straight from its caller's array (no tail to complete, whole
   * blocks only), or 0 when one of them cannot take any that way: then {@link #nextBlock} goes block by block.
   * Uploads give the lanes 256 KiB at a time, so most steps are taken this way, without the per-block checks.
   */
  private int wholeBlocksInPlace(boolean[] had) {
    int run = Integer.MAX_VALUE;
    boolean anyLane = false;
    for (int l = 0; l < lanes; l++) {
      if (had[l]) {
        if (input[l] == null || tailLen[l] > 0) {
          return 0;
        }
        run = Math.min(run, (end[l] - pos[l]) / blockSize);
        anyLane = true;
      }
    }
    return anyLane ? run : 0;
  }

  /** Takes {@code run} steps of whole blocks from the arrays of the lanes in {@code had} (see above). */
  private int runInPlace(boolean[] had, int run) {
    for (int l = 0; l < lanes; l++) {
      active[l] = had[l];
    }
    for (int s = 0; s < run; s++) {
      for (int l = 0; l < lanes; l++) {
        if (had[l]) {
          loadBlock(l, input[l], pos[l]);
          pos[l] += blockSize;
        }
      }
      compress();
    }
    for (int l = 0; l < lanes; l++) {
      if (had[l] && pos[l] == end[l]) {
        input[l] = null;
      }
    }
    return run;
  }

  /** Runs {@link #process()} until no lane has a full block left. */
  public final void drain() {
    while (process() > 0) {
      // next step
    }
  }

  /** Finds the lane's next block and loads it with {@link #loadBlock}; false (lane dry) if it has none. */
  private boolean nextBlock(int l) {
    byte[] in = input[l];
    if (in != null) {
      int n = tailLen[l];
      if (n > 0) {
        int take = Math.min(blockSize - n, end[l] - pos[l]);
        System.arraycopy(in, pos[l], tail[l], n, take);
        pos[l] += take;
        tailLen[l] = n += take;
        if (pos[l] == end[l]) {
          input[l] = null;
        }
        if (n == blockSize) {
          tailLen[l] = 0;
          loadBlock(l, tail[l], 0);
          return true;
        }
      } else if (end[l] - pos[l] >= blockSize) {
        loadBlock(l, in, pos[l]);
        pos[l] += blockSize;
        if (pos[l] == end[l]) {
          input[l] = null;
        }
        return true;
      } else {
        int rest = end[l] - pos[l];
        System.arraycopy(in, pos[l], tail[l], 0, rest);
        tailLen[l] = rest;
        input[l] = null;
      }
    }
    if (finishing[l]) {
      finishing[l] = false;
      done[l] = true;
      int padLen = writePadding(l);
      input[l] = pad[l];
      pos[l] = blockSize; // the first block goes now, the second (if any) stays queued
      end[l] = padLen;
      if (padLen == blockSize) {
        input[l] = null;
      }
      loadBlock(l, pad[l], 0);
      return true;
    }
    return false;
  }

  /** Writes tail, 0x80, zeros and the bit length into the lane's pad array; returns its length (1 or 2 blocks). */
  private int writePadding(int l) {
    byte[] p = pad[l];
    int n = tailLen[l];
    tailLen[l] = 0;
    System.arraycopy(tail[l], 0, p, 0, n);
    p[n] = (byte) 0x80;
    int total = n + 1 + lengthBytes <= blockSize ? blockSize : 2 * blockSize;
    Arrays.fill(p, n + 1, total, (byte) 0);
    writeBitLength(p, total, length[l] << 3);
    return total;
  }

  /** Writes the message's length in bits at the end of {@code pad[0, end)}, in the algorithm's byte order. */
  protected abstract void writeBitLength(byte[] pad, int end, long bits);

  /** Sets the lane's chaining state to the algorithm's initial value. */
  protected abstract void initState(int lane);

  /** Loads the block at {@code b[off, off+blockSize)} as the lane's message words for the next step. */
  protected abstract void loadBlock(int lane, byte[] b, int off);

  /** Runs the compression function once on every lane; lanes not {@link #active} keep their state. */
  protected abstract void compress();

  /** Writes the lane's chaining state as the digest. */
  protected abstract void readState(int lane, byte[] out);
}
