package io.glint.digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * MD5 of up to 16 messages at once: each 32-bit lane of an {@link IntVector} is one message's state (16 lanes
 * with AVX-512, 8 with AVX2). The block's words are stored transposed, word {@code w} of lane {@code l} at
 * {@code words[w * lanes + l]}, so that word {@code w} of all lanes is one vector load. The rounds are in
 * {@link Md5Kernels} (generated, unrolled, one class per width: see scripts/gen-digest-kernels.py).
 */
public final class MultiMd5 extends MultiBufferDigest {
  /** The widest species the CPU has (512 bits: 16 lanes). */
  public static final VectorSpecies<Integer> PREFERRED = IntVector.SPECIES_PREFERRED;
  private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final int n;
  private final int[] state;
  private final int[] words;
  private final int[] work;
  private final Md5Kernels.Kernel kernel;

  /** As many lanes as the CPU's widest vectors hold. */
  public MultiMd5() {
    this(PREFERRED);
  }

  public MultiMd5(VectorSpecies<Integer> species) {
    super(species.length(), 64, 8);
    this.n = species.length();
    this.state = new int[4 * n];
    this.words = new int[16 * n];
    this.work = new int[4 * n];
    this.kernel = Md5Kernels.forSpecies(species);
    resetAll();
  }

  @Override
  public int digestLength() {
    return 16;
  }

  @Override
  protected void initState(int lane) {
    state[lane] = 0x67452301;
    state[n + lane] = 0xefcdab89;
    state[2 * n + lane] = 0x98badcfe;
    state[3 * n + lane] = 0x10325476;
  }

  @Override
  protected void writeBitLength(byte[] pad, int end, long bits) {
    LE_LONG.set(pad, end - 8, bits);
  }

  @Override
  protected void loadBlock(int lane, byte[] b, int off) {
    int[] w = words;
    int n = this.n;
    for (int i = 0; i < 16; i++) {
      w[i * n + lane] = (int) LE_INT.get(b, off + 4 * i);
    }
  }

  @Override
  protected void readState(int lane, byte[] out) {
    for (int i = 0; i < 4; i++) {
      LE_INT.set(out, 4 * i, state[i * n + lane]);
    }
  }

  @Override
  protected void compress() {
    kernel.compress(state, words, work, active);
  }
}
