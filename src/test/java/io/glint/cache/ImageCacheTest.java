package io.glint.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The image cache in front of the HTTP store, over HTTP against a local origin that counts its GETs: one backend
 * read however many clients ask at once, each client at its own pace, fills that survive a leaving client and
 * reset every reader when they fail, ranges during a fill, verification, the size limit, invalidation on image
 * changes, and a restart.
 */
@DisplayName("Image cache: single-flight fills, verified entries, eviction, restart")
class ImageCacheTest extends ApiTestBase {
  private static final int SIZE = 6 * 1024 * 1024 + 4321;
  private static CacheOrigin origin;
  private static TestServer glint;
  private static ExecutorService clients;
  private static int paths;

  @BeforeAll
  static void start() throws Exception {
    origin = new CacheOrigin();
    glint = CacheTestSupport.start(CacheTestSupport.newCacheDir(), Map.of());
    clients = Executors.newFixedThreadPool(110);
  }

  @AfterAll
  static void stop() {
    clients.shutdownNow();
    glint.close();
    origin.close();
  }

  private static synchronized String path() {
    return "/img/" + (++paths) + ".raw";
  }

  /**
   * Downloads of a fill in progress go out with sendfile (the default, for plain HTTP/1.x connections) or
   * through the heap (the way for connections a file region cannot go to); the counter proves which was taken.
   */
  private static void tails(boolean sendfile) {
    cache().sendTailsAsFiles(sendfile);
    tailsBefore = cache().metrics().fileTails();
    expectFileTails = sendfile;
  }

  private static long tailsBefore;
  /** Which way the test asked for (null: a test that did not choose). */
  private static Boolean expectFileTails;

  @AfterEach
  void tailsWentTheWayAsked() {
    Boolean expected = expectFileTails;
    expectFileTails = null;
    cache().sendTailsAsFiles(true);
    if (expected == null) {
      return;
    }
    long sent = cache().metrics().fileTails() - tailsBefore;
    if (expected) {
      assertTrue(sent > 0, "no download of a fill went out with sendfile");
    } else {
      assertEquals(0, sent, "downloads went out with sendfile although it was off");
    }
  }

  private static ImageCache cache() {
    return CacheTestSupport.cacheOf(glint);
  }

  private static Api member(TestServer s) {
    return Api.as(s, "project-a", "member");
  }

  @ParameterizedTest(name = "{displayName}, sendfile of the growing file: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("100 concurrent downloads of a cold image read the origin once, and each gets every byte")
  void hundredConcurrentColdDownloads(boolean sendfile) throws Exception {
    tails(sendfile);
    byte[] data = Bytes.random(SIZE, 1);
    String path = path();
    CountDownLatch gate = new CountDownLatch(1);
    origin.put(path, new CacheOrigin.Plan(data, gate, false));
    String id = CacheTestSupport.image(glint, origin.url(path), SIZE);
    long joinedBefore = cache().metrics().snapshot().joinedFills();
    List<Future<Api.BytesResponse>> downloads = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      downloads.add(clients.submit(() -> member(glint).download(id, Map.of())));
    }
    // The origin holds the body after its first MiB until all 100 are streaming from the one fill.
    Await.until(() -> cache().metrics().snapshot().joinedFills() - joinedBefore >= 99, Duration.ofSeconds(60),
        "99 downloads joining the fill");
    gate.countDown();
    String md5 = Bytes.md5(data);
    for (Future<Api.BytesResponse> f : downloads) {
      Api.BytesResponse r = f.get(120, TimeUnit.SECONDS);
      assertEquals(200, r.status());
      assertEquals(md5, Bytes.md5(r.body()));
    }
    assertEquals(1, origin.gets(path), "the origin was read more than once");
    Await.until(() -> cache().isCached(id), Duration.ofSeconds(10), "the entry");
    Api.BytesResponse again = member(glint).download(id, Map.of());
    assertArrayEquals(data, again.body());
    assertEquals(1, origin.gets(path));
  }

