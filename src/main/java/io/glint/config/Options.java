package io.glint.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry of every option Glint knows, in glance-api.conf's layout and names. This is the one
 * place options are defined: a new option is one {@code register(...)} line here (plus, if wanted,
 * a field of its feature's settings record, e.g. {@link ServerSettings}; {@link
 * GlintConfig#get(ConfigOption)} works for any). The options of a store's own section ({@code [<backend>]}
 * of {@code enabled_backends}) are not here: each store type declares them (see {@link BackendType}), and they
 * are registered in {@code [glance_store]} too, for single-store mode.
 */
public final class Options {

  public static final String DEFAULT = IniFile.DEFAULT_SECTION;
  public static final String DATABASE = "database";
  public static final String GLANCE_STORE = "glance_store";
  public static final String IMAGE_FORMAT = "image_format";
  public static final String PASTE_DEPLOY = "paste_deploy";
  public static final String IMPORT_FILTERING = "import_filtering_opts";
  public static final String OSLO_MIDDLEWARE = "oslo_middleware";

  /**
   * Sections of glance-api.conf that Glint does not read yet but will (or that are harmless to
   * carry over): found in a file they are logged at DEBUG, not WARN. Other unknown sections get
   * one warning each.
   */
  public static final Set<String> DEFERRED_SECTIONS = Set.of(
      "keystone_authtoken", "oslo_policy", "oslo_messaging_notifications",
      "taskflow_executor", "wsgi", "cors", "healthcheck", "image_import_opts",
      "task", "oslo_limit", "store_type_location_strategy");

  // Must be initialised before the options below (static initialisation is in textual order).
  private static final List<ConfigOption<?>> REGISTRY = new ArrayList<>();

  // ------------------------------------------------------------------------------------ [DEFAULT]

