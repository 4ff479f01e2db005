package io.glint.store.s3;

import io.glint.config.Backend;
import io.glint.config.BackendType;
import io.glint.config.ConfigOption;
import io.glint.config.OptionType;
import io.glint.store.ImageStore;
import io.glint.store.StoreDriver;
import java.util.List;
import java.util.Optional;

/**
 * The S3 store type (glance_store's {@code s3} driver): images as objects of one bucket of an S3-compatible
 * server. Its options have glance_store's names and meanings (sizes in MB), plus Glint's own key prefix, splice
 * switch and part memory; single store: from {@code [glance_store]} ({@code stores = s3}, {@code default_store =
 * s3}); multi-store: from the store's section ({@code enabled_backends = objects:s3}, {@code [objects]}).
 */
public final class S3StoreDriver implements StoreDriver {

  static final ConfigOption<String> HOST = BackendType.option("s3_store_host", OptionType.string(true), null,
      "Endpoint of the S3 server: http://host:port, https://host, or a host name (then plain http, as glance_store "
          + "does). Required.");
  static final ConfigOption<String> ACCESS_KEY = BackendType.option("s3_store_access_key",
      OptionType.string(true), null,
      "Access key of the S3 account; unset (with s3_store_secret_key) = the AWS SDK's default credential chain "
          + "(environment, profile, container or instance role).").asSecret();
  static final ConfigOption<String> SECRET_KEY = BackendType.option("s3_store_secret_key",
      OptionType.string(true), null, "Secret key of the S3 account.").asSecret();
  static final ConfigOption<String> BUCKET = BackendType.option("s3_store_bucket", OptionType.string(true), null,
      "Bucket the images are stored in. Required.");
  static final ConfigOption<Boolean> CREATE_BUCKET = BackendType.option("s3_store_create_bucket_on_put",
      OptionType.bool(), "false", "Create the bucket at the first upload when it does not exist.");
  static final ConfigOption<String> URL_FORMAT = BackendType.option("s3_store_bucket_url_format",
      OptionType.choice(true, "auto", "path", "virtual"), "auto",
      "Addressing of the bucket: path (https://host/bucket/key), virtual (https://bucket.host/key), or auto "
          + "(virtual for Amazon's endpoints, path for any other server).");
  static final ConfigOption<String> REGION = BackendType.option("s3_store_region_name", OptionType.string(true),
      null, "Region requests are signed for; unset = from an Amazon endpoint's name, else us-east-1.");
  static final ConfigOption<Integer> LARGE_OBJECT_SIZE = BackendType.option("s3_store_large_object_size",
      OptionType.integer(0, 5 * 1024 * 1024), "100",
      "Size in MB from which an image is written as a multipart upload; below it, an upload of known size "
          + "(Content-Length) is one streamed PUT.");
  static final ConfigOption<Integer> LARGE_OBJECT_CHUNK_SIZE = BackendType.option(
      "s3_store_large_object_chunk_size", OptionType.integer(5, 5 * 1024), "10",
      "Part size in MB of multipart uploads (at least 5; larger when an image of known size would need more than "
          + "10,000 parts).");
  static final ConfigOption<Integer> THREAD_POOLS = BackendType.option("s3_store_thread_pools",
      OptionType.integer(1, 1000), "10",
      "Most parts of one multipart upload of unknown size (chunked) held in memory at once (being filled or "
          + "sent): parts in flight. Uploads of known size stream their parts one after the other.");
  static final ConfigOption<String> CACERT = BackendType.option("s3_store_cacert", OptionType.string(true), null,
      "Path of a PEM file of the CA certificates an https endpoint's certificate is checked against; unset = the "
          + "JVM's default trust store.");
  static final ConfigOption<Boolean> INTEGRITY = BackendType.option(
      "s3_store_enable_data_integrity_protection", OptionType.bool(), "false",
      "Apply s3_store_request_checksum_calculation and s3_store_response_checksum_validation; false = both "
          + "when_required, as glance_store (S3-compatible servers do not all take the SDK's newer checksums).");
  static final ConfigOption<String> REQUEST_CHECKSUM = BackendType.option("s3_store_request_checksum_calculation",
      OptionType.choice(true, "when_required", "when_supported"), "when_required",
      "When the AWS SDK sends a checksum of what is uploaded (when_supported: a CRC32 trailer on every PUT and "
          + "part); used with s3_store_enable_data_integrity_protection = true.");
  static final ConfigOption<String> RESPONSE_CHECKSUM = BackendType.option(
      "s3_store_response_checksum_validation", OptionType.choice(true, "when_required", "when_supported"),
      "when_required", "When the AWS SDK checks the checksum of what S3 answers; used with "
          + "s3_store_enable_data_integrity_protection = true. Downloads are signed GETs relayed without the SDK: "
          + "their bytes are checked against the image's own checksum by clients, not here.");
  static final ConfigOption<String> KEY_PREFIX = BackendType.option("s3_store_key_prefix",
      OptionType.string(true), null,
      "Glint: prefix of the object keys (e.g. 'glance/'); letters, digits and / . _ - only. Keys are "
          + "<prefix><image id>.<upload id>, so that no two uploads ever write the same object.");
  static final ConfigOption<Boolean> SPLICE = BackendType.option("s3_store_splice", OptionType.bool(), "true",
      "Glint: relay downloads from a plain-http endpoint socket to socket in the kernel (splice, epoll only) "
          + "instead of through the JVM.");
  static final ConfigOption<Integer> IDLE_TIMEOUT = BackendType.option("s3_store_idle_timeout",
      OptionType.integer(1, 86_400), "120",
      "Glint: seconds S3 may take and send nothing during a request (a full write queue, or no answer) before the "
          + "request fails; time spent waiting for an uploading client's next bytes does not count.");
  static final ConfigOption<Long> PART_MEMORY = BackendType.option("s3_store_part_memory", OptionType.size(),
      "64MB", "Glint: most bytes of multipart parts this store holds in memory at once, all uploads of unknown "
          + "size (chunked) together (at least one part); uploads beyond it wait, their clients paused.");

  @Override
  public String type() {
    return "s3";
  }

  @Override
  public List<String> schemes() {
    return List.of("s3", "s3+http", "s3+https");
  }

  @Override
  public List<ConfigOption<?>> options() {
    return List.of(HOST, ACCESS_KEY, SECRET_KEY, BUCKET, CREATE_BUCKET, URL_FORMAT, REGION, LARGE_OBJECT_SIZE,
        LARGE_OBJECT_CHUNK_SIZE, THREAD_POOLS, CACERT, INTEGRITY, REQUEST_CHECKSUM, RESPONSE_CHECKSUM, KEY_PREFIX,
        SPLICE, IDLE_TIMEOUT, PART_MEMORY);
  }

  @Override
  public ImageStore build(String id, Optional<Backend> section, Context context) {
    Backend options = section.orElseGet(() -> context.settings().glanceStore(type()));
    S3Settings settings = S3Settings.of(id, options);
    return new S3Store(id, context.vertx(), settings, context.transferPool());
  }
}
