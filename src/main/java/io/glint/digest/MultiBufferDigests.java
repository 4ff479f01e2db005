package io.glint.digest;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an upload's digests go through the shared SIMD lanes ({@code [DEFAULT] multibuffer_digests}): two
 * {@link LaneScheduler}s for MD5 (the {@code checksum}; 8 lanes of 256 bits each, see {@link #md5Engine}) and one
 * for SHA-512 (the {@code os_hash_value} of the default {@code hashing_algorithm}, in the CPU's widest vectors;
 * other algorithms stay with the JDK's digests). With {@code auto}, an upload
 * takes lanes only when another upload is running as its first bytes are hashed: a lone upload is faster with the JDK's
 * digests, which run at the speed of one lane's worth of work per step. An upload that starts while every lane
 * of a digest is taken hashes that digest with the JDK's instead of waiting for a lane: uploads then never wait
 * on each other.
 */
public final class MultiBufferDigests {
  private static final Logger LOG = LoggerFactory.getLogger(MultiBufferDigests.class);
  /** Every upload with the JDK's digests. */
  public static final MultiBufferDigests OFF = new MultiBufferDigests(false, null, null, null);

  private final boolean always;
  private final LaneScheduler md5Lanes;
  private final LaneScheduler md5MoreLanes;
  private final LaneScheduler sha512Lanes;
  private final AtomicInteger uploads = new AtomicInteger();

  private MultiBufferDigests(boolean always, LaneScheduler md5, LaneScheduler md5More, LaneScheduler sha512) {
    this.always = always;
    this.md5Lanes = md5;
    this.md5MoreLanes = md5More;
    this.sha512Lanes = sha512;
  }

  /**
   * For the option's value ({@code off}, {@code auto}, {@code on}); the lanes' work runs on {@code pool}. Without
   * the Vector API (the JVM started without {@code --add-modules jdk.incubator.vector}) it is {@link #OFF}, with
   * a warning. The kernels are compiled on a background thread first (until C2 has compiled them, the Vector API
   * runs interpreted at a few MB/s): until then {@code auto} gives uploads the JDK's digests ({@code on} does
   * not wait).
   */
  public static MultiBufferDigests create(String mode, Executor pool) {
    if (mode.equals("off")) {
      return OFF;
    }
    try {
      MultiBufferDigests d = new MultiBufferDigests(mode.equals("on"),
          new LaneScheduler(MultiBufferDigests::md5Engine, pool),
          new LaneScheduler(MultiBufferDigests::md5Engine, pool),
          new LaneScheduler(MultiSha512::new, pool));
      Thread warm = new Thread(d::warmUp, "glint-digest-warmup");
      warm.setDaemon(true);
      warm.setPriority(Thread.MIN_PRIORITY);
      warm.start();
      LOG.info("multibuffer_digests={}: md5 in 2 x {} lanes, sha512 in {} lanes", mode, d.md5Lanes.lanes(),
          d.sha512Lanes.lanes());
      return d;
    } catch (LinkageError e) {
      LOG.warn("multibuffer_digests={} needs the Vector API (java --add-modules jdk.incubator.vector): "
          + "uploads use the JDK's digests ({})", mode, e.toString());
      return OFF;
    }
  }

  private volatile boolean warm;

  /**
   * MD5's lanes: 256-bit vectors (8 lanes) even where the CPU has 512-bit ones, in two engines of their own. With
   * AMD's Zen 4 (512-bit instructions run as two 256-bit halves), a 16-lane engine with 8 busy lanes hashed 1,216
   * MB/s, an 8-lane engine 1,539 (JMH, DigestBench; 1,597 for 16 busy lanes): uploads rarely fill 16 lanes, and
   * two engines run on two cores. One width per element type also matters to
   * JDK 17: its C2 lost the Vector API's intrinsics (kernels at 1-10 % of their speed) in a process hashing with
   * two widths of {@code IntVector}. A method, not a constant: this class must load without the Vector API.
   */
  private static MultiMd5 md5Engine() {
    return new MultiMd5(MultiMd5.PREFERRED.length() >= 8 ? jdk.incubator.vector.IntVector.SPECIES_256
        : MultiMd5.PREFERRED);
  }

  /** Whether the kernels have been warmed up (until then, {@code auto} gives uploads the JDK's digests). */
  public boolean warm() {
    return warm;
  }

  /**
   * Once {@link #warm}: whether md5 and sha512 lanes (all busy) outran the JDK's digests by
   * {@link #LANES_WORTHWHILE} on this machine; {@code auto} uses only those that did.
   */
  public boolean[] worthwhile() {
    return new boolean[] {md5Worthwhile, sha512Worthwhile};
  }

  /**
   * Runs the kernels until C2 has compiled them (a few seconds of one core, more on a loaded machine), then
   * checks that each engine, all lanes busy, hashes faster than the JDK's digest: a digest whose lanes are not at
   * least {@link #LANES_WORTHWHILE} times the JDK's rate (a CPU with narrow vectors, a JIT that compiled the
   * kernels badly) is left to the JDK's for every upload.
   */
  private void warmUp() {
    byte[] block = new byte[64 * 1024];
    MultiBufferDigest[] engines = {md5Engine(), new MultiSha512()};
    for (MultiBufferDigest md : engines) {
      for (int round = 0; round < 40; round++) {
        for (int l = 0; l < md.lanes(); l++) {
          md.update(l, block, 0, block.length);
        }
        md.drain();
      }
    }
    double md5Gain = gain(engines[0], "MD5", block);
    double sha512Gain = gain(engines[1], "SHA-512", block);
    // Measured again a while, and the best kept, before a digest is given up: C2 may still be compiling, the
    // machine may be busy. Only lanes that stay slow are not used.
    for (int again = 0; again < 20 && (md5Gain < LANES_WORTHWHILE || sha512Gain < LANES_WORTHWHILE); again++) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      md5Gain = Math.max(md5Gain, gain(engines[0], "MD5", block));
      sha512Gain = Math.max(sha512Gain, gain(engines[1], "SHA-512", block));
    }
    md5Worthwhile = md5Gain >= LANES_WORTHWHILE;
    sha512Worthwhile = sha512Gain >= LANES_WORTHWHILE;
    warm = true;
    String verdict = String.format("md5 lanes %.2fx the JDK's rate%s, sha512 lanes %.2fx%s", md5Gain,
        md5Worthwhile ? "" : " (not used)", sha512Gain, sha512Worthwhile ? "" : " (not used)");
    if (md5Worthwhile && sha512Worthwhile) {
      LOG.info("multi-buffer digest kernels warmed up: {}", verdict);
    } else {
      LOG.warn("multi-buffer digest kernels warmed up: {}; uploads use the JDK's digest instead", verdict);
    }
  }

  /** Least ratio of the lanes' rate (all busy) to the JDK's digest for a digest to go through lanes. */
  static final double LANES_WORTHWHILE = 1.2;
  private volatile boolean md5Worthwhile;
  private volatile boolean sha512Worthwhile;

  /**
   * The engine's rate with every lane busy over the JDK's digest's rate on the same bytes: the best of five
   * tries of each (the best resists a busy machine better than the mean).
   */
  private static double gain(MultiBufferDigest engine, String jcaName, byte[] block) {
    java.security.MessageDigest jdk;
    try {
      jdk = java.security.MessageDigest.getInstance(jcaName);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long lanesBest = Long.MAX_VALUE;
    long jdkBest = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 5; attempt++) {
      long t0 = System.nanoTime();
      for (int l = 0; l < engine.lanes(); l++) {
        engine.update(l, block, 0, block.length);
      }
      engine.drain();
      long t1 = System.nanoTime();
      for (int l = 0; l < engine.lanes(); l++) {
        jdk.update(block, 0, block.length);
      }
      long t2 = System.nanoTime();
      lanesBest = Math.min(lanesBest, t1 - t0);
      jdkBest = Math.min(jdkBest, t2 - t1);
    }
    engine.resetAll();
    jdk.reset();
    return (double) jdkBest / Math.max(1, lanesBest);
  }

  /**
   * The lanes of a new upload, or null when every upload uses the JDK's digests ({@link #OFF}). Which digests go
   * through lanes is decided by {@link Lanes#choose()} when its first bytes are hashed. The caller
   * {@link Lanes#close closes} them when the upload ends, whatever the outcome.
   */
  public Lanes open(String jcaHashName) {
    if (md5Lanes == null) {
      return null;
    }
    uploads.incrementAndGet();
    return new Lanes(jcaHashName);
  }

  /** An upload's jobs: each null when that digest is the JDK's. */
  public final class Lanes {
    private final String jcaHashName;
    private LaneScheduler.Job md5;
    private LaneScheduler.Job hash;
    private boolean chosen;
    private boolean closed;

    private Lanes(String jcaHashName) {
      this.jcaHashName = jcaHashName;
    }

    /**
     * Takes lanes for the upload's digests, or not; once, before its first bytes are hashed (not when it starts:
     * uploads that a client starts together then see each other). With {@code auto}, lanes only when another
     * upload is running by then and the kernels are compiled; only free lanes: an upload never waits for
     * another to end (each holds batch arrays the others may need).
     */
    public void choose() {
      if (chosen || closed) {
        return;
      }
      chosen = true;
      if (!always && (!warm || uploads.get() <= 1)) {
        return;
      }
      if (always || md5Worthwhile) {
        md5 = md5Lanes.tryOpen();
        if (md5 == null) {
          md5 = md5MoreLanes.tryOpen();
        }
      }
      hash = jcaHashName.equals("SHA-512") && (always || sha512Worthwhile) ? sha512Lanes.tryOpen() : null;
    }

    /**
     * Whether {@link #choose} would now keep the JDK's digests only because no other upload is running
     * ({@code auto}, kernels warmed up, not yet chosen).
     */
    public boolean alone() {
      return !chosen && !closed && !always && warm && (md5Worthwhile || sha512Worthwhile) && uploads.get() <= 1;
    }

    /** The MD5 job, or null. */
    public LaneScheduler.Job md5() {
      return md5;
    }

    /** The multihash job, or null. */
    public LaneScheduler.Job hash() {
      return hash;
    }

    /** The upload has ended: jobs not digested are cancelled (their lanes freed). Idempotent. */
    public void close(boolean digested) {
      if (closed) {
        return;
      }
      closed = true;
      uploads.decrementAndGet();
      if (!digested) {
        if (md5 != null) {
          md5.cancel();
        }
        if (hash != null) {
          hash.cancel();
        }
      }
    }
  }
}