  public static final ConfigOption<String> BIND_HOST = register(DEFAULT, "bind_host", OptionType.string(false), "0.0.0.0",
      "Address the API server binds to.");
  public static final ConfigOption<Integer> BIND_PORT = register(DEFAULT, "bind_port", OptionType.integer(0, 65535), "9292",
      "Port the API server listens on; 0 picks a free port.");
  public static final ConfigOption<Integer> WORKERS = register(DEFAULT, "workers", OptionType.integer(0, Integer.MAX_VALUE), "0",
      "Number of API server event-loop workers; 0 means one per CPU core.");
  public static final ConfigOption<Path> DATA_DIR = register(DEFAULT, "data_dir", OptionType.path(false), "./data",
      "Glint: root directory of the embedded database and of the default file store.");
  public static final ConfigOption<String> PUBLIC_ENDPOINT = register(DEFAULT, "public_endpoint", OptionType.string(true), null,
      "Public URL of the API, used in version documents and links instead of the request's host.");
  public static final ConfigOption<Long> IMAGE_SIZE_CAP = register(DEFAULT, "image_size_cap", OptionType.longInteger(0, Long.MAX_VALUE), "1099511627776",
      "Maximum size of an image in bytes (default 1 TiB).");
  public static final ConfigOption<Long> USER_STORAGE_QUOTA = register(DEFAULT, "user_storage_quota", OptionType.size(), "0",
      "Maximum total image storage per project: bytes with optional unit B, KB, MB, GB, TB (1024-based); 0 = unlimited.");
  public static final ConfigOption<Integer> LIMIT_PARAM_DEFAULT = register(DEFAULT, "limit_param_default", OptionType.integer(1, Integer.MAX_VALUE), "25",
      "Default number of items returned by a list request without 'limit'.");
  public static final ConfigOption<Integer> API_LIMIT_MAX = register(DEFAULT, "api_limit_max", OptionType.integer(1, Integer.MAX_VALUE), "1000",
      "Maximum number of items a list request returns, whatever its 'limit'.");
  public static final ConfigOption<Integer> IMAGE_MEMBER_QUOTA = register(DEFAULT, "image_member_quota", OptionType.integer(-1, Integer.MAX_VALUE), "128",
      "Maximum number of members per image; -1 = unlimited.");
  public static final ConfigOption<Integer> IMAGE_PROPERTY_QUOTA = register(DEFAULT, "image_property_quota", OptionType.integer(-1, Integer.MAX_VALUE), "128",
      "Maximum number of additional properties per image; -1 = unlimited.");
  public static final ConfigOption<Integer> IMAGE_TAG_QUOTA = register(DEFAULT, "image_tag_quota", OptionType.integer(-1, Integer.MAX_VALUE), "128",
      "Maximum number of tags per image; -1 = unlimited.");
  public static final ConfigOption<Integer> IMAGE_LOCATION_QUOTA = register(DEFAULT, "image_location_quota", OptionType.integer(-1, Integer.MAX_VALUE), "10",
      "Maximum number of locations per image; -1 = unlimited.");
  public static final ConfigOption<List<String>> ENABLED_BACKENDS = register(DEFAULT, "enabled_backends",
      OptionType.backends(BackendTypes::names), "",
      "Multiple stores: name:type pairs, e.g. 'fast:file, cheap:file, web:http'; each store's "
          + "settings go in a section named after it (see [<backend>] below). Empty: single-store mode ([glance_store] stores).");
  public static final ConfigOption<Boolean> SHOW_IMAGE_DIRECT_URL = register(DEFAULT, "show_image_direct_url", OptionType.bool(), "false",
      "Show the image's storage location as 'direct_url' in image responses.");
  public static final ConfigOption<Boolean> SHOW_MULTIPLE_LOCATIONS = register(DEFAULT, "show_multiple_locations", OptionType.bool(), "false",
      "Show all image locations in 'locations' and allow editing them (deprecated in Glance).");
  public static final ConfigOption<String> HASHING_ALGORITHM = register(DEFAULT, "hashing_algorithm",
      OptionType.choice(true, "sha512", "sha384", "sha256", "sha224", "sha1", "sha3_512", "sha3_384", "sha3_256", "sha3_224", "md5"), "sha512",
      "Algorithm of the image's 'os_hash_value' multihash.");
  public static final ConfigOption<Boolean> ALLOW_ANONYMOUS_ACCESS = register(DEFAULT, "allow_anonymous_access", OptionType.bool(), "false",
      "Allow unauthenticated users read-only access to public images.");
  public static final ConfigOption<Integer> MAX_REQUEST_ID_LENGTH = register(DEFAULT, "max_request_id_length", OptionType.integer(1, Integer.MAX_VALUE), "64",
      "Maximum length of a request ID taken from the X-Openstack-Request-ID header.");
  public static final ConfigOption<Long> MAX_REQUEST_BODY_MEMORY = register(DEFAULT, "max_request_body_memory", OptionType.size(), "32MB",
      "Glint: most bytes all JSON request bodies being received may hold in memory together; a body that would go past it gets 503 (bytes, or with unit KB, MB, GB).");
  public static final ConfigOption<Integer> MAX_HEADER_LINE = register(DEFAULT, "max_header_line", OptionType.integer(1, Integer.MAX_VALUE), "16384",
      "Maximum length of one HTTP request header line in bytes.");
  public static final ConfigOption<List<String>> ENABLED_IMPORT_METHODS = register(DEFAULT, "enabled_import_methods",
      OptionType.list(List.of("glance-direct", "web-download", "copy-image", "glance-download")), "glance-direct,web-download,copy-image",
      "Image import methods offered by the interoperable image import API.");
  public static final ConfigOption<Boolean> DELAYED_DELETE = register(DEFAULT, "delayed_delete", OptionType.bool(), "false",
      "Mark deleted images 'pending_delete' and leave the data for the scrubber.");
  public static final ConfigOption<Integer> SCRUB_TIME = register(DEFAULT, "scrub_time", OptionType.integer(0, Integer.MAX_VALUE), "0",
      "Seconds a 'pending_delete' image is kept before the scrubber deletes its data.");
  public static final ConfigOption<Integer> WAKEUP_TIME = register(DEFAULT, "wakeup_time", OptionType.integer(1, Integer.MAX_VALUE), "300",
      "Seconds between two runs of the in-process scrubber (glance-scrubber's wakeup_time).");
  public static final ConfigOption<Boolean> TRUSTED_HEADER_ANY_HOST = register(DEFAULT, "trusted_header_any_host", OptionType.bool(), "false",
      "Glint: trust identity headers (X-Roles, X-Project-Id...) from any peer; when false only from loopback.");
  public static final ConfigOption<String> LOG_LEVEL = register(DEFAULT, "log_level", OptionType.choice(true, "TRACE", "DEBUG", "INFO", "WARN", "ERROR"), "INFO",
      "Glint: log level (case-insensitive).");
  public static final ConfigOption<Boolean> DEBUG = register(DEFAULT, "debug", OptionType.bool(), "false",
      "Log at DEBUG level (as log_level = DEBUG, unless log_level is TRACE).");

