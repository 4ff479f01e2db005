package io.glint.store.s3;

import static io.glint.store.s3.S3StoreTest.image;
import static io.glint.store.s3.S3StoreTest.singleStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.store.http.SpliceRelay;
import io.glint.testing.Api;
import io.glint.testing.ApiTestBase;
import io.glint.testing.Await;
import io.glint.testing.Bytes;
import io.glint.testing.RawHttp;
import io.glint.testing.S3Server;
import io.glint.testing.TcpProxy;
import io.glint.testing.TestServer;
import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A client that reads slowly must slow the S3 read down, not fill Glint's memory: with the body relayed socket
 * to socket (splice) and piped through the JVM alike, the bytes S3 has sent (counted on the wire by a TCP
 * forwarder in front of it) stay within socket buffers of what the client has read, far from the whole object.
 */
@DisplayName("S3 store downloads: a slow reader holds the S3 read back (splice and pipe)")
class S3SlowReaderTest extends ApiTestBase {
  private static final String BUCKET = "glint-slow";
  private static final int MIB = 1024 * 1024;
  private static final byte[] DATA = Bytes.random(96 * MIB, 31);
  private static S3Server s3;
  private static TcpProxy wire;
  private static TestServer splicing;
  private static TestServer piping;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    wire = new TcpProxy(s3.port());
    String endpoint = "http://127.0.0.1:" + wire.port();
    splicing = TestServer.start(singleStore(endpoint, BUCKET, Map.of()));
    piping = TestServer.start(singleStore(endpoint, BUCKET, Map.of("glance_store.s3_store_splice", "false")));
  }

  @AfterAll
  static void stop() throws Exception {
    splicing.close();
    piping.close();
    wire.close();
    s3.close();
  }

  @Test
  @DisplayName("relayed socket to socket: S3 is read only as fast as the client reads; the bytes are right")
  void splice() throws Exception {
    long relayed = SpliceRelay.relayedCount();
    slowRead(splicing);
    assertTrue(SpliceRelay.relayedCount() > relayed, "the download was spliced");
  }

  @Test
  @DisplayName("piped through the JVM: S3 is read only as fast as the client reads; the bytes are right")
  void pipe() throws Exception {
    long relayed = SpliceRelay.relayedCount();
    slowRead(piping);
    assertEquals(relayed, SpliceRelay.relayedCount(), "not spliced");
  }

  private static void slowRead(TestServer glint) throws Exception {
    Api api = Api.as(glint, "project-a", "member");
    String id = image(api); // each test starts from an empty database
    assertEquals(204, api.upload(id, DATA).status());
    long before = wire.downstreamBytes();
    try (Socket socket = RawHttp.slowDownload(glint.port(), id)) {
      InputStream in = socket.getInputStream();
      while (!RawHttp.readLine(in).isEmpty()) {
        // headers
      }
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      byte[] first = in.readNBytes(MIB);
      md5.update(first);
      // The client stops reading: what S3 has sent must settle well short of the object.
      Await.stable(() -> pulledSettled(before), Duration.ofMillis(300), Duration.ofSeconds(20), "S3 read settled");
      long pulled = wire.downstreamBytes() - before;
      assertTrue(pulled < DATA.length / 2, "S3 sent " + pulled + " bytes while the client had read " + MIB);
      byte[] rest = in.readNBytes(DATA.length - MIB);
      md5.update(rest);
      assertEquals(Bytes.md5(DATA), HexFormat.of().formatHex(md5.digest()));
    }
  }

  private static long lastSeen = -1;

  /** True when the bytes from S3 did not change since the last call. */
  private static boolean pulledSettled(long before) {
    long now = wire.downstreamBytes();
    boolean same = now == lastSeen && now > before;
    lastSeen = now;
    return same;
  }
}
