package io.glint.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The multi-buffer digests against the JDK's {@link MessageDigest}, lane by lane. */
class MultiBufferDigestTest {
  static List<Arguments> engines() {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("MD5", "md5 x" + MultiMd5.PREFERRED.length(), (Supplier<MultiBufferDigest>) MultiMd5::new));
    out.add(Arguments.of("MD5", "md5 x8", (Supplier<MultiBufferDigest>) () -> new MultiMd5(IntVector.SPECIES_256)));
    out.add(Arguments.of("MD5", "md5 x4", (Supplier<MultiBufferDigest>) () -> new MultiMd5(IntVector.SPECIES_128)));
    out.add(Arguments.of("SHA-512", "sha512 x" + MultiSha512.PREFERRED.length(),
        (Supplier<MultiBufferDigest>) MultiSha512::new));
    out.add(Arguments.of("SHA-512", "sha512 x4",
        (Supplier<MultiBufferDigest>) () -> new MultiSha512(LongVector.SPECIES_256)));
    out.add(Arguments.of("SHA-512", "sha512 x2",
        (Supplier<MultiBufferDigest>) () -> new MultiSha512(LongVector.SPECIES_128)));
    return out;
  }

  /** The widths the CPU runs natively (the others run the same code, checked on every length above). */
  static List<Arguments> preferred() {
    return engines().stream().filter(a -> ((String) a.get()[1]).endsWith("x" + MultiMd5.PREFERRED.length())
        || ((String) a.get()[1]).endsWith("x" + MultiSha512.PREFERRED.length()) && a.get()[0].equals("SHA-512"))
        .toList();
  }

  private static byte[] expected(String algo, byte[] data, int off, int len) throws Exception {
    MessageDigest md = MessageDigest.getInstance(algo);
    md.update(data, off, len);
    return md.digest();
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("engines")
  void everyLengthUpTo600InEveryLane(String algo, String name, Supplier<MultiBufferDigest> engine)
      throws Exception {
    Random rnd = new Random(1);
    byte[] data = new byte[700];
    rnd.nextBytes(data);
    MultiBufferDigest md = engine.get();
    int lanes = md.lanes();
    // lengths 0..600 spread over the lanes, each lane a different length in each round
    for (int base = 0; base <= 600; base += lanes) {
      for (int l = 0; l < lanes; l++) {
        int len = Math.min(600, base + l);
        md.update(l, data, l, len);
        md.finish(l);
      }
      md.drain();
      for (int l = 0; l < lanes; l++) {
        assertTrue(md.isDone(l));
        int len = Math.min(600, base + l);
        assertArrayEquals(expected(algo, data, l, len), md.digest(l), name + " length " + len + " lane " + l);
      }
    }
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("preferred")
  void streamingInRandomChunksWithLanesOfDifferentLengths(String algo, String name,
      Supplier<MultiBufferDigest> engine) throws Exception {
    Random rnd = new Random(2);
    MultiBufferDigest md = engine.get();
    int lanes = md.lanes();
    for (int round = 0; round < 2; round++) {
      byte[][] msgs = new byte[lanes][];
      int[] sent = new int[lanes];
      for (int l = 0; l < lanes; l++) {
        int len = l == 0 ? (1 << 20) + 1 + rnd.nextInt(300) // 1 MiB and odd bytes
            : switch (l % 4) {
              case 1 -> rnd.nextInt(70_000);
              case 2 -> rnd.nextInt(300);
              case 3 -> (1 << 18) - 1;
              default -> (1 << 17) + rnd.nextInt(300);
            };
        msgs[l] = new byte[len];
        rnd.nextBytes(msgs[l]);
      }
      boolean pending = true;
      while (pending) {
        pending = false;
        for (int l = 0; l < lanes; l++) {
          if (sent[l] < msgs[l].length && !md.hasInput(l)) {
            int chunk = Math.min(msgs[l].length - sent[l], 1 + rnd.nextInt(rnd.nextBoolean() ? 200 : 40_000));
            md.update(l, msgs[l], sent[l], chunk);
            sent[l] += chunk;
          }
          if (sent[l] == msgs[l].length) {
            md.finish(l);
          } else {
            pending = true;
          }
        }
        md.process();
      }
      md.drain();
      for (int l = 0; l < lanes; l++) {
        assertArrayEquals(expected(algo, msgs[l], 0, msgs[l].length), md.digest(l),
            name + " round " + round + " lane " + l + " length " + msgs[l].length);
      }
    }
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("preferred")
  void aLaneThatFinishesEarlyTakesTheNextJob(String algo, String name, Supplier<MultiBufferDigest> engine)
      throws Exception {
    Random rnd = new Random(3);
    List<byte[]> jobs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] b = new byte[rnd.nextInt(i % 10 == 0 ? 200_000 : 5_000)];
      rnd.nextBytes(b);
      jobs.add(b);
    }
    List<byte[]> got = MultiDigests.digestAll(engine.get(), jobs);
    assertEquals(jobs.size(), got.size());
    for (int i = 0; i < jobs.size(); i++) {
      byte[] job = jobs.get(i);
      assertArrayEquals(expected(algo, job, 0, job.length), got.get(i), name + " job " + i);
    }
  }

  @Test
  void updatesAfterFinishAreRefusedAndALaneIsFreeAgainAfterItsDigest() throws Exception {
    MultiMd5 md = new MultiMd5();
    byte[] abc = "abc".getBytes();
    md.update(0, abc, 0, 3);
    md.finish(0);
    assertThrows(IllegalStateException.class, () -> md.update(0, abc, 0, 1));
    assertFalse(md.isDone(0));
    assertArrayEquals(expected("MD5", abc, 0, 3), md.digest(0));
    md.update(0, abc, 1, 2);
    assertArrayEquals(expected("MD5", abc, 1, 2), md.digest(0));
    assertArrayEquals(expected("MD5", abc, 0, 0), md.digest(1), "an untouched lane is the empty message");
  }
}
