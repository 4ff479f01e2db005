package io.glint.digest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Whole messages digested together in the lanes of a {@link MultiBufferDigest}. */
public final class MultiDigests {
  private MultiDigests() {}

  /**
   * The digests of {@code messages}, in order. Each lane takes the next message as soon as its previous one is
   * done, so that the lanes stay full while messages of different lengths come and go.
   */
  public static List<byte[]> digestAll(MultiBufferDigest md, List<byte[]> messages) {
    int lanes = md.lanes();
    md.resetAll();
    byte[][] out = new byte[messages.size()][];
    int[] job = new int[lanes];
    Arrays.fill(job, -1);
    int next = 0;
    int busy = 0;
    while (true) {
      for (int l = 0; l < lanes; l++) {
        if (job[l] >= 0 && md.isDone(l)) {
          out[job[l]] = md.digest(l);
          job[l] = -1;
          busy--;
        }
        if (job[l] < 0 && next < messages.size()) {
          byte[] m = messages.get(next);
          md.update(l, m, 0, m.length);
          md.finish(l);
          job[l] = next++;
          busy++;
        }
      }
      if (busy == 0) {
        return new ArrayList<>(Arrays.asList(out));
      }
      md.process();
    }
  }
}
