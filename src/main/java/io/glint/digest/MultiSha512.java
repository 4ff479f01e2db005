package io.glint.digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SHA-512 of up to 8 messages at once: each 64-bit lane of a {@link LongVector} is one message's state (8 lanes
 * with AVX-512, 4 with AVX2). The message schedule is stored transposed, word {@code t} of lane {@code l} at
 * {@code w[t * lanes + l]}.
 */
public final class MultiSha512 extends MultiBufferDigest {
  /** The widest species the CPU has (512 bits: 8 lanes). */
  public static final VectorSpecies<Long> PREFERRED = LongVector.SPECIES_PREFERRED;
  private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private static final long[] IV = {
    0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L,
    0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L
  };

  private static final long[] K = {
    0x428a2f98d728ae22L, 0x7137449123ef65cdL, 0xb5c0fbcfec4d3b2fL, 0xe9b5dba58189dbbcL, 0x3956c25bf348b538L,
    0x59f111f1b605d019L, 0x923f82a4af194f9bL, 0xab1c5ed5da6d8118L, 0xd807aa98a3030242L, 0x12835b0145706fbeL,
    0x243185be4ee4b28cL, 0x550c7dc3d5ffb4e2L, 0x72be5d74f27b896fL, 0x80deb1fe3b1696b1L, 0x9bdc06a725c71235L,
    0xc19bf174cf692694L, 0xe49b69c19ef14ad2L, 0xefbe4786384f25e3L, 0x0fc19dc68b8cd5b5L, 0x240ca1cc77ac9c65L,
    0x2de92c6f592b0275L, 0x4a7484aa6ea6e483L, 0x5cb0a9dcbd41fbd4L, 0x76f988da831153b5L, 0x983e5152ee66dfabL,
    0xa831c66d2db43210L, 0xb00327c898fb213fL, 0xbf597fc7beef0ee4L, 0xc6e00bf33da88fc2L, 0xd5a79147930aa725L,
    0x06ca6351e003826fL, 0x142929670a0e6e70L, 0x27b70a8546d22ffcL, 0x2e1b21385c26c926L, 0x4d2c6dfc5ac42aedL,
    0x53380d139d95b3dfL, 0x650a73548baf63deL, 0x766a0abb3c77b2a8L, 0x81c2c92e47edaee6L, 0x92722c851482353bL,
    0xa2bfe8a14cf10364L, 0xa81a664bbc423001L, 0xc24b8b70d0f89791L, 0xc76c51a30654be30L, 0xd192e819d6ef5218L,
    0xd69906245565a910L, 0xf40e35855771202aL, 0x106aa07032bbd1b8L, 0x19a4c116b8d2d0c8L, 0x1e376c085141ab53L,
    0x2748774cdf8eeb99L, 0x34b0bcb5e19b48a8L, 0x391c0cb3c5c95a63L, 0x4ed8aa4ae3418acbL, 0x5b9cca4f7763e373L,
    0x682e6ff3d6b2b8a3L, 0x748f82ee5defb2fcL, 0x78a5636f43172f60L, 0x84c87814a1f0ab72L, 0x8cc702081a6439ecL,
    0x90befffa23631e28L, 0xa4506cebde82bde9L, 0xbef9a3f7b2c67915L, 0xc67178f2e372532bL, 0xca273eceea26619cL,
    0xd186b8c721c0c207L, 0xeada7dd6cde0eb1eL, 0xf57d4f7fee6ed178L, 0x06f067aa72176fbaL, 0x0a637dc5a2c898a6L,
    0x113f9804bef90daeL, 0x1b710b35131c471bL, 0x28db77f523047d84L, 0x32caab7b40c72493L, 0x3c9ebe0a15c9bebcL,
    0x431d67c49c100d4cL, 0x4cc5d4becb3e42b6L, 0x597f299cfc657e2aL, 0x5fcb6fab3ad6faecL, 0x6c44198c4a475817L
  };

