package io.glint.digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SHA-512 of up to 8 messages at once: each 64-bit lane of a {@link LongVector} is one message's state (8 lanes
 * with AVX-512, 4 with AVX2). The message schedule is stored transposed, word {@code t} of lane {@code l} at
 * {@code w[t * lanes + l]}. The rounds are in {@link Sha512Kernels} (generated, unrolled, one class per width: see
 * scripts/gen-digest-kernels.py).
 */
public final class MultiSha512 extends MultiBufferDigest {
  /** The widest species the CPU has (512 bits: 8 lanes). */
  public static final VectorSpecies<Long> PREFERRED = LongVector.SPECIES_PREFERRED;
  private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private static final long[] IV = {
    0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L,
    0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L
  };

  private final int n;
  private final long[] state;
  private final long[] w;
  private final long[] work;
  private final Sha512Kernels.Kernel kernel;

  /** As many lanes as the CPU's widest vectors hold. */
  public MultiSha512() {
    this(PREFERRED);
  }

  public MultiSha512(VectorSpecies<Long> species) {
    super(species.length(), 128, 16);
    this.n = species.length();
    this.state = new long[8 * n];
    this.w = new long[80 * n];
    this.work = new long[8 * n];
    this.kernel = Sha512Kernels.forSpecies(species);
    resetAll();
  }

  @Override
  public int digestLength() {
    return 64;
  }

  @Override
  protected void initState(int lane) {
    for (int i = 0; i < 8; i++) {
      state[i * n + lane] = IV[i];
    }
  }

  @Override
  protected void writeBitLength(byte[] pad, int end, long bits) {
    BE_LONG.set(pad, end - 16, 0L);
    BE_LONG.set(pad, end - 8, bits);
  }

  @Override
  protected void loadBlock(int lane, byte[] b, int off) {
    long[] w = this.w;
    int n = this.n;
    for (int i = 0; i < 16; i++) {
      w[i * n + lane] = (long) BE_LONG.get(b, off + 8 * i);
    }
  }

  @Override
  protected void readState(int lane, byte[] out) {
    for (int i = 0; i < 8; i++) {
      BE_LONG.set(out, 8 * i, state[i * n + lane]);
    }
  }

  @Override
  protected void compress() {
    kernel.compress(state, w, work, active);
  }
}
