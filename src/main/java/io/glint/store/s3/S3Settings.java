package io.glint.store.s3;

import io.glint.config.Backend;
import io.glint.config.ConfigException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One S3 store's settings, checked: the endpoint, the bucket and how it is addressed, the region, the
 * credentials (or none: the SDK's default chain), the upload thresholds in bytes, Glint's key prefix.
 *
 * @param endpoint {@code http(s)://host[:port]}, without path
 * @param pathStyle whether the bucket is addressed in the path ({@code host/bucket/key}), not the host name
 * @param accessKey null for the SDK's default credential chain
 * @param largeObjectSize bytes from which an upload is a multipart upload
 * @param partSize bytes of a multipart upload's parts (at least 5 MiB)
 * @param partsInFlight most parts of one upload in memory at once
 * @param partMemory most bytes of parts all uploads hold at once
 * @param cacert PEM file of the CA certificates for an https endpoint, null for the JVM's
 * @param requestChecksums whether the SDK sends checksums whenever an operation supports them (else when required)
 * @param responseChecksums whether the SDK checks checksums whenever an operation supports them
 * @param idleTimeoutMillis how long S3 may take and send nothing during a request before it fails
 */
record S3Settings(String storeId, URI endpoint, String bucket, boolean pathStyle, String region, String accessKey,
    String secretKey, boolean createBucket, long largeObjectSize, long partSize, int partsInFlight,
    String keyPrefix, boolean splice, long partMemory, String cacert, boolean requestChecksums,
    boolean responseChecksums, long idleTimeoutMillis) {

  /** The settings of a benchmark or test: no CA file, checksums when required, the default idle timeout. */
  S3Settings(String storeId, URI endpoint, String bucket, boolean pathStyle, String region, String accessKey,
      String secretKey, boolean createBucket, long largeObjectSize, long partSize, int partsInFlight,
      String keyPrefix, boolean splice, long partMemory) {
    this(storeId, endpoint, bucket, pathStyle, region, accessKey, secretKey, createBucket, largeObjectSize, partSize,
        partsInFlight, keyPrefix, splice, partMemory, null, false, false, 120_000);
  }

  private static final long MIB = 1024 * 1024;
  private static final Pattern AWS_HOST =
      Pattern.compile("(?:.*\\.)?s3(?:[.-]([a-z0-9-]+))?(?:\\.dualstack)?\\.amazonaws\\.com(?:\\.cn)?");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9/._-]*");
  // Bucket names as S3 allows them (3-63 of lower-case letters, digits, dots, hyphens); path style also
  // accepts the legacy upper-case and underscore names some S3-compatible servers still have.
  private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9._-]{3,255}");

  /** The settings of store {@code id} from its options; every problem is reported at once. */
  static S3Settings of(String id, Backend options) {
    List<String> problems = new ArrayList<>();
    String where = options.name().equals("s3") ? "[glance_store]" : "[" + options.name() + "]";
    String host = options.get(S3StoreDriver.HOST);
    URI endpoint = null;
    if (host == null) {
      problems.add("S3 store " + id + ": s3_store_host is required in " + where);
    } else {
      endpoint = endpoint(host);
      if (endpoint == null) {
        problems.add("S3 store " + id + ": s3_store_host in " + where + " must be http://host[:port], "
            + "https://host[:port] or a host name, not '" + host + "'");
      }
    }
    String bucket = options.get(S3StoreDriver.BUCKET);
    if (bucket == null) {
      problems.add("S3 store " + id + ": s3_store_bucket is required in " + where);
    } else if (!BUCKET.matcher(bucket).matches()) {
      problems.add("S3 store " + id + ": s3_store_bucket in " + where + " is not a valid bucket name");
    }
    String accessKey = options.get(S3StoreDriver.ACCESS_KEY);
    String secretKey = options.get(S3StoreDriver.SECRET_KEY);
    if ((accessKey == null) != (secretKey == null)) {
      problems.add("S3 store " + id + ": set both s3_store_access_key and s3_store_secret_key in " + where
          + ", or neither (the AWS SDK's default credential chain)");
    }
    String prefix = options.get(S3StoreDriver.KEY_PREFIX);
    if (prefix != null && (!PREFIX.matcher(prefix).matches() || prefix.startsWith("/"))) {
      problems.add("S3 store " + id + ": s3_store_key_prefix in " + where
          + " may hold letters, digits and / . _ - only, and may not start with /");
    }
    String cacert = options.get(S3StoreDriver.CACERT);
    if (cacert != null && cacert.isBlank()) {
      cacert = null; // glance_store's default, an empty string: the default bundle
    }
    if (cacert != null && !java.nio.file.Files.isReadable(java.nio.file.Path.of(cacert))) {
      problems.add("S3 store " + id + ": s3_store_cacert in " + where + " names no readable file: " + cacert);
    }
    boolean integrity = options.get(S3StoreDriver.INTEGRITY);
    String format = options.get(S3StoreDriver.URL_FORMAT);
    String awsRegion = endpoint == null ? null : awsRegion(endpoint.getHost());
    boolean virtual = format.equals("virtual") || (format.equals("auto") && endpoint != null
        && endpoint.getHost() != null && AWS_HOST.matcher(endpoint.getHost()).matches()
        && bucket != null && bucket.equals(bucket.toLowerCase(Locale.ROOT)) && !bucket.contains("."));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    String region = options.get(S3StoreDriver.REGION);
    if (region == null) {
      region = awsRegion != null ? awsRegion : "us-east-1";
    }
    long partSize = options.get(S3StoreDriver.LARGE_OBJECT_CHUNK_SIZE) * MIB;
    return new S3Settings(id, endpoint, bucket, !virtual, region, accessKey, secretKey,
        options.get(S3StoreDriver.CREATE_BUCKET), options.get(S3StoreDriver.LARGE_OBJECT_SIZE) * MIB, partSize,
        options.get(S3StoreDriver.THREAD_POOLS), prefix == null ? "" : prefix, options.get(S3StoreDriver.SPLICE),
        Math.max(partSize, options.get(S3StoreDriver.PART_MEMORY)), cacert,
        integrity && options.get(S3StoreDriver.REQUEST_CHECKSUM).equalsIgnoreCase("when_supported"),
        integrity && options.get(S3StoreDriver.RESPONSE_CHECKSUM).equalsIgnoreCase("when_supported"),
        options.get(S3StoreDriver.IDLE_TIMEOUT) * 1000L);
  }

  /** {@code http(s)://host[:port]} of a {@code s3_store_host} value (plain http when it has no scheme). */
  static URI endpoint(String host) {
    String h = host.strip();
    if (!h.startsWith("http://") && !h.startsWith("https://")) {
      h = "http://" + h;
    }
    while (h.endsWith("/")) {
      h = h.substring(0, h.length() - 1);
    }
    try {
      URI uri = new URI(h);
      if (uri.getHost() == null || uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty()
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        return null;
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  /** The region an Amazon S3 endpoint's host name names ({@code s3.eu-west-1.amazonaws.com}), else null. */
  private static String awsRegion(String host) {
    if (host == null) {
      return null;
    }
    Matcher m = AWS_HOST.matcher(host.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    String r = m.group(1);
    return r == null || r.equals("external-1") ? "us-east-1" : r;
  }

  /** The HTTP client options for this endpoint: TLS for https, checked against {@code s3_store_cacert} if set. */
  io.vertx.core.http.HttpClientOptions clientOptions() {
    io.vertx.core.http.HttpClientOptions o = new io.vertx.core.http.HttpClientOptions().setSsl(https());
    if (https() && cacert != null) {
      o.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(cacert));
    }
    return o;
  }

  boolean https() {
    return endpoint.getScheme().equals("https");
  }

  /** {@code host[:port]} of the endpoint, as written in locations. */
  String authority() {
    return endpoint.getRawAuthority();
  }

  /** The port requests go to. */
  int port() {
    return endpoint.getPort() > 0 ? endpoint.getPort() : https() ? 443 : 80;
  }

  /** Credentials are in the configuration (else: the SDK's default chain). */
  boolean staticCredentials() {
    return accessKey != null;
  }

  /** Never the keys. */
  @Override
  public String toString() {
    return "S3Settings[store=" + storeId + ", endpoint=" + endpoint + ", bucket=" + bucket + ", pathStyle="
        + pathStyle + ", region=" + region + ", credentials=" + (staticCredentials() ? "configured" : "default chain")
        + ", largeObjectSize=" + largeObjectSize + ", partSize=" + partSize + ", partsInFlight=" + partsInFlight
        + ", keyPrefix=" + keyPrefix + ", splice=" + splice + ", partMemory=" + partMemory
        + (cacert == null ? "" : ", cacert=" + cacert) + ", requestChecksums="
        + (requestChecksums ? "when_supported" : "when_required") + ", responseChecksums="
        + (responseChecksums ? "when_supported" : "when_required") + ", idleTimeout=" + idleTimeoutMillis / 1000 + "s]";
  }
}