  // ----------------------------------------------------------------------------------- [database]

  public static final ConfigOption<String> DATABASE_CONNECTION = register(DATABASE, "connection", OptionType.databaseUrl(), null,
      "PostgreSQL URL postgresql://user:password@host:port/dbname (postgresql+psycopg2:// accepted); unset = embedded PostgreSQL under data_dir.");
  public static final ConfigOption<Integer> DATABASE_MAX_POOL_SIZE = register(DATABASE, "max_pool_size", OptionType.integer(1, Integer.MAX_VALUE), "16",
      "Maximum number of database connections.");

  // ------------------------------------------------------------------------------ [oslo_middleware]

  public static final ConfigOption<Long> MAX_REQUEST_BODY_SIZE = register(OSLO_MIDDLEWARE, "max_request_body_size", OptionType.longInteger(1024, Integer.MAX_VALUE), "1048576",
      "Largest JSON request body in bytes (413 beyond). Image data uploads are bounded by image_size_cap instead.");

  // ------------------------------------------------------------------------------- [glance_store]

  public static final ConfigOption<List<String>> STORES = register(GLANCE_STORE, "stores", OptionType.list(), "file,http",
      "Enabled storage backends.");
  public static final ConfigOption<String> DEFAULT_STORE = register(GLANCE_STORE, "default_store", OptionType.string(false), "file",
      "Backend new image data is written to; must be one of 'stores'.");
  public static final ConfigOption<String> DEFAULT_BACKEND = register(GLANCE_STORE, "default_backend", OptionType.string(true), null,
      "With enabled_backends: the store new image data goes to (default: the first of enabled_backends).");
  public static final ConfigOption<Path> FILESYSTEM_STORE_DATADIR = register(GLANCE_STORE, "filesystem_store_datadir", OptionType.path(true), null,
      "Directory of the file store; unset = <data_dir>/images.");
  public static final ConfigOption<Boolean> FILESYSTEM_STORE_FSYNC = register(GLANCE_STORE, "filesystem_store_fsync", OptionType.bool(), "true",
      "Glint: fsync image data before the image becomes active, so that a power loss cannot lose an active image's data.");
  public static final ConfigOption<Integer> HTTP_STORE_IDLE_TIMEOUT = register(GLANCE_STORE, "http_store_idle_timeout", OptionType.integer(1, 86_400), "120",
      "Glint: seconds an HTTP-store origin may send nothing (before its answer or during a download) before the download fails.");
  public static final ConfigOption<Boolean> HTTP_STORE_SPLICE = register(GLANCE_STORE, "http_store_splice", OptionType.bool(), "true",
      "Glint: relay downloads from plain-HTTP locations socket to socket in the kernel (splice, epoll only) instead of through the JVM.");

  // Outbound URL filtering (Glance's [import_filtering_opts]): the HTTP store, and later web-download.
  public static final ConfigOption<List<String>> ALLOWED_SCHEMES = register(IMPORT_FILTERING, "allowed_schemes", OptionType.list(), "http,https",
      "URL schemes Glint may fetch from; when non-empty, disallowed_schemes is ignored.");
  public static final ConfigOption<List<String>> DISALLOWED_SCHEMES = register(IMPORT_FILTERING, "disallowed_schemes", OptionType.list(), "",
      "URL schemes Glint must not fetch from (used only when allowed_schemes is empty).");
  public static final ConfigOption<List<String>> ALLOWED_HOSTS = register(IMPORT_FILTERING, "allowed_hosts", OptionType.list(), "",
      "Hosts (names or IP addresses) Glint may fetch from; when non-empty, only these, and they may be private addresses.");
  public static final ConfigOption<List<String>> DISALLOWED_HOSTS = register(IMPORT_FILTERING, "disallowed_hosts", OptionType.list(), "",
      "Hosts Glint must not fetch from (used only when allowed_hosts is empty).");
  public static final ConfigOption<List<String>> ALLOWED_PORTS = register(IMPORT_FILTERING, "allowed_ports", OptionType.list(), "80,443",
      "Ports Glint may fetch from; when non-empty, disallowed_ports is ignored.");
  public static final ConfigOption<List<String>> DISALLOWED_PORTS = register(IMPORT_FILTERING, "disallowed_ports", OptionType.list(), "",
      "Ports Glint must not fetch from (used only when allowed_ports is empty).");

