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

  /** Runs the kernels until C2 has compiled them (a few seconds of one core, more on a loaded machine). */
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
    warm = true;
    LOG.debug("multi-buffer digest kernels warmed up");
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
      md5 = md5Lanes.tryOpen();
      if (md5 == null) {
        md5 = md5MoreLanes.tryOpen();
      }
      hash = jcaHashName.equals("SHA-512") ? sha512Lanes.tryOpen() : null;
    }

    /**
     * Whether {@link #choose} would now keep the JDK's digests only because no other upload is running
     * ({@code auto}, kernels warmed up, not yet chosen).
     */
    public boolean alone() {
      return !chosen && !closed && !always && warm && uploads.get() <= 1;
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
