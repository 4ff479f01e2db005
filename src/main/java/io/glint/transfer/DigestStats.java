package io.glint.transfer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes digested by uploads and the time spent on them, by algorithm (md5 for {@code checksum}, the
 * {@code hashing_algorithm} for {@code os_hash_value}): the metrics show the digest lanes' throughput. Process-wide
 * counters (the digest threads are per server, the question "how fast do we hash" is per process).
 */
public final class DigestStats {
  /** Bytes and nanoseconds of one algorithm. */
  public record Totals(LongAdder bytes, LongAdder nanos) {}

  private static final Map<String, Totals> BY_ALGORITHM = new ConcurrentHashMap<>();

  private DigestStats() {}

  static void add(String algorithm, long bytes, long nanos) {
    Totals t = BY_ALGORITHM.computeIfAbsent(algorithm, k -> new Totals(new LongAdder(), new LongAdder()));
    t.bytes().add(bytes);
    t.nanos().add(nanos);
  }

  /** The totals of {@code algorithm}, created (at zero) if none yet: a live view. */
  public static Totals of(String algorithm) {
    return BY_ALGORITHM.computeIfAbsent(algorithm, k -> new Totals(new LongAdder(), new LongAdder()));
  }
}
