package io.glint.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.glint.testing.Await;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code multibuffer_digests = auto}: when an upload takes lanes. */
@DisplayName("multibuffer_digests = auto: lanes for uploads that run beside others")
class MultiBufferDigestsTest {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

  @AfterAll
  static void stop() {
    POOL.shutdownNow();
  }

  @Test
  @DisplayName("the choice is made at the first bytes: an upload started alone takes lanes if another has started by then")
  void choiceAtFirstBytes() throws Exception {
    MultiBufferDigests d = MultiBufferDigests.create("auto", POOL);
    assertNotSame(MultiBufferDigests.OFF, d);
    Await.until(d::warm, Duration.ofSeconds(120), "the kernels warmed up");

    MultiBufferDigests.Lanes alone = d.open("SHA-512");
    alone.choose();
    assertNull(alone.md5(), "a lone upload keeps the JDK's MD5");
    assertNull(alone.hash(), "and the JDK's SHA-512");
    alone.close(false);

    MultiBufferDigests.Lanes first = d.open("SHA-512"); // alone as it starts
    MultiBufferDigests.Lanes second = d.open("SHA-512");
    first.choose(); // its first bytes: the second upload is running
    second.choose();
    // Lanes for each digest whose lanes outran the JDK's at the warm-up's check (both do on AVX-512 and AVX2)
    boolean[] worthwhile = d.worthwhile();
    assertTrue(worthwhile[0], "md5 lanes faster than the JDK's MD5 on this machine (see the warm-up's log)");
    assertEquals(worthwhile[0], first.md5() != null, "the first upload hashes MD5 in lanes");
    assertEquals(worthwhile[1], first.hash() != null, "and SHA-512");
    assertEquals(worthwhile[0], second.md5() != null);
    assertEquals(worthwhile[1], second.hash() != null);
    MultiBufferDigests.Lanes sha256 = d.open("SHA-256");
    sha256.choose();
    assertNotNull(sha256.md5(), "MD5 in lanes beside others");
    assertNull(sha256.hash(), "SHA-256 has no lanes: the JDK's");
    first.close(false);
    second.close(false);
    sha256.close(false);
  }
}
