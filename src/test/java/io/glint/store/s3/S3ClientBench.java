package io.glint.store.s3;

import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The HTTP client options of the S3 store, measured from the client's side against one S3 server (run by
 * {@code scripts/bench-s3-clients.sh}): the AWS SDK's S3 client over its own Netty client, over Glint's
 * {@link VertxSdkHttpClient}, and, for downloads, a GET signed with the SDK's signer and sent by the Vert.x HTTP
 * client ({@link SignedGet}, as the store does when it cannot splice). Each transfer is timed and the process's
 * CPU time taken around it; the options alternate, round after round, in one JVM.
 *
 * <p>Arguments: endpoint access secret bucket size-MiB rounds.
 */
public final class S3ClientBench {
  private static final long MIB = 1024 * 1024;
  private static final long PART = 10 * MIB;
  private static final int IN_FLIGHT = 4;

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setPreferNativeTransport(true));
  private final String endpoint;
  private final String access;
  private final String secret;
  private final String bucket;
  private final long size;
  private final ByteBuffer[] parts;

  private S3ClientBench(String[] a) {
    endpoint = a[0];
    access = a[1];
    secret = a[2];
    bucket = a[3];
    size = Long.parseLong(a[4]) * MIB;
    List<ByteBuffer> p = new ArrayList<>();
    for (long at = 0; at < size; at += PART) {
      byte[] bytes = new byte[(int) Math.min(PART, size - at)];
      ThreadLocalRandom.current().nextBytes(bytes);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
      direct.put(bytes).flip();
      p.add(direct);
    }
    parts = p.toArray(ByteBuffer[]::new);
  }

  public static void main(String[] args) throws Exception {
    S3ClientBench bench = new S3ClientBench(args);
    int rounds = Integer.parseInt(args[5]);
    try {
      bench.run(rounds);
    } finally {
      bench.vertx.close().await();
    }
    System.exit(0);
  }

  private S3AsyncClient client(SdkAsyncHttpClient http) {
    return S3AsyncClient.builder()
        .httpClient(http)
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
        .build();
  }

  private void run(int rounds) throws Exception {
    Context context = vertx.getOrCreateContext();
    VertxSdkHttpClient vertxHttp = context.<VertxSdkHttpClient>executeBlocking(
        () -> new VertxSdkHttpClient(vertx, new io.vertx.core.http.HttpClientOptions(), 120_000, 64)).await();
    S3AsyncClient overVertx = client(vertxHttp);
    S3AsyncClient overNetty = client(NettyNioAsyncHttpClient.builder().maxConcurrency(64).build());
    S3Settings settings = new S3Settings("bench", URI.create(endpoint), bucket, true, "us-east-1", access, secret,
        false, 100 * MIB, PART, IN_FLIGHT, "", false, 64 * MIB);
    SignedGet signed = new SignedGet(vertx, settings, new S3Errors(settings), 120_000);
    String key = "client-bench";
    System.out.printf("size=%d MiB parts=%d MiB in-flight=%d rounds=%d%n", size / MIB, PART / MIB, IN_FLIGHT, rounds);
    upload(overNetty, key).get(); // the object downloads read, and a warm-up
    for (int r = 0; r < 2; r++) { // warm-up of every path (JIT)
      upload(overVertx, key).get();
      download(overNetty, key).get();
      download(overVertx, key).get();
      signedGet(context, signed, key).toCompletionStage().toCompletableFuture().get();
    }
    List<String> lines = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      lines.add(measure("upload", "SDK + SDK's Netty client", r, () -> upload(overNetty, key)));
      lines.add(measure("upload", "SDK + Glint's Vert.x client", r, () -> upload(overVertx, key)));
      lines.add(measure("download", "SDK + SDK's Netty client", r, () -> download(overNetty, key)));
      lines.add(measure("download", "SDK + Glint's Vert.x client", r, () -> download(overVertx, key)));
      lines.add(measure("download", "signed GET on Vert.x (no SDK)", r,
          () -> signedGet(context, signed, key).toCompletionStage().toCompletableFuture()));
    }
    lines.forEach(System.out::println);
    overVertx.close();
    overNetty.close();
  }

  private interface Transfer {
    CompletableFuture<?> start() throws Exception;
  }

  private String measure(String what, String option, int round, Transfer transfer) throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    transfer.start().get();
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
    double gb = size / 1e9;
    return String.format(Locale.ROOT, "%s\t%s\t%d\t%.0f MB/s\t%.2f core-s/GB", what, option, round,
        gb * 1000 / wall, cpu / gb);
  }

  /** A multipart upload of the parts, {@link #IN_FLIGHT} at a time, from memory. */
  private CompletableFuture<?> upload(S3AsyncClient s3, String key) {
    return s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).thenCompose(created -> {
      String id = created.uploadId();
      List<CompletedPart> done = new ArrayList<>();
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int first = 0; first < parts.length; first += IN_FLIGHT) {
        int from = first;
        chain = chain.thenCompose(v -> {
          List<CompletableFuture<?>> batch = new ArrayList<>();
          for (int i = from; i < Math.min(parts.length, from + IN_FLIGHT); i++) {
            int n = i + 1;
            ByteBuffer body = parts[i].duplicate();
            batch.add(s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(n)
                    .contentLength((long) body.remaining()), AsyncRequestBody.fromRemainingByteBuffersUnsafe(body))
                .thenAccept(r -> {
                  synchronized (done) {
                    done.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).build());
                  }
                }));
          }
          return CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new));
        });
      }
      return chain.thenCompose(v -> {
        done.sort(java.util.Comparator.comparing(CompletedPart::partNumber));
        return s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id)
            .multipartUpload(m -> m.parts(done)));
      });
    });
  }

  /** GetObject as a publisher, read 16 buffers at a time and dropped. */
  private CompletableFuture<Long> download(S3AsyncClient s3, String key) {
    return s3.getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toPublisher())
        .thenCompose(S3ClientBench::drain);
  }

  private static CompletableFuture<Long> drain(ResponsePublisher<GetObjectResponse> publisher) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    AtomicLong read = new AtomicLong();
    publisher.subscribe(new Subscriber<ByteBuffer>() {
      private Subscription s;
      private int left;

      @Override
      public void onSubscribe(Subscription s) {
        this.s = s;
        left = 16;
        s.request(16);
      }

      @Override
      public void onNext(ByteBuffer b) {
        read.addAndGet(b.remaining());
        if (--left == 0) {
          left = 16;
          s.request(16);
        }
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onComplete() {
        done.complete(read.get());
      }
    });
    return done;
  }

  /** The store's download path without splicing: the signed GET's body read and dropped. */
  private Future<Long> signedGet(Context context, SignedGet signed, String key) {
    Promise<Long> done = Promise.promise();
    context.runOnContext(v -> signed.open(key, ByteRange.ALL, AwsBasicCredentials.create(access, secret))
        .onFailure(done::fail)
        .onSuccess(data -> {
          ImageData.Stream stream = (ImageData.Stream) data;
          if (stream.relay() != null) {
            stream.relay().useStream();
          }
          AtomicLong read = new AtomicLong();
          stream.stream().handler(b -> read.addAndGet(b.length()));
          stream.stream().exceptionHandler(done::tryFail);
          stream.stream().endHandler(e -> {
            stream.abandon();
            done.tryComplete(read.get());
          });
          stream.stream().resume();
        }));
    return done.future();
  }
}
