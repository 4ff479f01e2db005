package io.glint.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.GlintProcess;
import io.glint.testing.PatternStream;
import io.glint.testing.TcpProxy;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory bound of S3 uploads, in a Glint of its own with a small heap: many concurrent uploads, each far larger
 * than what Glint may hold of it, must all arrive whole without the heap running out, even while S3 takes nothing
 * and every upload holds all it may. {@code -XX:+ExitOnOutOfMemoryError}, as Glint ships, turns any escape from the
 * bound into a dead process and failed uploads. What an upload holds is bounded for all uploads together (the
 * pump's batch pool, the S3 store's send budget), not per upload: a bound per upload grows with their number.
 */
@DisplayName("S3 uploads through a Glint with a small heap")
class S3UploadMemoryTest {
  private static final int HEAP_MB = 96;
  private static final String BUCKET = "glint-memory";
  private static final long MIB = 1L << 20;

  @TempDir
  Path dataDir;

  private enum Kind { MULTIPART, ONE_PUT, CHUNKED }

  private record Upload(Kind kind, long size) {}

  @Test
  @DisplayName("48 concurrent uploads (one PUT, multipart, chunked) through a 96 MiB heap, S3 taking nothing for 4 s,"
      + " arrive whole")
  void concurrentUploadsStayInTheirMemory() throws Exception {
    List<Upload> uploads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      uploads.add(new Upload(Kind.ONE_PUT, 24 * MIB));
      uploads.add(new Upload(Kind.ONE_PUT, 24 * MIB));
      uploads.add(new Upload(Kind.ONE_PUT, 24 * MIB));
      uploads.add(new Upload(Kind.ONE_PUT, 24 * MIB));
      uploads.add(new Upload(Kind.MULTIPART, 40 * MIB));
      uploads.add(new Upload(Kind.CHUNKED, 12 * MIB + 12_345));
    }
    Map<Long, String> md5 = new ConcurrentHashMap<>();
    for (Upload u : uploads) {
      md5.computeIfAbsent(u.size(), S3UploadMemoryTest::md5Of);
    }
    try (io.glint.testing.S3Server s3 = io.glint.testing.S3Server.start();
        TcpProxy wire = new TcpProxy(s3.port())) {
      s3.createBucket(BUCKET);
      List<String> jvm = List.of("-Xmx" + HEAP_MB + "m", "-XX:MaxDirectMemorySize=128m", "-XX:+UseParallelGC",
          "-XX:+ExitOnOutOfMemoryError", "--add-modules=jdk.incubator.vector");
      List<String> flags = List.of("--glance_store.stores=s3", "--glance_store.default_store=s3",
          "--glance_store.s3_store_host=http://127.0.0.1:" + wire.port(),
          "--glance_store.s3_store_access_key=" + io.glint.testing.S3Server.ACCESS_KEY,
          "--glance_store.s3_store_secret_key=" + io.glint.testing.S3Server.SECRET_KEY,
          "--glance_store.s3_store_bucket=" + BUCKET,
          "--glance_store.s3_store_large_object_size=32", "--glance_store.s3_store_large_object_chunk_size=5",
          "--glance_store.s3_store_part_memory=64MB");
      try (GlintProcess glint = GlintProcess.start(dataDir, jvm, flags)) {
        Api api = Api.as(glint.base(), "project-s3-memory", "member");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < uploads.size(); i++) {
          ids.add(api.create(new JsonObject().put("name", "s3-memory-" + i).put("disk_format", "raw")
              .put("container_format", "bare")).getString("id"));
        }
        ExecutorService clients = Executors.newFixedThreadPool(uploads.size());
        List<Future<Api.Response>> sent = new ArrayList<>();
        try {
          // S3 takes nothing while every upload starts: each fills all Glint lets it hold, at once.
          wire.pauseUpstream();
          for (int i = 0; i < uploads.size(); i++) {
            Upload u = uploads.get(i);
            String id = ids.get(i);
            sent.add(clients.submit(() -> u.kind() == Kind.CHUNKED
                ? api.uploadStreamChunked(id, () -> new PatternStream(u.size()))
                : api.uploadStream(id, () -> new PatternStream(u.size()), u.size())));
          }
          Thread.sleep(3_500);
          long heldBytes = byteArraysAfterFullGc(glint.pid());
          Thread.sleep(500);
          wire.resumeUpstream();
          // The pump's batch pool (24 MiB) and the S3 send budget (8 MiB), beside Glint's own byte arrays (some
          // 20 MiB): 52 MiB in all when written. Without the budget, and with copies made as batches were pushed,
          // the process ran out of its 96 MiB heap in 2 of 5 runs, at 58 MiB here a moment before.
          assertTrue(heldBytes < 72 * MIB, "byte arrays on the heap while S3 took nothing: " + heldBytes / MIB
              + " MiB");
          for (int i = 0; i < sent.size(); i++) {
            Upload u = uploads.get(i);
            Api.Response r = sent.get(i).get(5, TimeUnit.MINUTES);
            assertEquals(204, r.status(), () -> "upload " + u + ": " + r.body() + "\n" + logOf(glint));
          }
        } finally {
          clients.shutdownNow();
        }
        for (int i = 0; i < uploads.size(); i++) {
          Upload u = uploads.get(i);
          JsonObject image = api.get("/v2/images/" + ids.get(i)).json();
          assertEquals("active", image.getString("status"), u + ": " + image);
          assertEquals(u.size(), image.getLong("size"), u + ": " + image);
          assertEquals(md5.get(u.size()), image.getString("checksum"), u + ": " + image);
        }
        assertTrue(glint.awaitExit(java.time.Duration.ZERO) == -1, "Glint is still running");
        assertFalse(glint.log().contains("OutOfMemoryError"), glint.log());
        assertEquals(uploads.size(), s3.objectKeys(BUCKET).size(), "one object per image");
        assertEquals(List.of(), s3.multipartUploads(BUCKET), "no multipart upload left open");
      }
    }
  }

  /** The bytes of all {@code byte[]} live in a process, after a full collection ({@code jcmd GC.class_histogram}). */
  private static long byteArraysAfterFullGc(long pid) throws Exception {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, jcmd.waitFor(), out);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+\\[B\\b")
        .matcher(out);
    assertTrue(m.find(), "no byte[] line in the histogram:\n" + out);
    return Long.parseLong(m.group(1));
  }

  private static String logOf(GlintProcess glint) {
    try {
      String log = glint.log();
      return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static String md5Of(long size) {
    try (InputStream in = new PatternStream(size)) {
      MessageDigest md = MessageDigest.getInstance("MD5");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