  // ------------------------------------------------------------------------------- [image_format]

  public static final ConfigOption<List<String>> CONTAINER_FORMATS = register(IMAGE_FORMAT, "container_formats", OptionType.list(),
      "ami,ari,aki,bare,ovf,ova,docker,compressed",
      "Allowed values of an image's container_format.");
  public static final ConfigOption<List<String>> DISK_FORMATS = register(IMAGE_FORMAT, "disk_formats", OptionType.list(),
      "ami,ari,aki,vhd,vhdx,vmdk,raw,qcow2,vdi,iso,ploop",
      "Allowed values of an image's disk_format.");

  // ------------------------------------------------------------------------------- [paste_deploy]

  public static final ConfigOption<String> PASTE_FLAVOR = register(PASTE_DEPLOY, "flavor",
      OptionType.choice(false, "keystone", "keystone+caching", "keystone+cachemanagement", "", "noauth"), "keystone",
      "Request pipeline: keystone variants authenticate via identity headers; '' or 'noauth' treats every request as admin.");

  // ------------------------------------------------------------------- [glance_store], store types'

  /**
   * Every store type's own options ({@link BackendType#options()}) in [glance_store] too, as glance_store
   * registers each driver's options there: single-store mode ({@code stores = s3}) reads them from there
   * ({@link StoreSettings#glanceStore}). An option registered above under the same name keeps its definition.
   */
  static {
    for (BackendType type : BackendTypes.all()) {
      for (ConfigOption<?> o : type.options()) {
        if (REGISTRY.stream().noneMatch(r -> r.section().equals(GLANCE_STORE) && r.name().equals(o.name()))) {
          REGISTRY.add(o.inSection(GLANCE_STORE));
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static final List<ConfigOption<?>> ALL = Collections.unmodifiableList(REGISTRY);
  private static final Map<String, ConfigOption<?>> BY_KEY = new HashMap<>();
  private static final Map<String, ConfigOption<?>> BY_ENV = new HashMap<>();
  private static final Set<String> SECTIONS = new LinkedHashSet<>();

  static {
    for (ConfigOption<?> o : ALL) {
      if (BY_KEY.put(o.section() + "\0" + o.name(), o) != null) {
        throw new IllegalStateException("Option defined twice: " + o);
      }
      ConfigOption<?> clash = BY_ENV.put(o.envName(), o);
      if (clash != null) {
        throw new IllegalStateException("Options " + clash + " and " + o + " have the same environment name " + o.envName());
      }
      SECTIONS.add(o.section());
    }
  }

  private Options() {
  }

  private static <T> ConfigOption<T> register(String section, String name, OptionType<T> type, String defaultValue, String help) {
    ConfigOption<T> option = ConfigOption.define(section, name, type, defaultValue, help);

    REGISTRY.add(option);
    return option;
  }

  /** Every known option, section by section in definition order. */
  public static List<ConfigOption<?>> all() {
    return ALL;
  }

  /** The option {@code name} in {@code section}, if known. */
  public static Optional<ConfigOption<?>> find(String section, String name) {
    return Optional.ofNullable(BY_KEY.get(section + "\0" + name));
  }

  /** The option of a key: {@code name} for [DEFAULT], {@code section.name} otherwise, if known. */
  public static Optional<ConfigOption<?>> byKey(String key) {
    int dot = key.indexOf('.');
    return dot < 0 ? find(DEFAULT, key) : find(key.substring(0, dot), key.substring(dot + 1));
  }

  /** The option whose {@link ConfigOption#envName()} is {@code envName}, if any. */
  public static Optional<ConfigOption<?>> byEnvName(String envName) {
    return Optional.ofNullable(BY_ENV.get(envName));
  }

  /** Sections that have at least one known option, in definition order. */
  public static Set<String> sections() {
    return Collections.unmodifiableSet(SECTIONS);
  }
}
