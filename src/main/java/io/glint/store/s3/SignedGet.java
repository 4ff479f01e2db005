package io.glint.store.s3;

import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.glint.store.StoreException;
import io.glint.store.StoreException.Reason;
import io.glint.store.http.SpliceRelay;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Image downloads from an S3 store: a GET (with {@code Range} for a byte range) signed with the AWS SDK's SigV4
 * signer and sent by Glint's own HTTP client on a connection of its own, with the HTTP store's {@link
 * SpliceRelay} installed before the request goes out. From a plain-http endpoint (an in-cloud Ceph RGW, MinIO)
 * the body then goes from the S3 server's socket to the client's inside the kernel; otherwise (https, splice
 * off) it is a paused stream the download pipes with backpressure. The connection is closed after the
 * download, never reused. A failure before the response head is a {@link StoreException} (the client gets a
 * 503); after it, the download's connection is reset.
 */
final class SignedGet {
  private static final Pattern CODE = Pattern.compile("<Code>([^<]{1,100})</Code>");
  private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]{1,500})</Message>");
  private static final int MAX_ERROR_BODY = 16 * 1024;

  private final Vertx vertx;
  private final S3Settings settings;
  private final S3Errors errors;
  private final long idleMillis;
  private final HttpClientAgent client;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  SignedGet(Vertx vertx, S3Settings settings, S3Errors errors, long idleMillis) {
    this.vertx = vertx;
    this.settings = settings;
    this.errors = errors;
    this.idleMillis = idleMillis;
    // Keep-alive requests (the server must not close right after the body, which splicing needs), but every
    // connection is closed by its relay after one download: none is reused.
    this.client = vertx.createHttpClient(settings.clientOptions()
            .setKeepAlive(true)
            .setConnectTimeout(10_000)
            .setIdleTimeout((int) Math.max(1, idleMillis / 1000))
            .setDecompressionSupported(false)
            .setMaxChunkSize(64 * 1024),
        new PoolOptions().setHttp1MaxSize(1024));
  }

  Future<Void> close() {
    return client.close();
  }

  /** Opens {@code key} (or a range of it): a paused stream, or a relay, once the S3 server has answered. */
  Future<ImageData> open(String key, ByteRange range, AwsCredentialsIdentity identity) {
    SdkHttpRequest signed;
    try {
      signed = sign(key, range, identity);
    } catch (RuntimeException e) {
      return Future.failedFuture(errors.translate("signing the download of " + key, e));
    }
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(signed.host())
        .setPort(signed.port())
        .setSsl(settings.https())
        .setURI(signed.encodedPath())
        .setFollowRedirects(false)
        .setIdleTimeout(idleMillis);
    signed.forEachHeader((name, values) -> {
      if (!name.equalsIgnoreCase("host")) {
        values.forEach(v -> options.addHeader(name, v));
      }
    });
    String action = "downloading object " + key;
    SpliceRelay[] relay = {null};
    return client.request(options)
        .map(request -> {
          relay[0] = SpliceRelay.install(vertx, request.connection(), idleMillis, settings.splice());
          return request;
        })
        .compose(HttpClientRequest::send)
        .recover(e -> {
          if (relay[0] != null) {
            relay[0].close();
          }
          return Future.failedFuture(errors.translate(action, e));
        })
        .compose(response -> answer(action, response, relay[0], range));
  }

  private Future<ImageData> answer(String action, HttpClientResponse response, SpliceRelay relay, ByteRange range) {
    response.pause();
    int status = response.statusCode();
    if (status == (range.isAll() ? 200 : 206)) {
      long length;
      try {
        length = Long.parseLong(response.getHeader("Content-Length").strip());
      } catch (RuntimeException e) {
        drop(response, relay);
        return Future.failedFuture(new StoreException(Reason.UNAVAILABLE, "The " + errors.store()
            + " did not say how long the object is while " + action + "."));
      }
      return Future.succeededFuture(new ImageData.Stream(response, length, relay, () -> drop(response, relay)));
    }
    return errorBody(response).andThen(ar -> drop(response, relay)).transform(ar -> {
      String body = ar.succeeded() && ar.result() != null ? ar.result() : "";
      Matcher code = CODE.matcher(body);
      Matcher message = MESSAGE.matcher(body);
      if (status >= 200 && status < 300) {
        return Future.failedFuture(new StoreException(Reason.UNAVAILABLE, "The " + errors.store() + " answered "
            + status + " to a " + (range.isAll() ? "whole" : "ranged") + " GET while " + action + "."));
      }
      return Future.failedFuture(errors.fromStatus(action, errors.store(), status,
          code.find() ? code.group(1) : null, message.find() ? message.group(1) : null, null));
    });
  }

  /** Up to {@link #MAX_ERROR_BODY} bytes of an error answer's body (S3's error XML). */
  private static Future<String> errorBody(HttpClientResponse response) {
    Promise<String> body = Promise.promise();
    Buffer read = Buffer.buffer();
    response.handler(chunk -> {
      if (read.length() < MAX_ERROR_BODY) {
        read.appendBuffer(chunk, 0, Math.min(chunk.length(), MAX_ERROR_BODY - read.length()));
      }
    });
    response.exceptionHandler(e -> body.tryComplete(read.toString()));
    response.endHandler(v -> body.tryComplete(read.toString()));
    response.resume();
    return body.future();
  }

  /** Gives up a response: its connection is closed, never reused. */
  private static void drop(HttpClientResponse response, SpliceRelay relay) {
    response.exceptionHandler(e -> { });
    response.request().reset();
    if (relay != null) {
      relay.close();
    }
  }

  /** The signed GET of {@code key}: path or virtual-host addressing, SigV4 in the headers, no payload. */
  private SdkHttpRequest sign(String key, ByteRange range, AwsCredentialsIdentity identity) {
    String encodedKey = SdkHttpUtils.urlEncodeIgnoreSlashes(key);
    String host = settings.pathStyle() ? settings.endpoint().getHost() : settings.bucket() + "."
        + settings.endpoint().getHost();
    SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.GET)
        .protocol(settings.endpoint().getScheme())
        .host(host)
        .port(settings.port())
        .encodedPath(settings.pathStyle() ? "/" + settings.bucket() + "/" + encodedKey : "/" + encodedKey)
        .putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    if (!range.isAll()) {
      request.putHeader("Range", "bytes=" + range.offset() + "-" + (range.offset() + range.length() - 1));
    }
    return signer.sign(r -> r.identity(identity)
            .request(request.build())
            .putProperty(AwsV4HttpSigner.REGION_NAME, settings.region())
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
            .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
            .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
            .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false))
        .request();
  }
}
