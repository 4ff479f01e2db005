package io.glint.digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MD5 of up to 16 messages at once: each 32-bit lane of an {@link IntVector} is one message's state (16 lanes
 * with AVX-512, 8 with AVX2). The block's words are stored transposed, word {@code w} of lane {@code l} at
 * {@code words[w * lanes + l]}, so that word {@code w} of all lanes is one vector load.
 */
public final class MultiMd5 extends MultiBufferDigest {
  /** The widest species the CPU has (512 bits: 16 lanes). */
  public static final VectorSpecies<Integer> PREFERRED = IntVector.SPECIES_PREFERRED;
  private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int[] K = new int[64];

  static {
    for (int i = 0; i < 64; i++) {
      K[i] = (int) (long) Math.floor(Math.abs(StrictMath.sin(i + 1)) * 4294967296.0);
    }
  }

  private final VectorSpecies<Integer> species;
  private final int n;
  private final int[] state;
  private final int[] words;

  /** As many lanes as the CPU's widest vectors hold. */
  public MultiMd5() {
    this(PREFERRED);
  }

  public MultiMd5(VectorSpecies<Integer> species) {
    super(species.length(), 64, 8);
    this.species = species;
    this.n = species.length();
    this.state = new int[4 * n];
    this.words = new int[16 * n];
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
    VectorSpecies<Integer> s = species;
    int n = this.n;
    int[] w = words;
    IntVector a0 = IntVector.fromArray(s, state, 0);
    IntVector b0 = IntVector.fromArray(s, state, n);
    IntVector c0 = IntVector.fromArray(s, state, 2 * n);
    IntVector d0 = IntVector.fromArray(s, state, 3 * n);
    IntVector a = a0;
    IntVector b = b0;
    IntVector c = c0;
    IntVector d = d0;
    for (int i = 0; i < 16; i += 4) {
      a = b.add(rol(a.add(d.lanewise(VectorOperators.XOR, b.and(c.lanewise(VectorOperators.XOR, d))))
          .add(K[i]).add(IntVector.fromArray(s, w, i * n)), 7));
      d = a.add(rol(d.add(c.lanewise(VectorOperators.XOR, a.and(b.lanewise(VectorOperators.XOR, c))))
          .add(K[i + 1]).add(IntVector.fromArray(s, w, (i + 1) * n)), 12));
      c = d.add(rol(c.add(b.lanewise(VectorOperators.XOR, d.and(a.lanewise(VectorOperators.XOR, b))))
          .add(K[i + 2]).add(IntVector.fromArray(s, w, (i + 2) * n)), 17));
      b = c.add(rol(b.add(a.lanewise(VectorOperators.XOR, c.and(d.lanewise(VectorOperators.XOR, a))))
          .add(K[i + 3]).add(IntVector.fromArray(s, w, (i + 3) * n)), 22));
    }
    for (int i = 16; i < 32; i += 4) {
      a = b.add(rol(a.add(g(b, c, d)).add(K[i]).add(IntVector.fromArray(s, w, ((5 * i + 1) & 15) * n)), 5));
      d = a.add(rol(d.add(g(a, b, c)).add(K[i + 1]).add(IntVector.fromArray(s, w, ((5 * i + 6) & 15) * n)), 9));
      c = d.add(rol(c.add(g(d, a, b)).add(K[i + 2]).add(IntVector.fromArray(s, w, ((5 * i + 11) & 15) * n)), 14));
      b = c.add(rol(b.add(g(c, d, a)).add(K[i + 3]).add(IntVector.fromArray(s, w, ((5 * i + 16) & 15) * n)), 20));
    }
    for (int i = 32; i < 48; i += 4) {
      a = b.add(rol(a.add(h(b, c, d)).add(K[i]).add(IntVector.fromArray(s, w, ((3 * i + 5) & 15) * n)), 4));
      d = a.add(rol(d.add(h(a, b, c)).add(K[i + 1]).add(IntVector.fromArray(s, w, ((3 * i + 8) & 15) * n)), 11));
      c = d.add(rol(c.add(h(d, a, b)).add(K[i + 2]).add(IntVector.fromArray(s, w, ((3 * i + 11) & 15) * n)), 16));
      b = c.add(rol(b.add(h(c, d, a)).add(K[i + 3]).add(IntVector.fromArray(s, w, ((3 * i + 14) & 15) * n)), 23));
    }
    for (int i = 48; i < 64; i += 4) {
      a = b.add(rol(a.add(ii(b, c, d)).add(K[i]).add(IntVector.fromArray(s, w, ((7 * i) & 15) * n)), 6));
      d = a.add(rol(d.add(ii(a, b, c)).add(K[i + 1]).add(IntVector.fromArray(s, w, ((7 * i + 7) & 15) * n)), 10));
      c = d.add(rol(c.add(ii(d, a, b)).add(K[i + 2]).add(IntVector.fromArray(s, w, ((7 * i + 14) & 15) * n)), 15));
      b = c.add(rol(b.add(ii(c, d, a)).add(K[i + 3]).add(IntVector.fromArray(s, w, ((7 * i + 21) & 15) * n)), 21));
    }
    VectorMask<Integer> m = VectorMask.fromArray(s, active, 0);
    a0.blend(a0.add(a), m).intoArray(state, 0);
    b0.blend(b0.add(b), m).intoArray(state, n);
    c0.blend(c0.add(c), m).intoArray(state, 2 * n);
    d0.blend(d0.add(d), m).intoArray(state, 3 * n);
  }

  private static IntVector g(IntVector b, IntVector c, IntVector d) {
    return c.lanewise(VectorOperators.XOR, d.and(b.lanewise(VectorOperators.XOR, c)));
  }

  private static IntVector h(IntVector b, IntVector c, IntVector d) {
    return b.lanewise(VectorOperators.XOR, c).lanewise(VectorOperators.XOR, d);
  }

  private static IntVector ii(IntVector b, IntVector c, IntVector d) {
    return c.lanewise(VectorOperators.XOR, b.or(d.not()));
  }

  private static IntVector rol(IntVector x, int r) {
    return x.lanewise(VectorOperators.ROL, r);
  }
}
