package io.glint.digest;

import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * MD5 and SHA-512 of messages of {@link #size} bytes: the JDK's {@link MessageDigest} (one message at a time, one
 * core) against {@link MultiMd5}/{@link MultiSha512} hashing 4, 8 or 16 messages at once on one core. One
 * operation is one message: a score in ops/s times {@code size} is the rate in bytes/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DigestBench {
  /** Bytes per message. */
  @Param({"262144"})
  public int size;

  private byte[][] msgs;
  private MessageDigest md5;
  private MessageDigest sha512;
  private MultiMd5 md5x16;
  private MultiMd5 md5x8;
  private MultiSha512 sha512x8;
  private MultiSha512 sha512x4;

  @Setup
  public void setup() throws Exception {
    Random rnd = new Random(42);
    msgs = new byte[16][size];
    for (byte[] m : msgs) {
      rnd.nextBytes(m);
    }
    md5 = MessageDigest.getInstance("MD5");
    sha512 = MessageDigest.getInstance("SHA-512");
    md5x16 = new MultiMd5(IntVector.SPECIES_512);
    md5x8 = new MultiMd5(IntVector.SPECIES_256);
    sha512x8 = new MultiSha512(LongVector.SPECIES_512);
    sha512x4 = new MultiSha512(LongVector.SPECIES_256);
  }

  private static byte[] lanes(MultiBufferDigest md, byte[][] msgs) {
    return lanes(md, msgs, md.lanes());
  }

  /** The first {@code n} lanes only; the others idle (masked), their share of each step wasted. */
  private static byte[] lanes(MultiBufferDigest md, byte[][] msgs, int n) {
    for (int l = 0; l < n; l++) {
      md.update(l, msgs[l], 0, msgs[l].length);
      md.finish(l);
    }
    md.drain();
    byte[] last = null;
    for (int l = 0; l < n; l++) {
      last = md.digest(l);
    }
    return last;
  }

  @Benchmark
  public byte[] md5Scalar() {
    md5.update(msgs[0]);
    return md5.digest();
  }

  @Benchmark
  @OperationsPerInvocation(8)
  public byte[] md5Lanes8() {
    return lanes(md5x8, msgs);
  }

  @Benchmark
  @OperationsPerInvocation(16)
  public byte[] md5Lanes16() {
    return lanes(md5x16, msgs);
  }

  /** Eight uploads in a 16-lane engine: half its lanes idle (masked), against md5Lanes8 for the same eight. */
  @Benchmark
  @OperationsPerInvocation(8)
  public byte[] md5Lanes16HalfUsed() {
    return lanes(md5x16, msgs, 8);
  }

  @Benchmark
  public byte[] sha512Scalar() {
    sha512.update(msgs[0]);
    return sha512.digest();
  }

  @Benchmark
  @OperationsPerInvocation(4)
  public byte[] sha512Lanes4() {
    return lanes(sha512x4, msgs);
  }

  @Benchmark
  @OperationsPerInvocation(8)
  public byte[] sha512Lanes8() {
    return lanes(sha512x8, msgs);
  }

  /** Four uploads in an 8-lane engine: half its lanes idle, against sha512Lanes4 for the same four. */
  @Benchmark
  @OperationsPerInvocation(4)
  public byte[] sha512Lanes8HalfUsed() {
    return lanes(sha512x8, msgs, 4);
  }
}