  @ParameterizedTest(name = "{displayName}, sendfile of the growing file: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("a slow client does not hold back a fast one on the same fill, and still gets every byte")
  void slowAndFastClients(boolean sendfile) throws Exception {
    tails(sendfile);
    byte[] data = Bytes.random(SIZE, 2);
    String path = path();
    origin.put(path, new CacheOrigin.Plan(data, null, false));
    String id = CacheTestSupport.image(glint, origin.url(path), SIZE);
    try (Socket slow = RawHttp.slowDownload(glint.port(), id)) {
      // The slow client reads nothing for now; the fast one downloads the whole image meanwhile.
      Api.BytesResponse fast = member(glint).download(id, Map.of());
      assertArrayEquals(data, fast.body());
      InputStream in = slow.getInputStream();
      skipHead(in);
      byte[] body = in.readNBytes(SIZE);
      assertArrayEquals(data, body);
    }
    assertEquals(1, origin.gets(path));
  }

  private static void skipHead(InputStream in) throws java.io.IOException {
    while (!RawHttp.readLine(in).isEmpty()) {
      // headers
    }
  }

  @ParameterizedTest(name = "{displayName}, sendfile of the growing file: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("a client that leaves mid-fill does not cancel it: the others get the image, the origin is read once")
  void clientLeavesMidFill(boolean sendfile) throws Exception {
    tails(sendfile);
    byte[] data = Bytes.random(SIZE, 3);
    String path = path();
    CountDownLatch gate = new CountDownLatch(1);
    origin.put(path, new CacheOrigin.Plan(data, gate, false));
    String id = CacheTestSupport.image(glint, origin.url(path), SIZE);
    Socket leaving = RawHttp.slowDownload(glint.port(), id);
    InputStream in = leaving.getInputStream();
    skipHead(in);
    assertEquals(1000, in.readNBytes(1000).length);
    leaving.setSoLinger(true, 0);
    leaving.close();
    Future<Api.BytesResponse> staying = clients.submit(() -> member(glint).download(id, Map.of()));
    Thread.sleep(300);
    assertTrue(cache().isFilling(id), "the fill stopped when its first client left");
    gate.countDown();
    assertArrayEquals(data, staying.get(60, TimeUnit.SECONDS).body());
    assertEquals(1, origin.gets(path));
    Await.until(() -> cache().isCached(id), Duration.ofSeconds(10), "the entry");
  }

  @ParameterizedTest(name = "{displayName}, sendfile of the growing file: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("an origin dying mid-fill resets every waiting download (no short body); the next one refills")
  void originDiesMidFill(boolean sendfile) throws Exception {
    tails(sendfile);
    byte[] data = Bytes.random(SIZE, 4);
    String path = path();
    CountDownLatch gate = new CountDownLatch(1);
    origin.put(path, new CacheOrigin.Plan(data, gate, true));
    String id = CacheTestSupport.image(glint, origin.url(path), SIZE);
    long joinedBefore = cache().metrics().snapshot().joinedFills();
    List<Future<Api.BytesResponse>> downloads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      downloads.add(clients.submit(() -> member(glint).download(id, Map.of())));
    }
    Await.until(() -> cache().metrics().snapshot().joinedFills() - joinedBefore >= 2, Duration.ofSeconds(30),
        "the downloads joining the fill");
    gate.countDown();
    for (Future<Api.BytesResponse> f : downloads) {
      // Reset when the failure came after the head; a 503 with Glance's error body when no byte had been sent
      // yet; never a short body taken for a whole one, never a client left waiting.
      try {
        Api.BytesResponse r = f.get(60, TimeUnit.SECONDS);
        assertEquals(503, r.status(), "a download of a failed fill ended normally");
        assertTrue(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).contains("could not be read"));
      } catch (java.util.concurrent.ExecutionException e) {
        assertTrue(e.getCause() instanceof UncheckedIOException, e.getCause().toString());
      }
    }
    assertFalse(cache().isCached(id));
    Await.until(() -> !cache().isFilling(id), Duration.ofSeconds(10), "the failed fill to go");
    assertEquals(0, countFiles(cache().directory().resolve("incomplete")), "the partial file was left");
    Api.BytesResponse retry = member(glint).download(id, Map.of());
    assertEquals(200, retry.status());
    assertArrayEquals(data, retry.body());
    assertEquals(2, origin.gets(path));
  }

  private static long countFiles(Path dir) throws java.io.IOException {
    try (var files = Files.list(dir)) {
      return files.count();
    }
  }

  @ParameterizedTest(name = "{displayName}, sendfile of the growing file: {0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("ranges are served during a fill as soon as their bytes are there (the HTTP store itself has none)")
  void rangeDuringFill(boolean sendfile) throws Exception {
    tails(sendfile);
    byte[] data = Bytes.random(SIZE, 5);
    String path = path();
    CountDownLatch gate = new CountDownLatch(1);
    origin.put(path, new CacheOrigin.Plan(data, gate, false));
    String id = CacheTestSupport.image(glint, origin.url(path), SIZE);
    Future<Api.BytesResponse> whole = clients.submit(() -> member(glint).download(id, Map.of()));
    Await.until(() -> cache().isFilling(id), Duration.ofSeconds(10), "the fill");
    // The first MiB is there while the origin holds the rest.
    Api.BytesResponse head = member(glint).download(id, Map.of("Range", "bytes=100-1099"));
    assertEquals(206, head.status());
    assertEquals("bytes 100-1099/" + SIZE, head.header("Content-Range"));
    assertArrayEquals(Arrays.copyOfRange(data, 100, 1100), head.body());
    Future<Api.BytesResponse> tail = clients.submit(() -> member(glint).download(id,
        Map.of("Range", "bytes=" + (SIZE - 5000) + "-")));
    Thread.sleep(200);
    assertFalse(tail.isDone(), "a range beyond the filled bytes was answered before they came");
    gate.countDown();
    Api.BytesResponse end = tail.get(60, TimeUnit.SECONDS);
    assertEquals(206, end.status());
    assertArrayEquals(Arrays.copyOfRange(data, SIZE - 5000, SIZE), end.body());
    assertArrayEquals(data, whole.get(60, TimeUnit.SECONDS).body());
    assertEquals(1, origin.gets(path));
    // Once cached, a range comes from the entry.
    Await.until(() -> cache().isCached(id), Duration.ofSeconds(10), "the entry");
    Api.BytesResponse mid = member(glint).download(id, Map.of("Range", "bytes=2000000-2000009"));
    assertEquals(206, mid.status());
    assertArrayEquals(Arrays.copyOfRange(data, 2_000_000, 2_000_010), mid.body());
  }

  @Test
  @DisplayName("data that does not match the image's checksum is never served whole nor cached")
  void corruptDataNeverCached() throws Exception {
    byte[] data = Bytes.random(SIZE, 6);
    String path = path();
    origin.put(path, new CacheOrigin.Plan(data, null, false));
    String id = CacheTestSupport.image(glint, origin.url(path), SIZE);
    TestServer.execute("UPDATE images SET checksum = $1 WHERE id = $2", "0123456789abcdef0123456789abcdef", id);
    glint.server().images().invalidateAll();
    assertThrows(UncheckedIOException.class, () -> member(glint).download(id, Map.of()),
        "a download whose data failed its checksum ended normally");
    Await.until(() -> !cache().isFilling(id), Duration.ofSeconds(10), "the failed fill to go");
    assertFalse(cache().isCached(id));
    TestServer.execute("UPDATE images SET checksum = $1 WHERE id = $2", Bytes.md5(data), id);
    glint.server().images().invalidateAll();
    assertArrayEquals(data, member(glint).download(id, Map.of()).body());
    Await.until(() -> cache().isCached(id), Duration.ofSeconds(10), "the verified entry");
    assertEquals(2, origin.gets(path));
  }

  @Test
  @DisplayName("deactivating, deleting or moving an image evicts its entry at once")
  void changesEvict() throws Exception {
    byte[] data = Bytes.random(1024 * 1024, 7);
    String[] ids = new String[3];
    String[] paths = new String[3];
    for (int i = 0; i < 3; i++) {
      paths[i] = path();
      origin.put(paths[i], new CacheOrigin.Plan(data, null, false));
      ids[i] = CacheTestSupport.image(glint, origin.url(paths[i]), data.length);
      assertArrayEquals(data, member(glint).download(ids[i], Map.of()).body());
      String id = ids[i];
      Await.until(() -> cache().isCached(id), Duration.ofSeconds(10), "entry " + i);
    }
    Api adminApi = Api.as(glint, "project-admin", "admin,member");
    assertEquals(204, adminApi.post("/v2/images/" + ids[0] + "/actions/deactivate", null).status());
    assertEquals(204, member(glint).delete("/v2/images/" + ids[1]).status());
    // A location replaced by another: the entry read from the old one is stale.
    String moved = path();
    origin.put(moved, new CacheOrigin.Plan(data, null, false));
    TestServer.execute("UPDATE image_locations SET url = $1 WHERE image_id = $2", origin.url(moved), ids[2]);
    for (String id : ids) {
      Await.until(() -> !cache().isCached(id), Duration.ofSeconds(10), "eviction of " + id);
    }
    assertArrayEquals(data, member(glint).download(ids[2], Map.of()).body());
    assertEquals(1, origin.gets(moved));
  }

  @Test
  @DisplayName("image_cache_max_size is kept by evicting the least recently used entry nobody is reading")
  void evictionUnderSmallMaxSize() throws Exception {
    int size = 8 * 1024 * 1024; // more than loopback socket buffers hold: a stalled reader keeps its sendfile open
    Path dir = CacheTestSupport.newCacheDir();
    try (TestServer small = CacheTestSupport.start(dir, Map.of("image_cache_max_size",
        Long.toString(2L * size + size / 2)))) {
      ImageCache cache = CacheTestSupport.cacheOf(small);
      String[] ids = new String[4];
      byte[][] data = new byte[4][];
      for (int i = 0; i < 4; i++) {
        data[i] = Bytes.random(size, 10 + i);
        String path = path();
        origin.put(path, new CacheOrigin.Plan(data[i], null, false));
        ids[i] = CacheTestSupport.image(small, origin.url(path), size);
      }
      String a = ids[0];
      String b = ids[1];
      String c = ids[2];
      String d = ids[3];
      download(small, cache, a, data[0]);
      download(small, cache, b, data[1]);
      // A is read by a client that does not read (sendfile blocked), and then B is used: A is least recently used.
      try (Socket reading = RawHttp.slowDownload(small.port(), a)) {
        Thread.sleep(200);
        download(small, cache, b, data[1]);
        download(small, cache, c, data[2]);
        assertTrue(cache.isCached(a), "an entry being read was evicted");
        assertFalse(cache.isCached(b), "the least recently used unread entry stayed");
        assertTrue(cache.isCached(c));
      }
      Await.until(() -> cache.metrics().snapshot().entries() == 2, Duration.ofSeconds(5), "two entries");
      Thread.sleep(300); // the reader of A has gone
      download(small, cache, d, data[3]);
      assertFalse(cache.isCached(a), "the least recently used entry stayed once nobody read it");
      assertTrue(cache.isCached(c) && cache.isCached(d));
      assertTrue(cache.metrics().snapshot().cachedBytes() <= 2L * size + size / 2);
      Await.until(() -> dataFilesQuietly(dir) == 2, Duration.ofSeconds(5), "the evicted files to go");
    }
  }

  private static void download(TestServer s, ImageCache cache, String id, byte[] data) throws InterruptedException {
    assertArrayEquals(data, member(s).download(id, Map.of()).body());
    Await.until(() -> cache.isCached(id), Duration.ofSeconds(10), "entry of " + id);
  }

  private static long dataFiles(Path dir) throws java.io.IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().matches("[0-9a-f-]{36}")).count();
    }
  }

  private static long dataFilesQuietly(Path dir) {
    try {
      return dataFiles(dir);
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("after a restart complete entries are served from the cache; partial and orphan files are removed")
  void restartReindexes() throws Exception {
    byte[] data = Bytes.random(SIZE, 20);
    String path = path();
    origin.put(path, new CacheOrigin.Plan(data, null, false));
    Path dir = CacheTestSupport.newCacheDir();
    String id;
    try (TestServer first = CacheTestSupport.start(dir, Map.of())) {
      id = CacheTestSupport.image(first, origin.url(path), SIZE);
      download(first, CacheTestSupport.cacheOf(first), id, data);
    }
    Path partial = dir.resolve("incomplete").resolve(id + ".deadbeef");
    Files.write(partial, Arrays.copyOf(data, 1000));
    Path orphan = dir.resolve(java.util.UUID.randomUUID().toString());
    Files.write(orphan, new byte[10]);
    Path truncated = dir.resolve(java.util.UUID.randomUUID().toString());
    Files.write(truncated, new byte[10]);
    Files.writeString(truncated.resolveSibling(truncated.getFileName() + ".json"), new JsonObject()
        .put("image_id", truncated.getFileName().toString()).put("size", 11).put("location", "http://x/")
        .put("last_accessed", 1.0).put("last_modified", 1.0).encode());
    try (TestServer second = CacheTestSupport.start(dir, Map.of())) {
      ImageCache cache = CacheTestSupport.cacheOf(second);
      assertTrue(cache.isCached(id), "the complete entry was not re-indexed");
      assertFalse(Files.exists(partial), "the partial file was kept");
      assertFalse(Files.exists(orphan), "a file without a sidecar was kept");
      assertFalse(Files.exists(truncated), "an entry of the wrong size was kept");
      long hits = cache.metrics().snapshot().hits();
      assertArrayEquals(data, member(second).download(id, Map.of()).body());
      assertEquals(hits + 1, cache.metrics().snapshot().hits());
      assertEquals(1, origin.gets(path), "the restarted node read the origin again");
      assertEquals(1, dataFilesQuietly(dir));
    }
  }

  @Test
  @DisplayName("a stalled fill is abandoned after image_cache_stall_time and its readers reset")
  void stalledFill() throws Exception {
    byte[] data = Bytes.random(SIZE, 30);
    String path = path();
    CountDownLatch gate = new CountDownLatch(1);
    origin.put(path, new CacheOrigin.Plan(data, gate, false));
    try (TestServer stalling = CacheTestSupport.start(CacheTestSupport.newCacheDir(),
        Map.of("image_cache_stall_time", "1"))) {
      ImageCache cache = CacheTestSupport.cacheOf(stalling);
      String id = CacheTestSupport.image(stalling, origin.url(path), SIZE);
      assertThrows(UncheckedIOException.class, () -> member(stalling).download(id, Map.of()));
      assertFalse(cache.isCached(id));
      assertEquals(1, cache.metrics().snapshot().fillsFailed());
    } finally {
      gate.countDown();
    }
  }
}
