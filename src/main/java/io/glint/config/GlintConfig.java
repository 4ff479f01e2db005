package io.glint.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Glint's configuration: immutable, validated, typed. Options, sections and names are those of glance-api.conf
 * (see {@link Options}); a store's section has the options its type declares (see {@link BackendType}).
 *
 * <p>Any option is read with {@link #get(ConfigOption)}; each feature reads its own settings record ({@link
 * #server()}, {@link #database()}, {@link #stores()}, …), built here once from the loaded values.
 *
 * <p>Precedence, lowest first: built-in defaults &lt; config file &lt; environment ({@code GLINT_*}) &lt;
 * command-line flags. See {@link #load(List, Map)} and {@link #usage()}.
 */
public final class GlintConfig {

  /** Environment variable naming the config file when no {@code --config-file} flag is given. */
  public static final String CONFIG_FILE_ENV = "GLINT_CONFIG_FILE";
  /** Flag naming the config file (oslo.config's name); may be repeated, later files win. */
  public static final String CONFIG_FILE_FLAG = "--config-file";
  /** Config file read, relative to the working directory, when none is named and it exists. */
  public static final Path DEFAULT_CONFIG_FILE = Path.of("conf", "glint.conf");

  private final Map<ConfigOption<?>, Setting> settings;
  private final Map<ConfigOption<?>, Object> values;
  private final List<Path> configFiles;
  private final List<String> warnings;
  private final ServerSettings server;
  private final DatabaseSettings database;
  private final StoreSettings stores;
  private final ImageSettings images;
  private final QuotaSettings quotas;
  private final AuthSettings auth;
  private final LogSettings logging;
  private final ScrubberSettings scrubber;
  private final ImageCacheSettings imageCache;
  private final ImportFilteringSettings importFiltering;
  private final ImportSettings imports;
  private final NotificationSettings notifications;

  /**
   * @param settings every option's raw value and source: the registry's, then each store section's
   * @param values the parsed values of {@code settings}
   * @throws ConfigException a settings record found values that do not fit together
   */
  GlintConfig(Map<ConfigOption<?>, Setting> settings, Map<ConfigOption<?>, Object> values, List<Path> configFiles,
      List<String> warnings) {
    this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    this.values = Collections.unmodifiableMap(new HashMap<>(values));
    this.configFiles = List.copyOf(configFiles);
    this.warnings = List.copyOf(warnings);
    this.server = ServerSettings.from(this);
    this.database = DatabaseSettings.from(this);
    this.stores = StoreSettings.from(this);
    this.images = ImageSettings.from(this);
    this.quotas = QuotaSettings.from(this);
    this.auth = AuthSettings.from(this);
    this.logging = LogSettings.from(this);
    this.scrubber = ScrubberSettings.from(this);
    this.imageCache = ImageCacheSettings.from(this);
    this.importFiltering = ImportFilteringSettings.from(this);
    this.imports = ImportSettings.from(this);
    this.notifications = NotificationSettings.from(this);
  }

  // ------------------------------------------------------------------------------------ factories

  /**
   * Loads the configuration relative to the current working directory; see {@link #load(List, Map, Path)}.
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
   *   <li>Environment: {@link ConfigOption#envName()} of each option, {@code GLINT_<STORE>_<OPTION>} for a
   *       store's section; other {@code GLINT_*} variables are logged as warnings.
   *   <li>Flags: {@code --name=value}, {@code --name value}, {@code --section.name=value}; bare
   *       {@code --flag} / {@code --noflag} for booleans. {@code --help}/{@code -h} are skipped
   *       (the caller handles them, see {@link #helpRequested}); anything else unknown is an error.
   * </ul>
   *
   * @param workingDir directory relative config file paths are resolved against
   * @throws ConfigException listing every problem found
   */
  public static GlintConfig load(List<String> args, Map<String, String> env, Path workingDir) {
    return ConfigLoader.load(args == null ? List.of() : args, env == null ? Map.of() : env, workingDir);
  }

  /**
   * A configuration from defaults and {@code settings} only (no file, environment or flags): for
   * tests and embedding. Keys are {@code name} for {@code [DEFAULT]} options, {@code section.name}
   * otherwise (a store's section too); a null value means the default.
   *
   * @throws ConfigException an unknown key or an invalid value
   */
  public static GlintConfig of(Map<String, String> settings) {
    return ConfigLoader.of(settings);
  }

  /** All defaults. */
  public static GlintConfig defaults() {
    return of(Map.of());
  }

  /** Whether {@code args} asks for help ({@code --help} or {@code -h}). */
  public static boolean helpRequested(List<String> args) {
    return Flags.helpRequested(args);
  }

  /**
   * Help text: how configuration is read, then every option with section, flag, env, default, help, and the
   * options of each store type's sections.
   */
  public static String usage() {
    return Usage.text();
  }

  // ---------------------------------------------------------------------------- generic access

  /**
   * The parsed value of any known option (null for an unset nullable option), a store section's too ({@link
   * StoreSettings#enabledBackends()} gives those by store).
   */
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
   * Every option's effective raw value by {@link ConfigOption#key()} (registry order, then the stores'
   * sections; null when unset), for logging: secrets and database passwords are masked.
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

  // --------------------------------------------------------------------------- feature settings

  /** Root of the embedded database, the node id and the default file store (Glint's [DEFAULT] data_dir). */
  public Path dataDir() {
    return get(Options.DATA_DIR);
  }

  /** The API server: listening, workers, request limits. */
  public ServerSettings server() {
    return server;
  }

  /** The metadata database. */
  public DatabaseSettings database() {
    return database;
  }

  /** The stores: [glance_store], or enabled_backends and their sections. */
  public StoreSettings stores() {
    return stores;
  }

  /** Image formats, hashing, list paging, import methods. */
  public ImageSettings images() {
    return images;
  }

  /** Image size cap, storage quota, per-image quotas. */
  public QuotaSettings quotas() {
    return quotas;
  }

  /** Authentication. */
  public AuthSettings auth() {
    return auth;
  }

  /** Logging. */
  public LogSettings logging() {
    return logging;
  }

  /** The node-local image cache ({@code image_cache_dir} and its options). */
  public ImageCacheSettings imageCache() {
    return imageCache;
  }

  /** Delayed delete and the scrubber. */
  public ScrubberSettings scrubber() {
    return scrubber;
  }

  /** Which URLs Glint may fetch from. */
  public ImportFilteringSettings importFiltering() {
    return importFiltering;
  }

  /** Interoperable import: staging, methods, plugins, tasks, per-project limits. */
  public ImportSettings imports() {
    return imports;
  }

  /** Config files read, then every non-default value with its source (passwords masked). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GlintConfig{files=").append(configFiles);
    List<String> changed = new ArrayList<>();
    settings.forEach((o, s) -> {
      if (!s.isDefault()) {
        changed.add(o.key() + "=" + o.display(s.raw()) + " (" + s.source() + ")");
      }
    });
    sb.append(changed.isEmpty() ? ", all defaults" : ", " + String.join(", ", changed));
    return sb.append('}').toString();
  }

  private Setting setting(String section, String name) {
    return settings.entrySet().stream()
        .filter(e -> e.getKey().section().equals(section) && e.getKey().name().equals(name))
        .map(Map.Entry::getValue).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Unknown option [" + section + "] " + name));
  }

  /** Notifications: drivers, broker, topics, which events are disabled. */
  public NotificationSettings notifications() {
    return notifications;
  }
}
