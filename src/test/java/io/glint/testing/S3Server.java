package io.glint.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 server for tests: S3Proxy (Jetty + jclouds) in this JVM on a random port of 127.0.0.1, storing
 * objects in a temporary directory (jclouds' filesystem backend), with SigV4 authentication. What it holds is
 * inspected through the S3 API with the AWS SDK on its own Netty HTTP client, independent of the code under
 * test. It can be stopped and started again on the same port (an S3 outage).
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "glint-test-access";
  public static final String SECRET_KEY = "glint-test-secret-0123456789";

  private final Path dir;
  private final BlobStore blobs;
  private final int port;
  private S3Proxy proxy;
  private S3AsyncClient observer;

  private S3Server(Path dir, BlobStore blobs, S3Proxy proxy) {
    this.dir = dir;
    this.blobs = blobs;
    this.proxy = proxy;
    this.port = proxy.getPort();
  }

  /** Starts a server on a free port with an empty store. */
  public static S3Server start() throws Exception {
    Path dir = Files.createTempDirectory("glint-s3proxy");
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dir.toString());
    BlobStore blobs = ContextBuilder.newBuilder("filesystem")
        .credentials(ACCESS_KEY, SECRET_KEY)
        .overrides(properties)
        .build(BlobStoreContext.class)
        .getBlobStore();
    S3Proxy proxy = build(blobs, 0);
    proxy.start();
    awaitStarted(proxy);
    return new S3Server(dir, blobs, proxy);
  }

  private static S3Proxy build(BlobStore blobs, int port) {
    return S3Proxy.builder()
        .blobStore(blobs)
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .jettyMaxThreads(64)
        .build();
  }

  private static void awaitStarted(S3Proxy proxy) throws InterruptedException {
    Await.until(() -> proxy.getState().equals("STARTED"), Duration.ofSeconds(30), "S3Proxy started");
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Creates a bucket. */
  public void createBucket(String bucket) {
    blobs.createContainerInLocation(null, bucket);
  }

  /** The keys of the objects in {@code bucket}. */
  public List<String> objectKeys(String bucket) {
    return client().listObjectsV2(b -> b.bucket(bucket)).join().contents().stream().map(S3Object::key).toList();
  }

  /** The keys of the multipart uploads in progress (neither completed nor aborted) in {@code bucket}. */
  public List<String> multipartUploads(String bucket) {
    return client().listMultipartUploads(b -> b.bucket(bucket)).join().uploads().stream()
        .map(MultipartUpload::key).toList();
  }

  /** The bytes of an object. */
  public byte[] object(String bucket, String key) {
    return client().getObject(b -> b.bucket(bucket).key(key),
        software.amazon.awssdk.core.async.AsyncResponseTransformer.toBytes()).join().asByteArray();
  }

  /** Stops the server: open connections are closed, new ones refused. */
  public synchronized void stop() throws Exception {
    proxy.stop();
  }

  /** Starts the server again on the same port, with the same objects. */
  public synchronized void restart() throws Exception {
    proxy = build(blobs, port);
    proxy.start();
    awaitStarted(proxy);
  }

  private synchronized S3AsyncClient client() {
    if (observer == null) {
      observer = S3AsyncClient.builder()
          .httpClientBuilder(NettyNioAsyncHttpClient.builder())
          .endpointOverride(URI.create(endpoint()))
          .region(Region.US_EAST_1)
          .forcePathStyle(true)
          .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
          .build();
    }
    return observer;
  }

  @Override
  public synchronized void close() throws Exception {
    if (observer != null) {
      observer.close();
    }
    proxy.stop();
    blobs.getContext().close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
