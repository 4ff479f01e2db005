package io.glint.image;

import io.glint.auth.CallerToken;
import io.glint.net.GuardedFetch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote side of a glance-download import (Glance's {@code _ImportMetadata} and {@code _DownloadGlanceImage}):
 * the remote Glance is the {@code image} endpoint of the caller's token's catalog in {@code glance_region} with
 * {@code glance_service_interface} ({@code get_glance_endpoint}); its image is read with the caller's token
 * ({@code GET /v2/images/{id}}: it must be active, its size known), then its data ({@code GET .../file}), both
 * through the outbound URL guard. Which properties of the remote image are copied is
 * {@code [glance_download_properties] extra_properties}.
 */
final class GlanceDownload {
  private static final Logger LOG = LoggerFactory.getLogger(GlanceDownload.class);
  /** The most bytes of a remote image's JSON read (Glance's images are far smaller). */
  static final int MAX_METADATA_BYTES = 1 << 20;
  /** The image schema's base fields: never copied as extra properties, whatever the prefixes say. */
  private static final Set<String> BASE_FIELDS = Set.of("id", "name", "status", "visibility", "protected",
      "os_hidden", "checksum", "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "disk_format",
      "container_format", "min_ram", "min_disk", "created_at", "updated_at", "tags", "direct_url", "locations",
      "self", "file", "schema", "stores");

  /** What is read of the remote image. */
  record RemoteImage(String id, String diskFormat, String containerFormat, long size, String checksum,
      String hashAlgo, String hashValue, Map<String, String> properties) {}

  private final GuardedFetch fetch;
  private final CallerToken token;
  private final String region;
  private final String imageId;
  private final String endpointInterface;
  private final String taskId;

  GlanceDownload(GuardedFetch fetch, CallerToken token, Map<?, ?> method, String taskId) {
    this.fetch = fetch;
    this.token = token;
    this.region = String.valueOf(method.get("glance_region"));
    this.imageId = String.valueOf(method.get("glance_image_id"));
    Object iface = method.get("glance_service_interface");
    this.endpointInterface = iface == null ? "public" : String.valueOf(iface);
    this.taskId = taskId;
  }

  /** Glance's {@code GlanceEndpointNotFound}. */
  static String endpointNotFound(String endpointInterface, String region) {
    return endpointInterface + " glance endpoint not found for region " + region;
  }

  /** The remote Glance's base URL, without a trailing slash. */
  private Future<String> endpoint() {
    String url = token == null ? null : token.imageEndpoint(region, endpointInterface).orElse(null);
    if (url == null) {
      return Future.failedFuture(new ImportJob.ImportFailed(endpointNotFound(endpointInterface, region)));
    }
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    return Future.succeededFuture(url);
  }

  private Map<String, String> headers(String accept) {
    return Map.of("X-Auth-Token", token.id(), "Accept", accept);
  }

  /** {@code GET <endpoint>/v2/images/{id}}: the remote image, active, with a size. */
  Future<RemoteImage> metadata(List<String> prefixes) {
    return endpoint().compose(base -> {
      String url = base + "/v2/images/" + imageId;
      LOG.info("Fetching glance image metadata from remote host {}", url);
      return fetch.get(url, headers("application/json"))
          .recover(e -> Future.failedFuture(new ImportJob.ImportFailed(refusedOr(e,
              "Processed URI for glance-download does not pass filtering: " + url,
              "Remote image " + imageId + " could not be read: " + e.getMessage()))))
          .compose(GlanceDownload::body)
          .map(body -> remoteImage(body, prefixes));
    });
  }

  /** {@code GET <endpoint>/v2/images/{id}/file}, paused. */
  Future<GuardedFetch.Fetched> data() {
    return endpoint().compose(base -> {
      String url = base + "/v2/images/" + imageId + "/file";
      LOG.info("Downloading glance image {}", url);
      return fetch.get(url, headers("application/octet-stream"))
          .recover(e -> Future.failedFuture(new ImportJob.ImportFailed(refusedOr(e,
              "Processed URI for glance-download does not pass filtering: " + url,
              "Data of remote image " + imageId + " could not be read: " + e.getMessage()))));
    });
  }

  private static String refusedOr(Throwable e, String refused, String otherwise) {
    return e instanceof GuardedFetch.FetchFailed f && f.refused() ? refused : otherwise;
  }

  private RemoteImage remoteImage(JsonObject data, List<String> prefixes) {
    Object status = data.getValue("status");
    if (!"active".equals(status)) {
      throw new ImportJob.ImportFailed("Source image status should be active instead of " + status);
    }
    Map<String, String> properties = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : data) {
      String key = e.getKey();
      if (BASE_FIELDS.contains(key) || key.startsWith("os_glance") || e.getValue() == null) {
        continue;
      }
      for (String prefix : prefixes) {
        if (key.startsWith(prefix)) {
          properties.put(key, String.valueOf(e.getValue()));
          break;
        }
      }
    }
    long size;
    try {
      size = Long.parseLong(String.valueOf(data.getValue("size")));
    } catch (NumberFormatException e) {
      throw new ImportJob.ImportFailed("Size attribute of remote image " + imageId + " could not be determined.");
    }
    return new RemoteImage(imageId, string(data, "disk_format"), string(data, "container_format"), size,
        string(data, "checksum"), string(data, "os_hash_algo"), string(data, "os_hash_value"), properties);
  }

  private static String string(JsonObject data, String key) {
    Object v = data.getValue(key);
    return v == null ? null : v.toString();
  }

  /** The remote image's JSON, read with backpressure and at most {@link #MAX_METADATA_BYTES}. */
  private static Future<JsonObject> body(GuardedFetch.Fetched fetched) {
    Promise<JsonObject> done = Promise.promise();
    Buffer body = Buffer.buffer();
    var response = fetched.response();
    response.exceptionHandler(e -> done.tryFail(new ImportJob.ImportFailed("Remote image metadata could not be "
        + "read: " + e.getMessage())));
    response.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_METADATA_BYTES) {
        fetched.abandon();
        done.tryFail(new ImportJob.ImportFailed("Remote image metadata is too large."));
        return;
      }
      body.appendBuffer(chunk);
    });
    response.endHandler(v -> {
      try {
        done.tryComplete(new JsonObject(body));
      } catch (RuntimeException e) {
        done.tryFail(new ImportJob.ImportFailed("Remote image metadata is not a JSON object."));
      }
    });
    response.resume();
    return done.future();
  }

  /**
   * The downloaded data against the remote image: Glance's size check ({@code bytes_written != image_size}), and
   * the digests the remote Glance records (md5 {@code checksum}; {@code os_hash_value} when its algorithm is
   * the one computed here).
   */
  void verify(RemoteImage remote, ReceivedData received) {
    if (received.size() != remote.size()) {
      throw new ImportJob.ImportFailed("Task " + taskId + " failed because downloaded data size " + received.size()
          + " is different from expected " + remote.size());
    }
    if (remote.checksum() != null && !remote.checksum().equals(received.checksum())) {
      throw new ImportJob.ImportFailed("checksum of downloaded data is different from the checksum of remote image "
          + remote.id() + ".");
    }
    if (remote.hashValue() != null && remote.hashAlgo() != null && remote.hashAlgo().equals(received.hashAlgo())
        && !remote.hashValue().equals(received.hashValue())) {
      throw new ImportJob.ImportFailed("os_hash_value of downloaded data is different from the os_hash_value of "
          + "remote image " + remote.id() + ".");
    }
  }
}
