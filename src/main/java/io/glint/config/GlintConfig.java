package io.glint.config;

import static io.glint.config.Options.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glint's configuration: immutable, validated, typed. Options, sections and names are those of
 * glance-api.conf (see {@link Options}).
 *
 * <p>Precedence, lowest first: built-in defaults &lt; config file &lt; environment ({@code
 * GLINT_*}) &lt; command-line flags. See {@link #load(List, Map)} and {@link #usage()}.
 */
public final class GlintConfig {

  private static final Logger LOG = LoggerFactory.getLogger(GlintConfig.class);

  /** Environment variable naming the config file when no {@code --config-file} flag is given. */
  public static final String CONFIG_FILE_ENV = "GLINT_CONFIG_FILE";
  /** Flag naming the config file (oslo.config's name); may be repeated, later files win. */
  public static final String CONFIG_FILE_FLAG = "--config-file";
  /** Config file read, relative to the working directory, when none is named and it exists. */
  public static final Path DEFAULT_CONFIG_FILE = Path.of("conf", "glint.conf");

  private static final String DEFAULT_SOURCE = "default";

  /** A raw value and where it came from ("default", "file:line", "environment variable X"…). */
  private record Setting(String raw, String source) {
  }

  /** Options a store section ({@code [<backend>]} of {@code enabled_backends}) may set. */
  public static final java.util.Set<String> BACKEND_OPTIONS =
      java.util.Set.of("filesystem_store_datadir", "filesystem_store_fsync", "store_description");

  private final Map<ConfigOption<?>, Setting> settings;
  private final Map<ConfigOption<?>, Object> values;
  private Map<String, Map<String, String>> backendSections = Map.of();
  private final List<Path> configFiles;
  private final List<String> warnings;
  private final int workers;

  private GlintConfig(Map<ConfigOption<?>, Setting> settings, Map<ConfigOption<?>, Object> values,
      List<Path> configFiles, List<String> warnings) {
    this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    this.values = Collections.unmodifiableMap(new HashMap<>(values));
    this.configFiles = List.copyOf(configFiles);
    this.warnings = List.copyOf(warnings);
    int w = get(WORKERS);
    this.workers = w == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors()) : w;
  }

  // ------------------------------------------------------------------------------------ factories

  /**
   * Loads the configuration relative to the current working directory; see {@link #load(List, Map,
   * Path)}.
   */
  public static GlintConfig load(List<String> args, Map<String, String> env) {
    return load(args, env, Path.of(""));
  }

  /**
   * Loads the configuration: defaults &lt; config file &lt; environment &lt; flags.
   *
   * <ul>
   *   <li>Config file: {@code --config-file PATH} / {@code --config-file=PATH} (repeatable, later
   *       wins), else {@code $GLINT_CONFIG_FILE}, else {@code conf/glint.conf} under {@code
   *       workingDir} if it exists. A named file that does not exist is an error. Unknown options
   *       and sections in it are logged and ignored.
   *   <li>Environment: {@link ConfigOption#envName()} of each option; other {@code GLINT_*}
   *       variables are logged as warnings.
   *   <li>Flags: {@code --name=value}, {@code --name value}, {@code --section.name=value}; bare
   *       {@code --flag} / {@code --noflag} for booleans. {@code --help}/{@code -h} are skipped
   *       (the caller handles them, see {@link #helpRequested}); anything else unknown is an error.
   * </ul>
   *
   * @param workingDir directory relative config file paths are resolved against
   * @throws ConfigException listing every problem found
   */
  public static GlintConfig load(List<String> args, Map<String, String> env, Path workingDir) {
    List<String> argList = args == null ? List.of() : args;
    Map<String, String> envMap = env == null ? Map.of() : env;
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();

    List<String> namedFiles = new ArrayList<>();
    Map<String, Map<String, Setting>> fileExtra = new LinkedHashMap<>();
    Map<String, Map<String, Setting>> flagExtra = new LinkedHashMap<>();
    Map<ConfigOption<?>, Setting> flagSettings = parseArgs(argList, namedFiles, errors, flagExtra);

    // Which files
    List<Path> files = new ArrayList<>();
    String fileSource;
    if (!namedFiles.isEmpty()) {
      namedFiles.forEach(f -> files.add(workingDir.resolve(f)));
      fileSource = CONFIG_FILE_FLAG;
    } else if (envMap.get(CONFIG_FILE_ENV) != null && !envMap.get(CONFIG_FILE_ENV).isBlank()) {
      files.add(workingDir.resolve(envMap.get(CONFIG_FILE_ENV).strip()));
      fileSource = "environment variable " + CONFIG_FILE_ENV;
    } else {
      Path dflt = workingDir.resolve(DEFAULT_CONFIG_FILE);
      if (Files.isRegularFile(dflt)) {
        files.add(dflt);
      }
      fileSource = null;
    }

    Map<ConfigOption<?>, Setting> settings = defaultSettings();
    List<Path> read = new ArrayList<>();
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        errors.add("Configuration file " + file + " (named by " + fileSource + ") "
            + (Files.exists(file) ? "is not a regular file" : "does not exist"));
        continue;
      }
      try {
        LOG.debug("Reading configuration file {}", file);
        applyFile(IniFile.load(file), settings, warnings, fileExtra);
        read.add(file);
      } catch (ConfigException e) {
        errors.addAll(e.problems());
      }
    }

    // Environment
    for (ConfigOption<?> o : Options.all()) {
      String v = envMap.get(o.envName());
      if (v != null) {
        settings.put(o, new Setting(v, "environment variable " + o.envName()));
      }
    }
    for (String name : new TreeSet<>(envMap.keySet())) {
      if (name.startsWith("GLINT_") && !name.equals(CONFIG_FILE_ENV) && !name.equals("GLINT_JAVA_OPTS")
          && Options.byEnvName(name).isEmpty()) {
        warn(warnings, "Ignoring environment variable " + name + ": no such option" + suggest(name, true));
      }
    }

    // Flags
    settings.putAll(flagSettings);

    // Store sections: file < environment (GLINT_<BACKEND>_<OPTION>) < flags
    Map<String, Map<String, Setting>> extra = new LinkedHashMap<>(fileExtra);
    for (String backend : backendNames(settings.get(ENABLED_BACKENDS))) {
      for (String option : BACKEND_OPTIONS) {
        String envName = ("GLINT_" + backend + "_" + option).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        if (envMap.get(envName) != null) {
          extra.computeIfAbsent(backend, k -> new LinkedHashMap<>())
              .put(option, new Setting(envMap.get(envName), "environment variable " + envName));
        }
      }
    }
    flagExtra.forEach((section, values) -> extra.computeIfAbsent(section, k -> new LinkedHashMap<>()).putAll(values));
    return build(settings, read, errors, warnings, extra, fileExtra.keySet());
  }

  /**
   * A configuration from defaults and {@code settings} only (no file, environment or flags): for
   * tests and embedding. Keys are {@code name} for {@code [DEFAULT]} options, {@code section.name}
   * otherwise; a null value means the default.
   *
   * @throws ConfigException an unknown key or an invalid value
   */
  public static GlintConfig of(Map<String, String> settings) {
    List<String> errors = new ArrayList<>();
    Map<ConfigOption<?>, Setting> all = defaultSettings();
    Map<String, Map<String, Setting>> extra = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      ConfigOption<?> o = lookupKey(key);
      int dot = key.indexOf('.');
      if (o == null && dot > 0 && value != null && !Options.sections().contains(key.substring(0, dot))) {
        extra.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>())
            .put(key.substring(dot + 1), new Setting(value, "setting '" + key + "'"));
      } else if (o == null) {
        errors.add("Unknown option '" + key + "'" + suggest(key, false));
      } else if (value == null) {
        all.put(o, new Setting(o.defaultValue(), DEFAULT_SOURCE));
      } else {
        all.put(o, new Setting(value, "setting '" + key + "'"));
      }
    });
    return build(all, List.of(), errors, new ArrayList<>(), extra, java.util.Set.of());
  }

  /** All defaults. */
  public static GlintConfig defaults() {
    return of(Map.of());
  }

  /** Whether {@code args} asks for help ({@code --help} or {@code -h}). */
  public static boolean helpRequested(List<String> args) {
    return args != null && (args.contains("--help") || args.contains("-h"));
  }

  /** Help text: how configuration is read, then every option with section, flag, env, default, help. */
  public static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: glint [--config-file PATH] [--help] [--OPTION=VALUE | --SECTION.OPTION=VALUE ...]\n\n")
        .append("Configuration uses the layout and option names of glance-api.conf. Sources, lowest precedence first:\n")
        .append("  1. built-in defaults (shown below)\n")
        .append("  2. the config file: --config-file PATH, else $").append(CONFIG_FILE_ENV)
        .append(", else ").append(DEFAULT_CONFIG_FILE).append(" if it exists\n")
        .append("  3. environment: GLINT_<OPTION> for [DEFAULT] options, GLINT_<SECTION>_<OPTION> otherwise\n")
        .append("     (upper case, every character that is not a letter or digit becomes '_')\n")
        .append("  4. flags: --OPTION=VALUE or --OPTION VALUE for [DEFAULT], --SECTION.OPTION=VALUE otherwise;\n")
        .append("     booleans may be given bare (--debug) or negated (--nodebug)\n");
    String section = null;
    for (ConfigOption<?> o : Options.all()) {
      if (!o.section().equals(section)) {
        section = o.section();
        sb.append("\n[").append(section).append("]\n");
      }
      sb.append("  ").append(o.flag()).append('=').append(o.type().metavar())
          .append("    env ").append(o.envName())
          .append(", default: ").append(o.defaultValue() == null ? "(unset)" : "'" + o.defaultValue() + "'")
          .append('\n')
          .append("      ").append(o.help()).append(" Allowed: ").append(o.type().describe()).append(".\n");
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------- generic access

  /** The parsed value of any known option (null for an unset nullable option). */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigOption<T> option) {
    if (!settings.containsKey(option)) {
      throw new IllegalArgumentException("Unknown option " + option);
    }
    return (T) values.get(option);
  }

  /**
   * The effective raw string value of {@code [section] name} (or null when unset), as given.
   *
   * @throws IllegalArgumentException not a known option
   */
  public String raw(String section, String name) {
    return setting(section, name).raw();
  }

  /**
   * Where the effective value of {@code [section] name} came from: "default", "FILE:LINE",
   * "environment variable GLINT_…", "command-line flag --…" or "setting '…'".
   */
  public String source(String section, String name) {
    return setting(section, name).source();
  }

  /**
   * Every option's effective raw value by {@link ConfigOption#key()} (registry order; null when
   * unset), for logging: secrets and database passwords are masked.
   */
  public Map<String, String> effective() {
    Map<String, String> m = new LinkedHashMap<>();
    settings.forEach((o, s) -> m.put(o.key(), o.display(s.raw())));
    return Collections.unmodifiableMap(m);
  }

  /** The config files that were read, in order (empty if none). */
  public List<Path> configFiles() {
    return configFiles;
  }

  /** Warnings logged while loading (unknown options, sections, environment variables). */
  public List<String> warnings() {
    return warnings;
  }

  // ------------------------------------------------------------------------------- [DEFAULT]

  /** Address to listen on ([DEFAULT] bind_host). */
  public String bindHost() {
    return get(BIND_HOST);
  }

  /** Port to listen on, 0 for any free port ([DEFAULT] bind_port). */
  public int bindPort() {
    return get(BIND_PORT);
  }

  /** Number of event-loop workers, ≥ 1; [DEFAULT] workers = 0 resolves to the number of CPU cores. */
  public int workers() {
    return workers;
  }

  /** Root of the embedded database and default file store (Glint's [DEFAULT] data_dir). */
  public Path dataDir() {
    return get(DATA_DIR);
  }

  /** Public base URL of the API, if configured ([DEFAULT] public_endpoint). */
  public Optional<String> publicEndpoint() {
    return Optional.ofNullable(get(PUBLIC_ENDPOINT));
  }

  /** Maximum image size in bytes ([DEFAULT] image_size_cap). */
  public long imageSizeCap() {
    return get(IMAGE_SIZE_CAP);
  }

  /** Per-project storage quota in bytes, 0 = unlimited ([DEFAULT] user_storage_quota, units parsed). */
  public long userStorageQuota() {
    return get(USER_STORAGE_QUOTA);
  }

  /** Default page size of list requests ([DEFAULT] limit_param_default). */
  public int limitParamDefault() {
    return get(LIMIT_PARAM_DEFAULT);
  }

  /** Maximum page size of list requests ([DEFAULT] api_limit_max). */
  public int apiLimitMax() {
    return get(API_LIMIT_MAX);
  }

  /** Maximum members per image, -1 = unlimited ([DEFAULT] image_member_quota). */
  public int imageMemberQuota() {
    return get(IMAGE_MEMBER_QUOTA);
  }

  /** Maximum extra properties per image, -1 = unlimited ([DEFAULT] image_property_quota). */
  public int imagePropertyQuota() {
    return get(IMAGE_PROPERTY_QUOTA);
  }

  /** Maximum tags per image, -1 = unlimited ([DEFAULT] image_tag_quota). */
  public int imageTagQuota() {
    return get(IMAGE_TAG_QUOTA);
  }

  /** Maximum locations per image, -1 = unlimited ([DEFAULT] image_location_quota). */
  public int imageLocationQuota() {
    return get(IMAGE_LOCATION_QUOTA);
  }

  /** Whether image responses include direct_url ([DEFAULT] show_image_direct_url). */
  public boolean showImageDirectUrl() {
    return get(SHOW_IMAGE_DIRECT_URL);
  }

  /** Whether image responses include locations ([DEFAULT] show_multiple_locations). */
  public boolean showMultipleLocations() {
    return get(SHOW_MULTIPLE_LOCATIONS);
  }

  /** Glance name of the os_hash_algo, e.g. "sha512" ([DEFAULT] hashing_algorithm, lower case). */
  public String hashingAlgorithm() {
    return get(HASHING_ALGORITHM);
  }

  /** {@link #hashingAlgorithm()} as a java.security.MessageDigest name, e.g. "SHA-512", "SHA3-256". */
  public String hashingAlgorithmJcaName() {
    String h = hashingAlgorithm();
    if (h.equals("md5")) {
      return "MD5";
    }
    if (h.startsWith("sha3_")) {
      return "SHA3-" + h.substring(5);
    }
    return "SHA-" + h.substring(3);
  }

  /** Whether anonymous users may read public images ([DEFAULT] allow_anonymous_access). */
  public boolean allowAnonymousAccess() {
    return get(ALLOW_ANONYMOUS_ACCESS);
  }

  /** Maximum accepted request-id length ([DEFAULT] max_request_id_length). */
  public int maxRequestIdLength() {
    return get(MAX_REQUEST_ID_LENGTH);
  }

  /** Largest JSON request body ([oslo_middleware] max_request_body_size). */
  public long maxRequestBodySize() {
    return get(MAX_REQUEST_BODY_SIZE);
  }

  /** Most bytes all JSON bodies being received may hold together ([DEFAULT] max_request_body_memory). */
  public long maxRequestBodyMemory() {
    return get(MAX_REQUEST_BODY_MEMORY);
  }

  /** Maximum HTTP header line length in bytes ([DEFAULT] max_header_line). */
  public int maxHeaderLine() {
    return get(MAX_HEADER_LINE);
  }

  /** Enabled interoperable-import methods ([DEFAULT] enabled_import_methods). */
  public List<String> enabledImportMethods() {
    return get(ENABLED_IMPORT_METHODS);
  }

  /** Whether deletes leave data for the scrubber ([DEFAULT] delayed_delete). */
  public boolean delayedDelete() {
    return get(DELAYED_DELETE);
  }

  /** Seconds before pending_delete data is scrubbed ([DEFAULT] scrub_time). */
  public int scrubTime() {
    return get(SCRUB_TIME);
  }

  /** Seconds between scrubber runs (glance-scrubber's wakeup_time). */
  public int wakeupTime() {
    return get(WAKEUP_TIME);
  }

  /** Whether identity headers are trusted from non-loopback peers (Glint's [DEFAULT] trusted_header_any_host). */
  public boolean trustedHeaderAnyHost() {
    return get(TRUSTED_HEADER_ANY_HOST);
  }

  /**
   * Effective log level, upper case: [DEFAULT] log_level, raised to "DEBUG" when [DEFAULT] debug is
   * true (a configured "TRACE" stays "TRACE").
   */
  public String logLevel() {
    String level = get(LOG_LEVEL);
    return debug() && !level.equals("TRACE") ? "DEBUG" : level;
  }

  /** Glance's [DEFAULT] debug flag. */
  public boolean debug() {
    return get(DEBUG);
  }

  // ------------------------------------------------------------------------------ [database]

  /**
   * PostgreSQL URI {@code postgresql://user:pass@host:port/db}, normalised from [database]
   * connection; empty when unset (use the embedded database).
   */
  public Optional<String> databaseConnection() {
    return Optional.ofNullable(get(DATABASE_CONNECTION));
  }

  /** Maximum database connections ([database] max_pool_size). */
  public int databaseMaxPoolSize() {
    return get(DATABASE_MAX_POOL_SIZE);
  }

  // -------------------------------------------------------------------------- [glance_store]

  /** Enabled store backends ([glance_store] stores). */
  public List<String> stores() {
    return get(STORES);
  }

  /** Store that new image data goes to ([glance_store] default_store). */
  public String defaultStore() {
    return get(DEFAULT_STORE);
  }

  /** File-store directory: [glance_store] filesystem_store_datadir, else {@code dataDir()/images}. */
  public Path filesystemStoreDatadir() {
    Path p = get(FILESYSTEM_STORE_DATADIR);
    return p != null ? p : dataDir().resolve("images");
  }

  /** Whether the file store fsyncs data before the image becomes active (Glint's [glance_store] filesystem_store_fsync). */
  public boolean filesystemStoreFsync() {
    return get(FILESYSTEM_STORE_FSYNC);
  }

  /** Seconds an HTTP-store origin may stay silent before a download fails ([glance_store] http_store_idle_timeout). */
  public int httpStoreIdleTimeout() {
    return get(HTTP_STORE_IDLE_TIMEOUT);
  }

  /** Whether HTTP-store downloads may be spliced socket to socket (Glint's [glance_store] http_store_splice). */
  public boolean httpStoreSplice() {
    return get(HTTP_STORE_SPLICE);
  }

  // -------------------------------------------------------------------------- [image_format]

  /** Allowed container_format values ([image_format] container_formats). */
  public List<String> containerFormats() {
    return get(CONTAINER_FORMATS);
  }

  /** Allowed disk_format values ([image_format] disk_formats). */
  public List<String> diskFormats() {
    return get(DISK_FORMATS);
  }

  // -------------------------------------------------------------------------- [paste_deploy]

  /** Request pipeline flavor ([paste_deploy] flavor): "keystone", "keystone+caching", …, "" or "noauth". */
  public String pasteFlavor() {
    return get(PASTE_FLAVOR);
  }

  /** True when [paste_deploy] flavor is "" or "noauth": no authentication, every request is admin. */
  public boolean unauthenticated() {
    String f = pasteFlavor();
    return f.isEmpty() || f.equals("noauth");
  }

  // ---------------------------------------------------------------------------------------------

  // ------------------------------------------------------------------------------ multiple stores

  /** One store of {@code enabled_backends}: its name, type (file, http) and section settings. */
  public record Backend(String name, String type, Map<String, String> settings) {}

  /**
   * The stores of Glance's {@code [DEFAULT] enabled_backends = name:type, ...} with their {@code [name]} sections,
   * in order; empty when multiple stores are not configured (single-store mode).
   */
  public List<Backend> enabledBackends() {
    List<Backend> out = new ArrayList<>();
    for (String item : get(ENABLED_BACKENDS)) {
      int colon = item.indexOf(':');
      String name = item.substring(0, colon).strip();
      String type = item.substring(colon + 1).strip();
      out.add(new Backend(name, type, backendSections.getOrDefault(name, Map.of())));
    }
    return out;
  }

  /** The store new data goes to in multi-store mode ({@code [glance_store] default_backend}). */
  public String defaultBackend() {
    String d = get(DEFAULT_BACKEND);
    List<Backend> backends = enabledBackends();
    return d != null ? d : backends.isEmpty() ? null : backends.get(0).name();
  }

  // ------------------------------------------------------------------------ [import_filtering_opts]

  /** Glance's [import_filtering_opts] allowed_schemes. */
  public List<String> allowedSchemes() {
    return get(ALLOWED_SCHEMES);
  }

  public List<String> disallowedSchemes() {
    return get(DISALLOWED_SCHEMES);
  }

  public List<String> allowedHosts() {
    return get(ALLOWED_HOSTS);
  }

  public List<String> disallowedHosts() {
    return get(DISALLOWED_HOSTS);
  }

  public List<String> allowedPorts() {
    return get(ALLOWED_PORTS);
  }

  public List<String> disallowedPorts() {
    return get(DISALLOWED_PORTS);
  }

  /** Config files read, then every non-default value with its source (passwords masked). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GlintConfig{files=").append(configFiles);
    List<String> changed = new ArrayList<>();
    settings.forEach((o, s) -> {
      if (!s.source().equals(DEFAULT_SOURCE)) {
        changed.add(o.key() + "=" + o.display(s.raw()) + " (" + s.source() + ")");
      }
    });
    sb.append(changed.isEmpty() ? ", all defaults" : ", " + String.join(", ", changed));
    return sb.append('}').toString();
  }

  // ------------------------------------------------------------------------------- internals

  private Setting setting(String section, String name) {
    ConfigOption<?> o = Options.find(section, name)
        .orElseThrow(() -> new IllegalArgumentException("Unknown option [" + section + "] " + name));
    return settings.get(o);
  }

  private static Map<ConfigOption<?>, Setting> defaultSettings() {
    Map<ConfigOption<?>, Setting> m = new LinkedHashMap<>();
    for (ConfigOption<?> o : Options.all()) {
      m.put(o, new Setting(o.defaultValue(), DEFAULT_SOURCE));
    }
    return m;
  }

  private static GlintConfig build(Map<ConfigOption<?>, Setting> settings, List<Path> files,
      List<String> errors, List<String> warnings, Map<String, Map<String, Setting>> extra,
      java.util.Set<String> fileSections) {
    List<String> backends = backendNames(settings.get(ENABLED_BACKENDS));
    Map<String, Map<String, String>> backendSections = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Setting>> section : extra.entrySet()) {
      String name = section.getKey();
      if (!backends.contains(name)) {
        if (fileSections.contains(name) && section.getValue().values().stream()
            .allMatch(v -> !v.source().startsWith("command-line") && !v.source().startsWith("setting"))) {
          String hint = Options.sections().stream().filter(k -> k.equalsIgnoreCase(name)).findFirst()
              .map(k -> " (section names are case-sensitive: did you mean [" + k + "]?)").orElse("");
          String where = section.getValue().values().iterator().next().source().replaceAll(":\\d+$", "");
          warn(warnings, "Ignoring unknown section [" + name + "] in " + where + " with options "
              + section.getValue().keySet() + hint);
        } else {
          section.getValue().forEach((k, v) -> errors.add("Unknown option " + name + "." + k + " (from " + v.source()
              + "): [" + name + "] is not a store named in enabled_backends"));
        }
        continue;
      }
      Map<String, String> values = new LinkedHashMap<>();
      section.getValue().forEach((k, v) -> {
        if (BACKEND_OPTIONS.contains(k)) {
          values.put(k, v.raw());
        } else {
          warn(warnings, "Ignoring option '" + k + "' of store [" + name + "] (from " + v.source()
              + "): Glint's store sections know " + new java.util.TreeSet<>(BACKEND_OPTIONS));
        }
      });
      backendSections.put(name, Collections.unmodifiableMap(values));
    }
    Map<ConfigOption<?>, Object> values = new HashMap<>();
    for (Map.Entry<ConfigOption<?>, Setting> e : settings.entrySet()) {
      ConfigOption<?> o = e.getKey();
      Setting s = e.getValue();
      try {
        values.put(o, o.parse(s.raw()));
      } catch (IllegalArgumentException ex) {
        errors.add("Invalid value " + quote(o.display(s.raw())) + " for option " + o.key()
            + " in [" + o.section() + "] (from " + s.source() + "): " + ex.getMessage());
      }
    }
    if (values.containsKey(STORES) && values.containsKey(DEFAULT_STORE)) {
      @SuppressWarnings("unchecked")
      List<String> stores = (List<String>) values.get(STORES);
      String dflt = (String) values.get(DEFAULT_STORE);
      if (stores.stream().noneMatch(st -> storeScheme(st).equals(storeScheme(dflt)))) {
        errors.add("Option " + DEFAULT_STORE.key() + " is '" + dflt + "' (from " + settings.get(DEFAULT_STORE).source()
            + "), which is not one of " + STORES.key() + " " + stores + " (from " + settings.get(STORES).source() + ")");
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    GlintConfig config = new GlintConfig(settings, values, files, warnings);
    config.backendSections = Collections.unmodifiableMap(backendSections);
    return config;
  }

  /** The store names of an {@code enabled_backends} setting ({@code name:type, ...}). */
  private static List<String> backendNames(Setting setting) {
    List<String> names = new ArrayList<>();
    if (setting == null || setting.raw() == null) {
      return names;
    }
    for (String item : setting.raw().split(",")) {
      int colon = item.indexOf(':');
      String name = (colon < 0 ? item : item.substring(0, colon)).strip();
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  /** glance_store accepts aliases for the same backend. */
  private static String storeScheme(String store) {
    String s = store.toLowerCase(Locale.ROOT);
    return switch (s) {
      case "filesystem" -> "file";
      case "https" -> "http";
      default -> s;
    };
  }

  private static void applyFile(IniFile ini, Map<ConfigOption<?>, Setting> settings, List<String> warnings,
      Map<String, Map<String, Setting>> extra) {
    for (String section : ini.sections()) {
      Map<String, IniFile.Entry> entries = ini.section(section);
      if (!Options.sections().contains(section) && !entries.isEmpty() && !Options.DEFERRED_SECTIONS.contains(section)) {
        // Perhaps a store section named in enabled_backends: decided once every source is read.
        Map<String, Setting> values = extra.computeIfAbsent(section, k -> new LinkedHashMap<>());
        entries.values().forEach(e -> values.put(e.key(), new Setting(e.value(), e.location())));
        continue;
      }
      if (!Options.sections().contains(section)) {
        if (entries.isEmpty()) {
          LOG.debug("{}: ignoring empty section [{}]", ini.source(), section);
        } else if (Options.DEFERRED_SECTIONS.contains(section)) {
          LOG.debug("{}: section [{}] is not used by Glint yet; ignoring its options {}", ini.source(), section, entries.keySet());
        } else {
          String hint = Options.sections().stream().filter(k -> k.equalsIgnoreCase(section)).findFirst()
              .map(k -> " (section names are case-sensitive: did you mean [" + k + "]?)").orElse("");
          warn(warnings, "Ignoring unknown section [" + section + "] in " + ini.source() + " with options "
              + entries.keySet() + hint);
        }
        continue;
      }
      for (IniFile.Entry e : entries.values()) {
        Optional<ConfigOption<?>> o = Options.find(section, e.key());
        if (o.isPresent()) {
          settings.put(o.get(), new Setting(e.value(), e.location()));
        } else {
          String key = IniFile.DEFAULT_SECTION.equals(section) ? e.key() : section + "." + e.key();
          warn(warnings, "Ignoring unknown option '" + e.key() + "' in section [" + section + "] of "
              + e.location() + suggest(key, false));
        }
      }
    }
  }

  private static Map<ConfigOption<?>, Setting> parseArgs(List<String> args, List<String> files, List<String> errors,
      Map<String, Map<String, Setting>> extra) {
    Map<ConfigOption<?>, Setting> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        continue;
      }
      if (!arg.startsWith("--") || arg.length() == 2) {
        errors.add("Unexpected command-line argument '" + arg + "': options are given as --name=value (see --help)");
        continue;
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? null : body.substring(eq + 1);
      String key = name.replace('-', '_');
      boolean hasNext = i + 1 < args.size() && !args.get(i + 1).startsWith("--");

      if (key.equals("config_file")) {
        if (value == null && hasNext) {
          value = args.get(++i);
        }
        if (value == null || value.isBlank()) {
          errors.add("Command-line flag " + CONFIG_FILE_FLAG + " needs a file path");
        } else {
          files.add(value.strip());
        }
        continue;
      }

      ConfigOption<?> option = lookupKey(key);
      if (option == null && value == null) {
        // oslo-style negated boolean: --nodebug, --section.nofoo
        int dot = key.indexOf('.');
        String opt = dot < 0 ? key : key.substring(dot + 1);
        if (opt.startsWith("no")) {
          ConfigOption<?> positive = lookupKey(dot < 0 ? opt.substring(2) : key.substring(0, dot + 1) + opt.substring(2));
          if (positive != null && positive.type().isBoolean()) {
            flags.put(positive, new Setting("false", "command-line flag --" + name));
            continue;
          }
        }
      }
      if (option == null && key.indexOf('.') > 0 && value != null
          && !Options.sections().contains(key.substring(0, key.indexOf('.')))) {
        // Perhaps a store section option (--fast.filesystem_store_datadir=...), checked once backends are known.
        extra.computeIfAbsent(key.substring(0, key.indexOf('.')), k -> new LinkedHashMap<>())
            .put(key.substring(key.indexOf('.') + 1), new Setting(value, "command-line flag --" + name));
        continue;
      }
      if (option == null) {
        errors.add("Unknown command-line flag --" + name + suggest(key, false) + " (see --help)");
        continue;
      }
      if (value == null) {
        if (option.type().isBoolean()) {
          value = hasNext && !args.get(i + 1).startsWith("-") ? args.get(++i) : "true";
        } else if (hasNext) {
          value = args.get(++i);
        } else {
          errors.add("Command-line flag --" + name + " needs a value (" + option.type().describe() + ")");
          continue;
        }
      }
      flags.put(option, new Setting(value, "command-line flag --" + name));
    }
    return flags;
  }

  /** {@code name} → [DEFAULT] name; {@code section.name} → [section] name; null if unknown. */
  private static ConfigOption<?> lookupKey(String key) {
    int dot = key.indexOf('.');
    String section = dot < 0 ? IniFile.DEFAULT_SECTION : key.substring(0, dot);
    String name = dot < 0 ? key : key.substring(dot + 1);
    return Options.find(section, name).orElse(null);
  }

  /** " (did you mean X?)" for the closest known option key or env name, or "". */
  private static String suggest(String given, boolean env) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String givenName = env ? given : given.substring(given.indexOf('.') + 1);
    for (ConfigOption<?> o : Options.all()) {
      String candidate = env ? o.envName() : o.key();
      int d = env ? distance(given, candidate) : Math.min(distance(given, candidate), distance(givenName, o.name()));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    if (best == null || bestDistance > Math.max(2, given.length() / 4)) {
      return "";
    }
    return " (did you mean " + (env ? best : "'" + best + "' / --" + best) + "?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String quote(String s) {
    return s == null ? "(unset)" : "'" + s + "'";
  }

  private static void warn(List<String> warnings, String message) {
    LOG.warn(message);
    warnings.add(message);
  }
}