  private final VectorSpecies<Long> species;
  private final int n;
  private final long[] state;
  private final long[] w;

  /** As many lanes as the CPU's widest vectors hold. */
  public MultiSha512() {
    this(PREFERRED);
  }

  public MultiSha512(VectorSpecies<Long> species) {
    super(species.length(), 128, 16);
    this.species = species;
    this.n = species.length();
    this.state = new long[8 * n];
    this.w = new long[80 * n];
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
    VectorSpecies<Long> s = species;
    int n = this.n;
    long[] w = this.w;
    for (int t = 16; t < 80; t++) {
      LongVector w2 = LongVector.fromArray(s, w, (t - 2) * n);
      LongVector w15 = LongVector.fromArray(s, w, (t - 15) * n);
      LongVector s1 = ror(w2, 19).lanewise(VectorOperators.XOR, ror(w2, 61))
          .lanewise(VectorOperators.XOR, w2.lanewise(VectorOperators.LSHR, 6));
      LongVector s0 = ror(w15, 1).lanewise(VectorOperators.XOR, ror(w15, 8))
          .lanewise(VectorOperators.XOR, w15.lanewise(VectorOperators.LSHR, 7));
      s1.add(LongVector.fromArray(s, w, (t - 7) * n)).add(s0).add(LongVector.fromArray(s, w, (t - 16) * n))
          .intoArray(w, t * n);
    }
    LongVector a0 = LongVector.fromArray(s, state, 0);
    LongVector b0 = LongVector.fromArray(s, state, n);
    LongVector c0 = LongVector.fromArray(s, state, 2 * n);
    LongVector d0 = LongVector.fromArray(s, state, 3 * n);
    LongVector e0 = LongVector.fromArray(s, state, 4 * n);
    LongVector f0 = LongVector.fromArray(s, state, 5 * n);
    LongVector g0 = LongVector.fromArray(s, state, 6 * n);
    LongVector h0 = LongVector.fromArray(s, state, 7 * n);
    LongVector a = a0;
    LongVector b = b0;
    LongVector c = c0;
    LongVector d = d0;
    LongVector e = e0;
    LongVector f = f0;
    LongVector g = g0;
    LongVector h = h0;
    for (int t = 0; t < 80; t++) {
      LongVector sigma1 = ror(e, 14).lanewise(VectorOperators.XOR, ror(e, 18))
          .lanewise(VectorOperators.XOR, ror(e, 41));
      LongVector ch = g.lanewise(VectorOperators.XOR, e.and(f.lanewise(VectorOperators.XOR, g)));
      LongVector t1 = h.add(sigma1).add(ch).add(K[t]).add(LongVector.fromArray(s, w, t * n));
      LongVector sigma0 = ror(a, 28).lanewise(VectorOperators.XOR, ror(a, 34))
          .lanewise(VectorOperators.XOR, ror(a, 39));
      LongVector maj = a.and(b).or(c.and(a.or(b)));
      LongVector t2 = sigma0.add(maj);
      h = g;
      g = f;
      f = e;
      e = d.add(t1);
      d = c;
      c = b;
      b = a;
      a = t1.add(t2);
    }
    VectorMask<Long> m = VectorMask.fromArray(s, active, 0);
    a0.blend(a0.add(a), m).intoArray(state, 0);
    b0.blend(b0.add(b), m).intoArray(state, n);
    c0.blend(c0.add(c), m).intoArray(state, 2 * n);
    d0.blend(d0.add(d), m).intoArray(state, 3 * n);
    e0.blend(e0.add(e), m).intoArray(state, 4 * n);
    f0.blend(f0.add(f), m).intoArray(state, 5 * n);
    g0.blend(g0.add(g), m).intoArray(state, 6 * n);
    h0.blend(h0.add(h), m).intoArray(state, 7 * n);
  }

  private static LongVector ror(LongVector x, int r) {
    return x.lanewise(VectorOperators.ROR, r);
  }
}
