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
  public static final String OSLO_POLICY = "oslo_policy";
  public static final String KEYSTONE_AUTHTOKEN = "keystone_authtoken";
  public static final String TASK = "task";
  public static final String IMAGE_IMPORT_OPTS = "image_import_opts";
  public static final String INJECT_METADATA = "inject_metadata_properties";
  public static final String IMAGE_CONVERSION = "image_conversion";
  public static final String PROJECT_LIMITS = "project_limits";
  public static final String GLANCE_DOWNLOAD_PROPERTIES = "glance_download_properties";
  public static final String OSLO_MESSAGING_NOTIFICATIONS = "oslo_messaging_notifications";
  public static final String OSLO_MESSAGING_RABBIT = "oslo_messaging_rabbit";
  public static final String HEALTHCHECK = "healthcheck";
  public static final String CORS = "cors";

  /**
   * Sections of glance-api.conf that Glint does not read yet but will (or that are harmless to
   * carry over): found in a file they are logged at DEBUG, not WARN. Other unknown sections get
   * one warning each.
   */
  public static final Set<String> DEFERRED_SECTIONS = Set.of(
      "taskflow_executor", "wsgi", "oslo_limit", "store_type_location_strategy");

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
  public static final ConfigOption<Boolean> ENABLE_V1_API = register(DEFAULT, "enable_v1_api", OptionType.bool(), "true",
      "Serve the legacy Images v1 API (removed from Glance in Rocky) under /v1, on the same images, members, policies and stores as v2; listed in the versions document as DEPRECATED.");
  public static final ConfigOption<String> MULTIBUFFER_DIGESTS = register(DEFAULT, "multibuffer_digests",
      OptionType.choice(false, "off", "auto", "on"), "auto",
      "Glint: hash concurrent uploads together in SIMD lanes (md5 in two engines of 8 lanes, sha512 8 at once "
          + "with AVX-512; needs --add-modules jdk.incubator.vector, else the JDK's digests). 'auto': an upload "
          + "that another runs beside when its first bytes are hashed takes lanes (one alone holds back its first "
          + "batches up to 10 ms for company), a lone upload uses the JDK's digests, and a digest whose lanes did "
          + "not outrun the JDK's at start-up is left to the JDK's; 'on': every upload takes lanes; 'off': JDK "
          + "digests only.");
  public static final ConfigOption<Long> IMAGE_LIST_CACHE_SIZE = register(DEFAULT, "image_list_cache_size", OptionType.size(), "16MB",
      "Glint: bytes of recent GET /v2/images pages kept per node, by caller identity and query, answered again without the database until any image or member changes (on any node) or 2 s pass; 0 turns it off (bytes, or with unit KB, MB, GB).");
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
  public static final ConfigOption<String> NODE_STAGING_URI = register(DEFAULT, "node_staging_uri", OptionType.string(true), null,
      "Where staged image data is kept (PUT /v2/images/{id}/stage, and web-download and copy-image when they need a local copy): a file:/// URL of a directory; unset = file://<data_dir>/staging. Several nodes share staged data when this directory is shared (NFS); otherwise set worker_self_reference_url so that an import or delete reaching another node is forwarded to the node holding the data.");
  public static final ConfigOption<String> WORKER_SELF_REFERENCE_URL = register(DEFAULT, "worker_self_reference_url", OptionType.string(true), null,
      "The URL other nodes reach this node at; recorded on images staged here (os_glance_stage_host) so that an import or delete of such an image on another node is forwarded here. Unset: public_endpoint.");
  public static final ConfigOption<Boolean> USE_KEYSTONE_LIMITS = register(DEFAULT, "use_keystone_limits", OptionType.bool(), "false",
      "Enforce per-project limits on image count and storage. Glint reads the limits from [project_limits] (Keystone unified limits are not read yet).");
  public static final ConfigOption<Boolean> DELAYED_DELETE = register(DEFAULT, "delayed_delete", OptionType.bool(), "false",
      "Mark deleted images 'pending_delete' and leave the data for the scrubber.");
  public static final ConfigOption<Integer> SCRUB_TIME = register(DEFAULT, "scrub_time", OptionType.integer(0, Integer.MAX_VALUE), "0",
      "Seconds a 'pending_delete' image is kept before the scrubber deletes its data.");
  public static final ConfigOption<Integer> WAKEUP_TIME = register(DEFAULT, "wakeup_time", OptionType.integer(1, Integer.MAX_VALUE), "300",
      "Seconds between two runs of the in-process scrubber (glance-scrubber's wakeup_time).");
  public static final ConfigOption<Path> IMAGE_CACHE_DIR = register(DEFAULT, "image_cache_dir", OptionType.path(true), null,
      "Directory of this node's image cache; setting it turns the cache on (downloads of images held by stores that are not local files -- http, s3 -- are kept here, one backend read per image however many clients ask at once) and the cache API (/v2/cache, API 2.14).");
  public static final ConfigOption<Long> IMAGE_CACHE_MAX_SIZE = register(DEFAULT, "image_cache_max_size", OptionType.longInteger(0, Long.MAX_VALUE), "10737418240",
      "Most bytes the image cache may hold (default 10 GiB): a hard limit, kept by evicting the least recently used entries that nobody is reading; an image that cannot fit is served straight from its store.");
  public static final ConfigOption<Integer> IMAGE_CACHE_STALL_TIME = register(DEFAULT, "image_cache_stall_time", OptionType.integer(1, Integer.MAX_VALUE), "86400",
      "Seconds a cache fill may go without receiving a byte before it is abandoned (its readers are reset and its partial file removed).");
  public static final ConfigOption<Integer> CACHE_PREFETCHER_INTERVAL = register(DEFAULT, "cache_prefetcher_interval", OptionType.integer(1, Integer.MAX_VALUE), "300",
      "Seconds between two runs of the in-process prefetcher, which fills the images queued with PUT /v2/cache/{image_id}.");
  public static final ConfigOption<Boolean> TRUSTED_HEADER_ANY_HOST = register(DEFAULT, "trusted_header_any_host", OptionType.bool(), "false",
      "Glint: trust identity headers (X-Roles, X-Project-Id...) from any peer; when false only from loopback.");
  public static final ConfigOption<String> LOG_LEVEL = register(DEFAULT, "log_level", OptionType.choice(true, "TRACE", "DEBUG", "INFO", "WARN", "ERROR"), "INFO",
      "Glint: log level (case-insensitive).");
  public static final ConfigOption<Boolean> DEBUG = register(DEFAULT, "debug", OptionType.bool(), "false",
      "Log at DEBUG level (as log_level = DEBUG, unless log_level is TRACE).");
  public static final ConfigOption<String> AUTH_STRATEGY = register(DEFAULT, "auth_strategy",
      OptionType.choice(true, "", "keystone", "trusted-headers", "noauth"), "",
      "Glint: how callers are authenticated, overriding [paste_deploy] flavor: 'keystone' (validate X-Auth-Token "
          + "with Keystone, [keystone_authtoken]), 'trusted-headers' (identity headers set by a proxy), 'noauth' "
          + "(everyone is admin). Empty: from the flavor, keystone when [keystone_authtoken] auth_url is set.");

  public static final ConfigOption<Boolean> CONSOLE_ENABLED = register(DEFAULT, "console_enabled", OptionType.bool(), "false",
      "Glint: serve the web console (static pages that use the public API) under /console on the API port.");

  public static final ConfigOption<Path> PROPERTY_PROTECTION_FILE = register(DEFAULT, "property_protection_file", OptionType.path(true), null,
      "Property protections: an INI file whose sections are regular expressions over custom property names (first match in file order wins), each with create/read/update/delete = roles or a policy rule; unset = no protections. Relative paths are looked up beside the config file.");
  public static final ConfigOption<String> PROPERTY_PROTECTION_RULE_FORMAT = register(DEFAULT, "property_protection_rule_format", OptionType.choice(false, "roles", "policies"), "roles",
      "How property_protection_file names who may act: comma-separated roles, or one policy rule name per operation.");

  public static final ConfigOption<Integer> GRACEFUL_SHUTDOWN_TIMEOUT = register(DEFAULT, "graceful_shutdown_timeout", OptionType.integer(0, Integer.MAX_VALUE), "60",
      "Seconds a stopping Glint (SIGTERM) lets in-flight requests, uploads and downloads finish after it stopped accepting connections; uploads still running then are cut and cleaned up as client aborts (image back to queued). 0 = no wait.");

  public static final ConfigOption<Boolean> METRICS_ENABLED = register(DEFAULT, "metrics_enabled", OptionType.bool(), "true",
      "Glint: keep Prometheus metrics and serve them at GET /metrics (admins only on the API port, or anyone on metrics_bind_port).");
  public static final ConfigOption<Integer> METRICS_BIND_PORT = register(DEFAULT, "metrics_bind_port", OptionType.integer(-1, 65535), "-1",
      "Glint: serve GET /metrics without authentication on this port of bind_host instead of on the API port (0 picks a free port); -1 = on the API port, admins only.");
  public static final ConfigOption<Boolean> ACCESS_LOG = register(DEFAULT, "access_log", OptionType.bool(), "true",
      "Glint: one INFO line per request on the 'glint.access' logger (method, path, status, bytes, duration, request id, project, user).");
  public static final ConfigOption<String> LOG_FORMAT = register(DEFAULT, "log_format", OptionType.choice(true, "text", "json"), "text",
      "Glint: 'text' lines, or 'json': one JSON object per line (logback's JsonEncoder; the access log's fields as keys).");

  public static final ConfigOption<Boolean> GZIP_RESPONSES = register(DEFAULT, "gzip_responses", OptionType.bool(), "true",
      "Glint: Glance's gzip filter (which Glance's paste pipelines leave out unless added): JSON answers and error bodies are gzip-encoded for clients sending Accept-Encoding: gzip; image data never is. false = never compress.");
  public static final ConfigOption<Integer> GZIP_MIN_LENGTH = register(DEFAULT, "gzip_min_length", OptionType.integer(0, Integer.MAX_VALUE), "256",
      "Glint: with gzip_responses, bodies shorter than this many bytes are sent uncompressed.");

  // ---------------------------------------------------------------------------------------- [cors]
  // oslo.middleware's CORS options with the defaults Glance sets (glance/common/config.py).

  public static final ConfigOption<List<String>> CORS_ALLOWED_ORIGIN = register(CORS, "allowed_origin", OptionType.list(), "",
      "Origins (scheme://host[:port]) whose browsers may call the API, or '*'; empty = CORS off.");
  public static final ConfigOption<Boolean> CORS_ALLOW_CREDENTIALS = register(CORS, "allow_credentials", OptionType.bool(), "true",
      "Tell browsers they may send cookies and credentials (Access-Control-Allow-Credentials).");
  public static final ConfigOption<List<String>> CORS_EXPOSE_HEADERS = register(CORS, "expose_headers", OptionType.list(),
      "X-Image-Meta-Checksum,X-Auth-Token,X-Subject-Token,X-Service-Token,X-OpenStack-Request-ID",
      "Response headers scripts may read (Access-Control-Expose-Headers).");
  public static final ConfigOption<Integer> CORS_MAX_AGE = register(CORS, "max_age", OptionType.integer(0, Integer.MAX_VALUE), "3600",
      "Seconds a browser may cache a preflight answer; 0 = no Access-Control-Max-Age.");
  public static final ConfigOption<List<String>> CORS_ALLOW_METHODS = register(CORS, "allow_methods", OptionType.list(), "GET,PUT,POST,DELETE,PATCH",
      "Methods a preflight may ask for.");
  public static final ConfigOption<List<String>> CORS_ALLOW_HEADERS = register(CORS, "allow_headers", OptionType.list(),
      "Content-MD5,X-Image-Meta-Checksum,X-Storage-Token,Accept-Encoding,X-Auth-Token,X-Identity-Status,X-Roles,X-Service-Catalog,X-User-Id,X-Tenant-Id,X-OpenStack-Request-ID",
      "Request headers a preflight may ask for (the simple headers always may).");

  // -------------------------------------------------------------------------------- [healthcheck]

  public static final ConfigOption<Path> HEALTHCHECK_DISABLE_BY_FILE_PATH = register(HEALTHCHECK, "disable_by_file_path", OptionType.path(true), null,
      "While this file exists, GET /healthcheck answers 503 'DISABLED BY FILE' (drain a node from its load balancer before stopping it).");
  public static final ConfigOption<Boolean> HEALTHCHECK_DETAILED = register(HEALTHCHECK, "detailed", OptionType.bool(), "false",
      "Show the detailed health view (database, stores, broker; JVM) to admins asking for JSON even without '?detailed'. Others always get the plain answer.");

  // --------------------------------------------------------------------------------------- [task]

  public static final ConfigOption<Integer> TASK_TIME_TO_LIVE = register(TASK, "task_time_to_live", OptionType.integer(1, Integer.MAX_VALUE), "48",
      "Hours a task is kept after it succeeded or failed; then it is purged.");

  // ------------------------------------------------------------------------------ [image_import_opts]

  public static final ConfigOption<List<String>> IMAGE_IMPORT_PLUGINS = register(IMAGE_IMPORT_OPTS, "image_import_plugins", OptionType.list(), "",
      "Import plugins run on the data of glance-direct and web-download imports, in order: no_op, inject_image_metadata, image_decompression, image_conversion (Glance's '[a, b]' form is accepted).");

  public static final ConfigOption<List<String>> GLANCE_DOWNLOAD_EXTRA_PROPERTIES = register(GLANCE_DOWNLOAD_PROPERTIES, "extra_properties", OptionType.list(),
      "hw_,trait:,os_distro,os_secure_boot,os_type",
      "glance-download: prefixes of the remote image's properties copied onto the imported image (others are not; os_glance* never).");

  public static final ConfigOption<List<String>> INJECT = register(INJECT_METADATA, "inject", OptionType.list(), "",
      "inject_image_metadata plugin: properties set on imported images, as key:value pairs.");
  public static final ConfigOption<List<String>> IGNORE_USER_ROLES = register(INJECT_METADATA, "ignore_user_roles", OptionType.list(), "admin",
      "inject_image_metadata plugin: callers with any of these roles get no properties injected.");

  public static final ConfigOption<String> CONVERSION_OUTPUT_FORMAT = register(IMAGE_CONVERSION, "output_format", OptionType.choice(false, "raw", "qcow2", "vmdk"), "raw",
      "image_conversion plugin: the disk format imported images are converted to (with qemu-img).");
  public static final ConfigOption<Integer> CONVERSION_TIMEOUT = register(IMAGE_CONVERSION, "conversion_timeout", OptionType.integer(1, Integer.MAX_VALUE), "1800",
      "Glint: seconds one qemu-img convert may run before it is killed and the import fails.");
  public static final ConfigOption<Long> CONVERSION_MEMORY_LIMIT = register(IMAGE_CONVERSION, "memory_limit", OptionType.size(), "1GB",
      "Glint: address-space limit of each qemu-img process (qemu-img info also gets 2 s of CPU, as in Glance).");

  // ---------------------------------------------------------------------------------- [project_limits]

  public static final ConfigOption<Long> LIMIT_IMAGE_SIZE_TOTAL = register(PROJECT_LIMITS, "image_size_total", OptionType.longInteger(-1, Long.MAX_VALUE), "-1",
      "Glint (with use_keystone_limits): MiB of image data a project may store; -1 = unlimited.");
  public static final ConfigOption<Long> LIMIT_IMAGE_STAGE_TOTAL = register(PROJECT_LIMITS, "image_stage_total", OptionType.longInteger(-1, Long.MAX_VALUE), "-1",
      "Glint (with use_keystone_limits): MiB of staged data a project may hold; -1 = unlimited.");
  public static final ConfigOption<Long> LIMIT_IMAGE_COUNT_TOTAL = register(PROJECT_LIMITS, "image_count_total", OptionType.longInteger(-1, Long.MAX_VALUE), "-1",
      "Glint (with use_keystone_limits): images a project may have; -1 = unlimited.");
  public static final ConfigOption<Long> LIMIT_IMAGE_COUNT_UPLOADING = register(PROJECT_LIMITS, "image_count_uploading", OptionType.longInteger(-1, Long.MAX_VALUE), "-1",
      "Glint (with use_keystone_limits): images a project may be uploading, staging or importing at once; -1 = unlimited.");

  // ----------------------------------------------------------------------------------- [database]

  public static final ConfigOption<String> DATABASE_CONNECTION = register(DATABASE, "connection", OptionType.databaseUrl(), null,
      "PostgreSQL URL postgresql://user:password@host:port/dbname (postgresql+psycopg2:// accepted); unset = embedded PostgreSQL under data_dir.");
  public static final ConfigOption<Integer> DATABASE_MAX_POOL_SIZE = register(DATABASE, "max_pool_size", OptionType.integer(1, Integer.MAX_VALUE), "16",
      "Maximum number of database connections.");

  // ------------------------------------------------------------------------------ [oslo_middleware]

  public static final ConfigOption<Long> MAX_REQUEST_BODY_SIZE = register(OSLO_MIDDLEWARE, "max_request_body_size", OptionType.longInteger(1024, Integer.MAX_VALUE), "1048576",
      "Largest JSON request body in bytes (413 beyond). Image data uploads are bounded by image_size_cap instead.");

  // ---------------------------------------------------------------------------------- [oslo_policy]

  public static final ConfigOption<String> POLICY_FILE = register(OSLO_POLICY, "policy_file", OptionType.string(false), "policy.yaml",
      "Operator's policy file (YAML, or JSON when named *.json) overriding single rules; relative paths are looked up beside the config file. The default file may be absent; another named file must exist.");
  public static final ConfigOption<Boolean> ENFORCE_NEW_DEFAULTS = register(OSLO_POLICY, "enforce_new_defaults", OptionType.bool(), "false",
      "Enforce Glance's secure-RBAC defaults (project admin, member, reader) instead of the legacy ones with their owner-or-admin checks.");
  public static final ConfigOption<Boolean> ENFORCE_SCOPE = register(OSLO_POLICY, "enforce_scope", OptionType.bool(), "false",
      "Refuse tokens of the wrong scope (a system-scoped token on project rules); off, such use is only logged.");

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
  public static final ConfigOption<Boolean> FILESYSTEM_STORE_DIRECT_IO = register(GLANCE_STORE, "filesystem_store_direct_io", OptionType.bool(), "false",
      "Glint: write new image data with O_DIRECT, past the page cache (less CPU per GB; a new image's first downloads then read the disk).");
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
      OptionType.choice(false, "keystone", "keystone+caching", "keystone+cachemanagement", "", "caching",
          "cachemanagement", "noauth"), "keystone",
      "Request pipeline, as Glance's paste flavors: keystone variants authenticate (Keystone tokens when "
          + "[keystone_authtoken] auth_url is set, else trusted identity headers); '', 'caching', "
          + "'cachemanagement' (and 'noauth') are the unauthenticated pipeline: every request is admin.");

  // ------------------------------------------------------------------------- [keystone_authtoken]
  // keystonemiddleware's auth_token options (keystonemiddleware/auth_token/_opts.py) and the keystoneauth
  // 'password' plugin's, as glance-api.conf carries them.

  public static final ConfigOption<String> WWW_AUTHENTICATE_URI = register(KEYSTONE_AUTHTOKEN, "www_authenticate_uri",
      OptionType.string(true), null,
      "Public Identity endpoint, named in the WWW-Authenticate header of 401 answers; unset = auth_url.");
  public static final ConfigOption<String> AUTH_URI = register(KEYSTONE_AUTHTOKEN, "auth_uri", OptionType.string(true), null,
      "Deprecated name of www_authenticate_uri (used when that is unset).");
  public static final ConfigOption<String> AUTH_URL = register(KEYSTONE_AUTHTOKEN, "auth_url", OptionType.string(true), null,
      "Identity endpoint Glint authenticates itself at (POST <auth_url>/v3/auth/tokens). Setting it makes 'keystone' "
          + "the default auth strategy.");
  public static final ConfigOption<String> AUTH_TYPE = register(KEYSTONE_AUTHTOKEN, "auth_type",
      OptionType.string(true), null,
      "How Glint authenticates itself to Keystone: the keystoneauth 'password' (or 'v3password') plugin, required "
          + "in keystone mode.");
  public static final ConfigOption<String> KS_USERNAME = register(KEYSTONE_AUTHTOKEN, "username", OptionType.string(true), null,
      "Glint's service user name (or user_id).");
  public static final ConfigOption<String> KS_USER_ID = register(KEYSTONE_AUTHTOKEN, "user_id", OptionType.string(true), null,
      "Glint's service user id (instead of username).");
  public static final ConfigOption<String> KS_PASSWORD = registerSecret(KEYSTONE_AUTHTOKEN, "password", OptionType.string(true), null,
      "Glint's service user password (never logged).");
  public static final ConfigOption<String> KS_USER_DOMAIN_NAME = register(KEYSTONE_AUTHTOKEN, "user_domain_name", OptionType.string(true), null,
      "Domain of the service user, by name.");
  public static final ConfigOption<String> KS_USER_DOMAIN_ID = register(KEYSTONE_AUTHTOKEN, "user_domain_id", OptionType.string(true), null,
      "Domain of the service user, by id.");
  public static final ConfigOption<String> KS_PROJECT_NAME = register(KEYSTONE_AUTHTOKEN, "project_name", OptionType.string(true), null,
      "Project Glint's own token is scoped to (usually 'service').");
  public static final ConfigOption<String> KS_PROJECT_ID = register(KEYSTONE_AUTHTOKEN, "project_id", OptionType.string(true), null,
      "Project Glint's own token is scoped to, by id.");
  public static final ConfigOption<String> KS_PROJECT_DOMAIN_NAME = register(KEYSTONE_AUTHTOKEN, "project_domain_name", OptionType.string(true), null,
      "Domain of project_name, by name.");
  public static final ConfigOption<String> KS_PROJECT_DOMAIN_ID = register(KEYSTONE_AUTHTOKEN, "project_domain_id", OptionType.string(true), null,
      "Domain of project_name, by id.");
  public static final ConfigOption<String> KS_DOMAIN_NAME = register(KEYSTONE_AUTHTOKEN, "domain_name", OptionType.string(true), null,
      "Domain Glint's own token is scoped to, by name (instead of a project).");
  public static final ConfigOption<String> KS_DOMAIN_ID = register(KEYSTONE_AUTHTOKEN, "domain_id", OptionType.string(true), null,
      "Domain Glint's own token is scoped to, by id (instead of a project).");
  public static final ConfigOption<String> KS_SYSTEM_SCOPE = register(KEYSTONE_AUTHTOKEN, "system_scope", OptionType.string(true), null,
      "'all': Glint's own token is system-scoped (instead of a project).");
  public static final ConfigOption<String> KS_DEFAULT_DOMAIN_NAME = register(KEYSTONE_AUTHTOKEN, "default_domain_name", OptionType.string(true), null,
      "Domain name used for the user and the project when their own domain options are unset.");
  public static final ConfigOption<String> KS_DEFAULT_DOMAIN_ID = register(KEYSTONE_AUTHTOKEN, "default_domain_id", OptionType.string(true), null,
      "Domain id used for the user and the project when their own domain options are unset.");
  public static final ConfigOption<String> KS_REGION_NAME = register(KEYSTONE_AUTHTOKEN, "region_name", OptionType.string(true), null,
      "Region of the identity endpoint taken from the service catalog.");
  public static final ConfigOption<String> KS_INTERFACE = register(KEYSTONE_AUTHTOKEN, "interface",
      OptionType.choice(true, "internal", "public", "admin"), "internal",
      "Catalog interface of the identity endpoint tokens are validated at.");
  public static final ConfigOption<String> KS_AUTH_VERSION = register(KEYSTONE_AUTHTOKEN, "auth_version", OptionType.string(true), null,
      "Identity API version; Glint speaks v3 only, as keystonemiddleware does today.");
  public static final ConfigOption<String> KS_SERVICE_TYPE = register(KEYSTONE_AUTHTOKEN, "service_type", OptionType.string(true), null,
      "Accepted for compatibility (access-rule checks): Glint does not send OpenStack-Identity-Access-Rules, so Keystone "
          + "refuses tokens restricted by access rules.");
  public static final ConfigOption<Boolean> DELAY_AUTH_DECISION = register(KEYSTONE_AUTHTOKEN, "delay_auth_decision", OptionType.bool(), "true",
      "Leave the decision on unauthenticated requests to the API (401, or read-only anonymous access with "
          + "allow_anonymous_access). Glance's paste pipeline forces true; so does Glint.");
  public static final ConfigOption<Boolean> INCLUDE_SERVICE_CATALOG = register(KEYSTONE_AUTHTOKEN, "include_service_catalog", OptionType.bool(), "true",
      "Ask Keystone for the caller's service catalog when validating (false: '?nocatalog', smaller answers).");
  public static final ConfigOption<List<String>> SERVICE_TOKEN_ROLES = register(KEYSTONE_AUTHTOKEN, "service_token_roles", OptionType.list(), "service",
      "Roles an X-Service-Token must carry (any of them).");
  public static final ConfigOption<Boolean> SERVICE_TOKEN_ROLES_REQUIRED = register(KEYSTONE_AUTHTOKEN, "service_token_roles_required", OptionType.bool(), "false",
      "When true, a service token without one of service_token_roles is ignored (its roles are not service roles).");
  public static final ConfigOption<Integer> TOKEN_CACHE_TIME = register(KEYSTONE_AUTHTOKEN, "token_cache_time", OptionType.integer(-1, Integer.MAX_VALUE), "300",
      "Seconds a validated token is trusted without asking Keystone again (never past its expiry); -1 = no cache. "
          + "A revoked token keeps working on this node for up to this long.");
  public static final ConfigOption<Integer> TOKEN_CACHE_SIZE = register(KEYSTONE_AUTHTOKEN, "token_cache_size", OptionType.integer(1, Integer.MAX_VALUE), "10000",
      "Glint: most tokens kept in the in-process validation cache.");
  public static final ConfigOption<Integer> HTTP_CONNECT_TIMEOUT = register(KEYSTONE_AUTHTOKEN, "http_connect_timeout", OptionType.integer(0, 86_400), "0",
      "Seconds a request to Keystone may take; 0 = Glint's default of 30 (keystonemiddleware waits forever).");
  public static final ConfigOption<Integer> HTTP_REQUEST_MAX_RETRIES = register(KEYSTONE_AUTHTOKEN, "http_request_max_retries", OptionType.integer(0, 100), "3",
      "How many times a request to Keystone is retried when the connection cannot be made (backing off 0.5 s, 1 s, 2 s...).");
  public static final ConfigOption<Path> KS_CAFILE = register(KEYSTONE_AUTHTOKEN, "cafile", OptionType.path(true), null,
      "PEM CA bundle to verify Keystone's HTTPS certificate (default: the JVM's trust store).");
  public static final ConfigOption<Path> KS_CERTFILE = register(KEYSTONE_AUTHTOKEN, "certfile", OptionType.path(true), null,
      "PEM client certificate, when Keystone requires one (with keyfile).");
  public static final ConfigOption<Path> KS_KEYFILE = register(KEYSTONE_AUTHTOKEN, "keyfile", OptionType.path(true), null,
      "PEM private key of certfile.");
  public static final ConfigOption<Boolean> KS_INSECURE = register(KEYSTONE_AUTHTOKEN, "insecure", OptionType.bool(), "false",
      "Do not verify Keystone's HTTPS certificate (testing only).");
  public static final ConfigOption<String> ENFORCE_TOKEN_BIND = register(KEYSTONE_AUTHTOKEN, "enforce_token_bind",
      OptionType.string(false), "permissive",
      "Token binding: 'disabled' or 'permissive' (ignored), 'strict' (tokens bound to anything are refused: Glint "
          + "verifies no binding); 'required' or a bind name cannot be honoured and stop start-up.");

  /**
   * keystonemiddleware's memcache options: accepted (glance-api.conf carries them) and ignored, with one log line,
   * because Glint caches validated tokens in process.
   */
  public static final List<ConfigOption<String>> KEYSTONE_IGNORED = List.of(
      "memcached_servers", "memcache_servers", "memcache_security_strategy", "memcache_use_advanced_pool",
      "memcache_pool_dead_retry", "memcache_pool_maxsize", "memcache_pool_socket_timeout",
      "memcache_pool_unused_timeout", "memcache_pool_conn_get_timeout", "memcache_tls_enabled",
      "memcache_tls_cafile", "memcache_tls_certfile", "memcache_tls_keyfile", "memcache_tls_allowed_ciphers",
      "memcache_sasl_enabled", "memcache_username", "cache").stream()
      .map(name -> register(KEYSTONE_AUTHTOKEN, name, OptionType.string(true), null,
          "Accepted for compatibility and ignored: Glint caches tokens in process."))
      .toList();
  public static final ConfigOption<String> MEMCACHE_SECRET_KEY = registerSecret(KEYSTONE_AUTHTOKEN, "memcache_secret_key",
      OptionType.string(true), null, "Accepted for compatibility and ignored (never logged).");
  public static final ConfigOption<String> MEMCACHE_PASSWORD = registerSecret(KEYSTONE_AUTHTOKEN, "memcache_password",
      OptionType.string(true), null, "Accepted for compatibility and ignored (never logged).");

  // ----------------------------------------------------------- notifications (oslo.messaging, Glance's notifier)

  public static final ConfigOption<String> TRANSPORT_URL = register(DEFAULT, "transport_url", OptionType.transportUrl(), null,
      "oslo.messaging transport URL, used for notifications when [oslo_messaging_notifications] transport_url is unset: "
          + "rabbit://user:password@host:5672,user:password@host2:5672/vhost (several hosts for failover). Unset: "
          + TransportUrl.DEFAULT + ". Passwords are never logged.");
  public static final ConfigOption<String> CONTROL_EXCHANGE = register(DEFAULT, "control_exchange", OptionType.string(false), "glance",
      "The AMQP exchange notifications are published to (a topic exchange).");
  public static final ConfigOption<String> DEFAULT_PUBLISHER_ID = register(DEFAULT, "default_publisher_id", OptionType.string(true), null,
      "publisher_id of Glint's notifications; unset: image.<this host's name> (Glance's default is image.localhost).");
  public static final ConfigOption<List<String>> DISABLED_NOTIFICATIONS = register(DEFAULT, "disabled_notifications", OptionType.list(), "",
      "Notifications not to send: event types (image.create), groups (image, task, metadef_tag...) or patterns with * "
          + "(image.*, image.member.*, *.delete).");
  public static final ConfigOption<List<String>> NOTIFICATION_DRIVER = register(OSLO_MESSAGING_NOTIFICATIONS, "driver",
      OptionType.list(List.of("messagingv2", "messaging", "log", "noop")), "",
      "How notifications are sent, one or several of: messagingv2 (RabbitMQ, oslo.messaging's 2.0 envelope), messaging "
          + "(RabbitMQ, bare message), log (one log line each), noop. Empty: no notifications.");
  public static final ConfigOption<String> NOTIFICATION_TRANSPORT_URL = register(OSLO_MESSAGING_NOTIFICATIONS, "transport_url",
      OptionType.transportUrl(), null,
      "Transport URL of the notification broker; unset: [DEFAULT] transport_url.");
  public static final ConfigOption<List<String>> NOTIFICATION_TOPICS = register(OSLO_MESSAGING_NOTIFICATIONS, "topics", OptionType.list(),
      "notifications",
      "AMQP topics notifications go to: each is published with routing key <topic>.<priority> (notifications.info, "
          + "notifications.error) and a queue of that name is declared and bound.");
  public static final ConfigOption<Integer> NOTIFICATION_RETRY = register(OSLO_MESSAGING_NOTIFICATIONS, "retry", OptionType.integer(-1, Integer.MAX_VALUE), "-1",
      "Accepted for compatibility: Glint keeps retrying while a notification waits in its buffer (see notification_buffer_size).");
  public static final ConfigOption<Integer> NOTIFICATION_BUFFER_SIZE = register(OSLO_MESSAGING_NOTIFICATIONS, "notification_buffer_size",
      OptionType.integer(1, Integer.MAX_VALUE), "10000",
      "Glint: most notifications waiting for the broker (unreachable, slow, or not yet confirmed); more are dropped and counted.");
  public static final ConfigOption<Boolean> AMQP_DURABLE_QUEUES = register(OSLO_MESSAGING_RABBIT, "amqp_durable_queues", OptionType.bool(), "false",
      "Declare the exchange and the notification queues durable, and publish persistent messages (survive a broker restart).");
  public static final ConfigOption<Boolean> AMQP_AUTO_DELETE = register(OSLO_MESSAGING_RABBIT, "amqp_auto_delete", OptionType.bool(), "false",
      "Declare the exchange and the notification queues auto-delete.");
  public static final ConfigOption<Double> RABBIT_RETRY_INTERVAL = register(OSLO_MESSAGING_RABBIT, "rabbit_retry_interval", OptionType.decimal(0.01, 3600), "1",
      "Seconds before the first reconnection attempt to RabbitMQ.");
  public static final ConfigOption<Double> RABBIT_RETRY_BACKOFF = register(OSLO_MESSAGING_RABBIT, "rabbit_retry_backoff", OptionType.decimal(0, 3600), "2",
      "Seconds added to the wait after each failed reconnection attempt.");
  public static final ConfigOption<Double> RABBIT_INTERVAL_MAX = register(OSLO_MESSAGING_RABBIT, "rabbit_interval_max", OptionType.decimal(0.01, 3600), "30",
      "Longest wait between two reconnection attempts, in seconds.");
  public static final ConfigOption<Integer> HEARTBEAT_TIMEOUT_THRESHOLD = register(OSLO_MESSAGING_RABBIT, "heartbeat_timeout_threshold",
      OptionType.integer(0, 3600), "60",
      "Seconds without a heartbeat after which the connection to RabbitMQ is taken for dead; 0 disables heartbeats.");

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

  /** As {@link #register}, for a value never shown in logs or messages. */
  private static <T> ConfigOption<T> registerSecret(String section, String name, OptionType<T> type, String defaultValue,
      String help) {
    ConfigOption<T> option = ConfigOption.define(section, name, type, defaultValue, help).asSecret();
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
