package io.glint.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.glint.testing.Api;
import io.glint.testing.Await;
import io.glint.testing.BlockedThreadWatch;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code multibuffer_digests = auto}, kernels warmed up: an upload alone holds back its first full batches until
 * it chooses its digests (another upload may start meanwhile). Whatever the size relative to those batches, and
 * whether it ends, is cut or is joined by others while it holds them, every upload gets Glance's digests, and no
 * batch array is left taken.
 */
@DisplayName("multibuffer_digests = auto: uploads that start alone")
class AutoLanesUploadTest {
  private static final int BATCH = 256 * 1024;
  private static TestServer server;
  private static int warningsBefore;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    warningsBefore = BlockedThreadWatch.mark();
    server = TestServer.start(Map.of("multibuffer_digests", "auto"));
    api = Api.as(server, "project-auto", "member");
    Await.until(() -> server.server().multiBufferDigests().warm(), Duration.ofSeconds(120),
        "the lanes' kernels warmed up");
  }

  @AfterAll
  static void stop() {
    server.close();
    BlockedThreadWatch.assertNoneSince(warningsBefore);
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {BATCH - 1, BATCH, BATCH + 1, 2 * BATCH, 2 * BATCH + 100, 3 * BATCH, 5 * BATCH + 7})
  @DisplayName("a lone upload of any size around the held batches gets Glance's digests")
  void lone(int size) {
    byte[] data = Bytes.random(size, 40_000 + size);
    String id = api.createRaw("alone-" + size);
    assertEquals(204, api.upload(id, data).status());
    api.assertActiveWith(id, data);
  }

  @Test
  @DisplayName("an upload holding its first batches when others start, and those others, get Glance's digests")
  void joinedWhileHolding() throws Exception {
    byte[] first = Bytes.random(3 * BATCH + 11, 41_000);
    String firstId = api.createRaw("first");
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(firstId, "project-auto", first.length);
      raw.write(java.util.Arrays.copyOf(first, BATCH + 5)); // one full batch held, alone
      Thread.sleep(100);
      List<CompletableFuture<Void>> others = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int n = i;
        others.add(CompletableFuture.runAsync(() -> {
          byte[] data = Bytes.random(2 * BATCH + 1000 * n, 41_100 + n);
          String id = api.createRaw("other-" + n);
          assertEquals(204, api.upload(id, data).status());
          api.assertActiveWith(id, data);
        }, clients));
      }
      raw.write(java.util.Arrays.copyOfRange(first, BATCH + 5, first.length));
      assertEquals(204, raw.status());
      CompletableFuture.allOf(others.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } finally {
      clients.shutdownNow();
    }
    api.assertActiveWith(firstId, first);
  }

  @Test
  @DisplayName("an upload alone holds back its first batches, pauses its client, and takes lanes when another starts")
  void waitsForCompany() throws Exception {
    java.time.Duration before = io.glint.transfer.UploadPump.holdAlone(Duration.ofSeconds(30));
    try (RawHttp raw = new RawHttp(server.port())) {
      long jdkMd5 = io.glint.transfer.DigestStats.of("md5").bytes().sum();
      long jdkSha512 = io.glint.transfer.DigestStats.of("sha512").bytes().sum();
      byte[] first = Bytes.random(12 * BATCH + 5, 43_000);
      String firstId = api.createRaw("waits");
      raw.startUpload(firstId, "project-auto", first.length);
      CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
        try {
          raw.write(first);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      // held, not hashed: the client is paused once the batches it may hold are full
      Await.until(() -> io.glint.transfer.UploadPump.batchesInUse() >= 4, Duration.ofSeconds(10),
          "the lone upload holding its batches");
      Thread.sleep(300);
      assertEquals(jdkMd5, io.glint.transfer.DigestStats.of("md5").bytes().sum(), "nothing hashed yet");
      assertEquals("saving", api.get("/v2/images/" + firstId).json().getString("status"));
      byte[] second = Bytes.random(2 * BATCH + 9, 43_001);
      String secondId = api.createRaw("company");
      assertEquals(204, api.upload(secondId, second).status());
      writing.get(30, TimeUnit.SECONDS);
      assertEquals(204, raw.status());
      api.assertActiveWith(firstId, first);
      api.assertActiveWith(secondId, second);
      boolean[] worthwhile = server.server().multiBufferDigests().worthwhile();
      long both = first.length + second.length;
      assertEquals(jdkMd5 + (worthwhile[0] ? 0 : both), io.glint.transfer.DigestStats.of("md5").bytes().sum(),
          "both took md5 lanes");
      assertEquals(jdkSha512 + (worthwhile[1] ? 0 : both), io.glint.transfer.DigestStats.of("sha512").bytes().sum(),
          "both took sha512 lanes");
    } finally {
      io.glint.transfer.UploadPump.holdAlone(before);
    }
  }

  @Test
  @DisplayName("an upload that stays alone for the whole wait goes on with the JDK's digests")
  void aloneForTheWholeWait() throws Exception {
    java.time.Duration before = io.glint.transfer.UploadPump.holdAlone(Duration.ofMillis(200));
    try {
      long jdkMd5 = io.glint.transfer.DigestStats.of("md5").bytes().sum();
      byte[] data = Bytes.random(9 * BATCH + 1, 44_000);
      String id = api.createRaw("alone-wait");
      assertEquals(204, api.upload(id, data).status());
      api.assertActiveWith(id, data);
      assertEquals(jdkMd5 + data.length, io.glint.transfer.DigestStats.of("md5").bytes().sum(),
          "the JDK's md5 took every byte");
    } finally {
      io.glint.transfer.UploadPump.holdAlone(before);
    }
  }

  @Test
  @DisplayName("a lone upload cut while it holds batches leaves the image queued and frees its arrays")
  void cutWhileHolding() throws Exception {
    String id = api.createRaw("cut");
    byte[] part = Bytes.random(2 * BATCH + 3, 42_000);
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.startUpload(id, "project-auto", 4 * BATCH);
      raw.write(part);
      Thread.sleep(100);
      raw.abort();
    }
    Await.until(() -> "queued".equals(api.get("/v2/images/" + id).json().getString("status"))
        && io.glint.transfer.UploadPump.batchesInUse() == 0, Duration.ofSeconds(5),
        "image queued again and no batch array taken");
    assertNull(api.get("/v2/images/" + id).json().getValue("checksum"));
    byte[] data = Bytes.random(3 * BATCH, 42_001);
    assertEquals(204, api.upload(id, data).status());
    api.assertActiveWith(id, data);
  }
}
