package io.glint.config;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class GlintConfigTest {

  @TempDir
  Path dir;

  private ListAppender<ILoggingEvent> logs;
  private Logger logger;
  private Level previousLevel;

  @BeforeEach
  void captureLogs() {
    logger = (Logger) LoggerFactory.getLogger(GlintConfig.class);
    previousLevel = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
    logger.setLevel(previousLevel);
  }

  private List<String> logged(Level level) {
    return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
        .collect(Collectors.toList());
  }

  /** Loads with dir as working directory (so the repository's conf/glint.conf is not picked up). */
  private GlintConfig load(List<String> args, Map<String, String> env) {
    return GlintConfig.load(args, env, dir);
  }

  private Path write(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    return f;
  }

  // ------------------------------------------------------------------------------------ defaults

  @Test
  void defaults() {
    GlintConfig c = load(List.of(), Map.of());
    assertEquals("0.0.0.0", c.server().bindHost());
    assertEquals(9292, c.server().bindPort());
    assertEquals(Path.of("./data"), c.dataDir());
    assertEquals(Optional.empty(), c.server().publicEndpoint());
    assertEquals(1099511627776L, c.quotas().imageSizeCap());
    assertEquals(0L, c.quotas().userStorageQuota());
    assertEquals(25, c.images().limitParamDefault());
    assertEquals(1000, c.images().apiLimitMax());
    assertEquals(128, c.quotas().imageMemberQuota());
    assertEquals(128, c.quotas().imagePropertyQuota());
    assertEquals(128, c.quotas().imageTagQuota());
    assertEquals(10, c.quotas().imageLocationQuota());
    assertFalse(c.images().showImageDirectUrl());
    assertFalse(c.images().showMultipleLocations());
    assertEquals("sha512", c.images().hashingAlgorithm());
    assertEquals("SHA-512", c.images().hashingAlgorithmJcaName());
    assertFalse(c.auth().allowAnonymousAccess());
    assertEquals(64, c.server().maxRequestIdLength());
    assertEquals(16384, c.server().maxHeaderLine());
    assertEquals(List.of("glance-direct", "web-download", "copy-image"), c.images().enabledImportMethods());
    assertFalse(c.scrubber().delayedDelete());
    assertEquals(0, c.scrubber().scrubTime());
    assertFalse(c.auth().trustedHeaderAnyHost());
    assertEquals("INFO", c.logging().logLevel());
    assertFalse(c.logging().debug());
    assertEquals(Optional.empty(), c.database().connection());
    assertEquals(16, c.database().maxPoolSize());
    assertEquals(List.of("file", "http"), c.stores().stores());
    assertEquals("file", c.stores().defaultStore());
    assertEquals(Path.of("./data", "images"), c.stores().filesystemStoreDatadir());
    assertEquals(List.of("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"), c.images().containerFormats());
    assertEquals(List.of("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"), c.images().diskFormats());
    assertEquals("keystone", c.auth().pasteFlavor());
    assertFalse(c.auth().unauthenticated());
    assertEquals(List.of(), c.configFiles());
    assertEquals(List.of(), c.warnings());
    assertEquals("default", c.source("DEFAULT", "bind_port"));
    assertEquals("9292", c.raw("DEFAULT", "bind_port"));
    assertNull(c.raw("database", "connection"));
    assertTrue(c.toString().contains("all defaults"), c.toString());
  }

  @Test
  void workersDefaultResolvesToCores() {
    assertEquals(Runtime.getRuntime().availableProcessors(), GlintConfig.defaults().server().workers());
    assertEquals(3, GlintConfig.of(Map.of("workers", "3")).server().workers());
    assertEquals("0", GlintConfig.defaults().raw("DEFAULT", "workers"));
  }

  @Test
  void everyOptionHasAValidDefaultAndUniqueNames() {
    GlintConfig c = GlintConfig.defaults();
    assertEquals(Options.all().size(), c.effective().size());
    for (ConfigOption<?> o : Options.all()) {
      assertEquals(o.defaultValue(), c.raw(o.section(), o.name()), o.toString());
      assertFalse(o.help().isBlank(), o.toString());
    }
    assertEquals(Options.all().size(), Options.all().stream().map(ConfigOption::envName).distinct().count());
  }

  // --------------------------------------------------------------------------------------- file

  @Test
  void configFileFromFlagOverridesDefaults() throws Exception {
    Path f = write("etc/glance-api.conf", String.join("\n",
        "[DEFAULT]",
        "bind_port = 9393",
        "show_image_direct_url = yes",
        "user_storage_quota = 10GB",
        "enabled_import_methods = glance-direct,",
        "   web-download",
        "[database]",
        "connection = postgresql+psycopg2://glance:s3cret@db.example.com:5432/glance",
        "[glance_store]",
        "filesystem_store_datadir = /srv/glance/images",
        "[paste_deploy]",
        "flavor =",
        ""));
    GlintConfig c = load(List.of("--config-file", f.toString()), Map.of());
    assertEquals(9393, c.server().bindPort());
    assertTrue(c.images().showImageDirectUrl());
    assertEquals(10737418240L, c.quotas().userStorageQuota());
    assertEquals(List.of("glance-direct", "web-download"), c.images().enabledImportMethods());
    assertEquals(Optional.of("postgresql://glance:s3cret@db.example.com:5432/glance"), c.database().connection());
    assertEquals(Path.of("/srv/glance/images"), c.stores().filesystemStoreDatadir());
    assertEquals("", c.auth().pasteFlavor());
    assertTrue(c.auth().unauthenticated());
    assertEquals(List.of(f), c.configFiles());
    assertEquals(f + ":2", c.source("DEFAULT", "bind_port"));
    assertEquals("postgresql+psycopg2://glance:s3cret@db.example.com:5432/glance", c.raw("database", "connection"));
  }

  @Test
  void configFileEqualsFormRelativeToWorkingDirAndRepeatable() throws Exception {
    write("a.conf", "[DEFAULT]\nbind_port = 1\nworkers = 2\n");
    write("b.conf", "[DEFAULT]\nbind_port = 3\n");
    GlintConfig c = load(List.of("--config-file=a.conf", "--config-file=b.conf"), Map.of());
    assertEquals(3, c.server().bindPort(), "later file wins");
    assertEquals(2, c.server().workers());
    assertEquals(2, c.configFiles().size());
  }

  @Test
  void configFileFromEnvironment() throws Exception {
    Path f = write("env.conf", "[DEFAULT]\nbind_port = 7000\n");
    assertEquals(7000, load(List.of(), Map.of("GLINT_CONFIG_FILE", f.toString())).server().bindPort());
    assertEquals(List.of(), logged(Level.WARN), "GLINT_CONFIG_FILE is not an unknown option");
  }

  @Test
  void flagFileBeatsEnvironmentFile() throws Exception {
    Path a = write("a.conf", "[DEFAULT]\nbind_port = 1\n");
    Path b = write("b.conf", "[DEFAULT]\nbind_port = 2\n");
    assertEquals(2, load(List.of("--config-file", b.toString()), Map.of("GLINT_CONFIG_FILE", a.toString())).server().bindPort());
  }

  @Test
  void defaultConfigFileUsedWhenPresent() throws Exception {
    assertEquals(List.of(), load(List.of(), Map.of()).configFiles());
    write("conf/glint.conf", "[DEFAULT]\nbind_port = 8080\n");
    GlintConfig c = load(List.of(), Map.of());
    assertEquals(8080, c.server().bindPort());
    assertEquals(List.of(dir.resolve("conf/glint.conf")), c.configFiles());
  }

  @Test
  void namedFileMissingIsAnError() {
    ConfigException e = assertThrows(ConfigException.class, () -> load(List.of("--config-file", "nope.conf"), Map.of()));
    assertTrue(e.getMessage().contains("nope.conf") && e.getMessage().contains("does not exist"), e.getMessage());
    ConfigException e2 = assertThrows(ConfigException.class, () -> load(List.of(), Map.of("GLINT_CONFIG_FILE", "/no/such.conf")));
    assertTrue(e2.getMessage().contains("/no/such.conf") && e2.getMessage().contains("GLINT_CONFIG_FILE"), e2.getMessage());
  }

  @Test
  void unparsableFileNamesLine() throws Exception {
    Path f = write("bad.conf", "[DEFAULT]\nbind_port = 1\ngarbage\n");
    ConfigException e = assertThrows(ConfigException.class, () -> load(List.of("--config-file", f.toString()), Map.of()));
    assertTrue(e.getMessage().contains(f + ":3"), e.getMessage());
  }

  @Test
  void unknownFileOptionsWarnButDoNotFail() throws Exception {
    Path f = write("glance-api.conf", String.join("\n",
        "[DEFAULT]",
        "bind_port = 9393",
        "use_syslog = true",
        "[glance_store]",
        "rbd_store_pool = images",
        "[keystone_authtoken]",
        "www_authenticate_uri = http://keystone:5000",
        "password = secret",
        "[oslo_messaging_notifications]",
        "driver = noop",
        "[profiler]",
        "enabled = false",
        "hmac_keys = x",
        "[Database]",
        "connection = postgresql://x/y",
        ""));
    GlintConfig c = load(List.of("--config-file", f.toString()), Map.of());
    assertEquals(9393, c.server().bindPort());
    assertEquals(Optional.empty(), c.database().connection(), "[Database] is not [database]");

    List<String> warns = logged(Level.WARN);
    assertEquals(warns, c.warnings());
    assertEquals(4, warns.size(), warns.toString());
    assertTrue(warns.get(0).contains("'use_syslog'") && warns.get(0).contains("[DEFAULT]") && warns.get(0).contains(f + ":3"), warns.get(0));
    assertTrue(warns.get(1).contains("'rbd_store_pool'") && warns.get(1).contains("[glance_store]"), warns.get(1));
    assertTrue(warns.get(2).contains("[profiler]") && warns.get(2).contains(f.toString()), warns.get(2));
    assertTrue(warns.get(3).contains("[Database]") && warns.get(3).contains("did you mean [database]"), warns.get(3));
    List<String> debug = logged(Level.DEBUG);
    // [keystone_authtoken] is read now (Keystone token validation); its password is never shown
    assertEquals("http://keystone:5000", c.get(Options.WWW_AUTHENTICATE_URI));
    assertEquals("secret", c.get(Options.KS_PASSWORD));
    assertEquals("***", c.effective().get("keystone_authtoken.password"));
    // [oslo_messaging_notifications] is read now (notifications)
    assertEquals(List.of("noop"), c.notifications().drivers());
    assertTrue(warns.stream().noneMatch(m -> m.contains("keystone_authtoken") || m.contains("oslo_messaging")));
  }

  // -------------------------------------------------------------------------------- environment

  @Test
  void environmentNaming() {
    assertEquals("GLINT_BIND_PORT", Options.BIND_PORT.envName());
    assertEquals("GLINT_DATABASE_CONNECTION", Options.DATABASE_CONNECTION.envName());
    assertEquals("GLINT_GLANCE_STORE_FILESYSTEM_STORE_DATADIR", Options.FILESYSTEM_STORE_DATADIR.envName());
    assertEquals("GLINT_PASTE_DEPLOY_FLAVOR", Options.PASTE_FLAVOR.envName());

    GlintConfig c = load(List.of(), Map.of(
        "GLINT_BIND_PORT", "9393",
        "GLINT_DATABASE_CONNECTION", "postgres://glance:pw@db/glance",
        "GLINT_GLANCE_STORE_FILESYSTEM_STORE_DATADIR", "/x",
        "GLINT_PASTE_DEPLOY_FLAVOR", "noauth",
        "PATH", "/usr/bin"));
    assertEquals(9393, c.server().bindPort());
    assertEquals(Optional.of("postgresql://glance:pw@db/glance"), c.database().connection());
    assertEquals(Path.of("/x"), c.stores().filesystemStoreDatadir());
    assertTrue(c.auth().unauthenticated());
    assertEquals("environment variable GLINT_BIND_PORT", c.source("DEFAULT", "bind_port"));
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void unknownGlintEnvironmentVariableWarns() {
    GlintConfig c = load(List.of(), Map.of("GLINT_BIND_PROT", "1", "GLINT_CONFIG_FILE", ""));
    assertEquals(9292, c.server().bindPort());
    assertEquals(1, c.warnings().size(), c.warnings().toString());
    assertTrue(c.warnings().get(0).contains("GLINT_BIND_PROT") && c.warnings().get(0).contains("GLINT_BIND_PORT"), c.warnings().get(0));
    assertEquals(c.warnings(), logged(Level.WARN));
  }

  // ------------------------------------------------------------------------------------- flags

  @Test
  void flagForms() {
    GlintConfig c = load(List.of(
        "--bind_port=1234",
        "--bind_host", "127.0.0.1",
        "--database.connection=postgresql://u:p@h/db",
        "--glance_store.filesystem_store_datadir", "/srv/img",
        "--show_image_direct_url",
        "--delayed_delete", "yes",
        "--image-member-quota", "-1",
        "--log_level=debug"), Map.of());
    assertEquals(1234, c.server().bindPort());
    assertEquals("127.0.0.1", c.server().bindHost());
    assertEquals(Optional.of("postgresql://u:p@h/db"), c.database().connection());
    assertEquals(Path.of("/srv/img"), c.stores().filesystemStoreDatadir());
    assertTrue(c.images().showImageDirectUrl());
    assertTrue(c.scrubber().delayedDelete());
    assertEquals(-1, c.quotas().imageMemberQuota());
    assertEquals("DEBUG", c.logging().logLevel());
    assertEquals("command-line flag --bind_port", c.source("DEFAULT", "bind_port"));
  }

  @Test
  void bareAndNegatedBooleanFlags() {
    GlintConfig c = load(List.of("--debug", "--bind_port=1", "--noshow_multiple_locations", "--allow_anonymous_access=on"),
        Map.of("GLINT_SHOW_MULTIPLE_LOCATIONS", "true"));
    assertTrue(c.logging().debug());
    assertFalse(c.images().showMultipleLocations());
    assertTrue(c.auth().allowAnonymousAccess());
    assertEquals(1, c.server().bindPort());
  }

  @Test
  void precedenceDefaultsFileEnvFlags() throws Exception {
    Path f = write("p.conf", "[DEFAULT]\nbind_port = 1111\nworkers = 5\nbind_host = 10.0.0.1\nscrub_time = 7\n");
    List<String> args = List.of("--config-file", f.toString(), "--bind_port=3333");
    Map<String, String> env = Map.of("GLINT_BIND_PORT", "2222", "GLINT_WORKERS", "6");
    GlintConfig c = load(args, env);
    assertEquals(3333, c.server().bindPort(), "flag beats env and file");
    assertEquals(6, c.server().workers(), "env beats file");
    assertEquals("10.0.0.1", c.server().bindHost(), "file beats default");
    assertEquals(7, c.scrubber().scrubTime());
    assertEquals(1000, c.images().apiLimitMax(), "default");
    assertEquals(2222, load(List.of("--config-file", f.toString()), env).server().bindPort());
    assertEquals(1111, load(List.of("--config-file", f.toString()), Map.of()).server().bindPort());
  }

  @Test
  void unknownFlagIsAnError() {
    ConfigException e = assertThrows(ConfigException.class, () -> load(List.of("--bind_prot=1"), Map.of()));
    assertTrue(e.getMessage().contains("--bind_prot") && e.getMessage().contains("bind_port"), e.getMessage());
    ConfigException e2 = assertThrows(ConfigException.class, () -> load(List.of("--connection=postgresql://h/d"), Map.of()));
    assertTrue(e2.getMessage().contains("database.connection"), e2.getMessage());
    ConfigException e4 = assertThrows(ConfigException.class, () -> load(List.of("--conection=postgresql://h/d"), Map.of()));
    assertTrue(e4.getMessage().contains("database.connection"), e4.getMessage());
    assertThrows(ConfigException.class, () -> load(List.of("--nobind_port"), Map.of()), "--no only for booleans");
    assertThrows(ConfigException.class, () -> load(List.of("stray"), Map.of()));
    assertThrows(ConfigException.class, () -> load(List.of("-p", "1"), Map.of()));
    ConfigException e3 = assertThrows(ConfigException.class, () -> load(List.of("--bind_port"), Map.of()));
    assertTrue(e3.getMessage().contains("needs a value"), e3.getMessage());
    assertThrows(ConfigException.class, () -> load(List.of("--public_endpoint", "--debug"), Map.of()));
    assertThrows(ConfigException.class, () -> load(List.of("--config-file"), Map.of()));
  }

  @Test
  void helpIsLeftToTheCaller() {
    assertTrue(GlintConfig.helpRequested(List.of("--bind_port=1", "--help")));
    assertTrue(GlintConfig.helpRequested(List.of("-h")));
    assertFalse(GlintConfig.helpRequested(List.of("--debug")));
    assertEquals(1, load(List.of("--help", "--bind_port=1"), Map.of()).server().bindPort());

    String usage = GlintConfig.usage();
    for (ConfigOption<?> o : Options.all()) {
      assertTrue(usage.contains(o.flag() + "="), o.flag());
      assertTrue(usage.contains(o.envName()), o.envName());
      assertTrue(usage.contains(o.help()), o.toString());
    }
    assertTrue(usage.contains("[glance_store]"));
    assertTrue(usage.contains("default: '9292'"));
    assertTrue(usage.contains("--config-file"));
  }

  // ------------------------------------------------------------------------------ invalid values

  @Test
  void invalidValuesNameOptionAndSource() throws Exception {
    Path f = write("bad.conf", "[DEFAULT]\nbind_port = 99999\n[database]\nmax_pool_size = 0\n");
    ConfigException e = assertThrows(ConfigException.class, () -> load(
        List.of("--config-file", f.toString(), "--log_level=loud"),
        Map.of("GLINT_SHOW_IMAGE_DIRECT_URL", "maybe", "GLINT_USER_STORAGE_QUOTA", "10XB")));
    String m = e.getMessage();
    assertEquals(5, e.problems().size(), m);
    assertTrue(m.contains("bind_port") && m.contains(f + ":2") && m.contains("between 0 and 65535") && m.contains("'99999'"), m);
    assertTrue(m.contains("database.max_pool_size") && m.contains(f + ":4") && m.contains(">= 1"), m);
    assertTrue(m.contains("log_level") && m.contains("command-line flag --log_level") && m.contains("TRACE, DEBUG, INFO, WARN, ERROR"), m);
    assertTrue(m.contains("show_image_direct_url") && m.contains("environment variable GLINT_SHOW_IMAGE_DIRECT_URL") && m.contains("yes/no"), m);
    assertTrue(m.contains("user_storage_quota") && m.contains("GLINT_USER_STORAGE_QUOTA") && m.contains("10GB"), m);
  }

  @Test
  void otherInvalidValues() {
    assertInvalid(Map.of("hashing_algorithm", "crc32"), "hashing_algorithm", "sha3_256");
    assertInvalid(Map.of("bind_host", ""), "bind_host", "empty");
    assertInvalid(Map.of("paste_deploy.flavor", "keystone+magic"), "paste_deploy.flavor", "noauth");
    assertInvalid(Map.of("image_tag_quota", "-2"), "image_tag_quota", ">= -1");
    assertInvalid(Map.of("image_size_cap", "-1"), "image_size_cap", ">= 0");
    assertInvalid(Map.of("enabled_import_methods", "glance-direct,ftp"), "enabled_import_methods", "ftp");
    assertInvalid(Map.of("glance_store.default_store", "swift"), "default_store", "stores");
    assertInvalid(Map.of("database.connection", "mysql+pymysql://glance:pw@db/glance"), "database.connection",
        "Glint supports PostgreSQL only");
    assertInvalid(Map.of("database.connection", "sqlite:///glance.sqlite"), "database.connection",
        "Glint supports PostgreSQL only");
  }

  @Test
  void invalidDatabaseUrlMessageMasksPassword() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> load(List.of(), Map.of("GLINT_DATABASE_CONNECTION", "mysql://glance:topsecret@db/glance")));
    assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    assertTrue(e.getMessage().contains("mysql://glance:***@db/glance") && e.getMessage().contains("GLINT_DATABASE_CONNECTION"), e.getMessage());
  }

  private static void assertInvalid(Map<String, String> settings, String... expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> GlintConfig.of(settings), settings.toString());
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------- of(Map), misc

  @Test
  void ofMap() {
    Map<String, String> s = new HashMap<>();
    s.put("bind_port", "0");
    s.put("database.connection", "postgresql://u:p@localhost:5432/glint");
    s.put("glance_store.stores", "file");
    s.put("image_format.disk_formats", "raw, qcow2");
    s.put("DEFAULT.workers", "4");
    s.put("limit_param_default", null);
    GlintConfig c = GlintConfig.of(s);
    assertEquals(0, c.server().bindPort());
    assertEquals(Optional.of("postgresql://u:p@localhost:5432/glint"), c.database().connection());
    assertEquals(List.of("file"), c.stores().stores());
    assertEquals(List.of("raw", "qcow2"), c.images().diskFormats());
    assertEquals(4, c.server().workers());
    assertEquals(25, c.images().limitParamDefault());
    assertEquals("setting 'bind_port'", c.source("DEFAULT", "bind_port"));
    assertEquals(0, c.get(Options.BIND_PORT));

    ConfigException e = assertThrows(ConfigException.class, () -> GlintConfig.of(Map.of("bind_prot", "1", "database.conection", "x")));
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("'bind_prot'") && e.getMessage().contains("'database.conection'"), e.getMessage());
  }

  @Test
  void effectiveMasksPasswordsAndToStringShowsOverrides() {
    GlintConfig c = GlintConfig.of(Map.of("database.connection", "postgresql+psycopg2://user:hunter2@host/db", "bind_port", "1"));
    Map<String, String> eff = c.effective();
    assertEquals("postgresql+psycopg2://user:***@host/db", eff.get("database.connection"));
    assertEquals("1", eff.get("bind_port"));
    assertEquals("keystone", eff.get("paste_deploy.flavor"));
    assertTrue(eff.containsKey("public_endpoint"));
    assertNull(eff.get("public_endpoint"));
    assertEquals(Options.all().get(0).key(), eff.keySet().iterator().next());
    assertThrows(UnsupportedOperationException.class, () -> eff.put("x", "y"));

    String str = c.toString();
    assertFalse(str.contains("hunter2"), str);
    assertTrue(str.contains("database.connection=postgresql+psycopg2://user:***@host/db"), str);
    assertTrue(str.contains("bind_port=1 (setting 'bind_port')"), str);
    assertFalse(str.contains("api_limit_max"), str);
  }

  @Test
  void logLevelAndDebug() {
    assertEquals("WARN", GlintConfig.of(Map.of("log_level", "warn")).logging().logLevel());
    assertEquals("DEBUG", GlintConfig.of(Map.of("log_level", "warn", "debug", "true")).logging().logLevel());
    assertEquals("DEBUG", GlintConfig.of(Map.of("debug", "1")).logging().logLevel());
    assertEquals("TRACE", GlintConfig.of(Map.of("log_level", "trace", "debug", "true")).logging().logLevel());
  }

  @Test
  void misc() {
    assertEquals("SHA3-256", GlintConfig.of(Map.of("hashing_algorithm", "SHA3_256")).images().hashingAlgorithmJcaName());
    assertEquals("sha3_256", GlintConfig.of(Map.of("hashing_algorithm", "SHA3_256")).images().hashingAlgorithm());
    assertEquals("MD5", GlintConfig.of(Map.of("hashing_algorithm", "md5")).images().hashingAlgorithmJcaName());
    assertEquals("SHA-1", GlintConfig.of(Map.of("hashing_algorithm", "sha1")).images().hashingAlgorithmJcaName());
    assertTrue(GlintConfig.of(Map.of("paste_deploy.flavor", "noauth")).auth().unauthenticated());
    assertFalse(GlintConfig.of(Map.of("paste_deploy.flavor", "keystone+cachemanagement")).auth().unauthenticated());
    assertEquals(Path.of("/d", "images"), GlintConfig.of(Map.of("data_dir", "/d")).stores().filesystemStoreDatadir());
    assertEquals("file", GlintConfig.of(Map.of("glance_store.stores", "filesystem,https")).stores().defaultStore(), "aliases accepted");
    assertEquals(Optional.of("https://img.example.com"), GlintConfig.of(Map.of("public_endpoint", "https://img.example.com")).server().publicEndpoint());
    assertThrows(IllegalArgumentException.class, () -> GlintConfig.defaults().raw("DEFAULT", "nope"));
  }

  // ---------------------------------------------------------------------------- store sections

  @Test
  void storeTypesAreTheRegisteredDrivers() {
    assertEquals(List.of("file", "http", "s3"), BackendTypes.names());
    assertTrue(BackendTypes.byType("file").orElseThrow().options().stream()
        .anyMatch(o -> o.name().equals("filesystem_store_datadir")));
  }

  @Test
  void storeSectionsFromFileEnvironmentAndFlags() throws Exception {
    Path f = write("multi.conf", String.join("\n",
        "[DEFAULT]",
        "enabled_backends = fast:file, web:http",
        "[fast]",
        "filesystem_store_datadir = /a",
        "store_description = NVMe",
        "filesystem_store_direct_io = true",
        ""));
    GlintConfig c = load(List.of("--config-file", f.toString(), "--fast.filesystem_store_datadir=/b"),
        Map.of("GLINT_FAST_FILESYSTEM_STORE_FSYNC", "no", "GLINT_FAST_FILESYSTEM_STORE_DATADIR", "/c"));
    assertEquals(List.of(), c.warnings());
    List<Backend> backends = c.stores().enabledBackends();
    assertEquals(List.of("fast", "web"), backends.stream().map(Backend::name).toList());
    assertEquals(List.of("file", "http"), backends.stream().map(Backend::type).toList());
    assertEquals(Path.of("/b"), backends.get(0).values().get("filesystem_store_datadir"));
    assertEquals(Boolean.FALSE, backends.get(0).values().get("filesystem_store_fsync"));
    assertEquals(Boolean.TRUE, backends.get(0).values().get("filesystem_store_direct_io"));
    assertEquals(Boolean.FALSE, c.stores().glanceStore("file").values().get("filesystem_store_direct_io"),
        "[glance_store]'s default: off");
    assertEquals(Optional.of("NVMe"), backends.get(0).description());
    assertEquals(Optional.empty(), backends.get(1).description());
    assertEquals("fast", c.stores().defaultBackend());
    assertEquals("command-line flag --fast.filesystem_store_datadir", c.source("fast", "filesystem_store_datadir"));
    assertEquals("environment variable GLINT_FAST_FILESYSTEM_STORE_FSYNC", c.source("fast", "filesystem_store_fsync"));
    assertEquals(f + ":5", c.source("fast", "store_description"));
    assertEquals("/b", c.effective().get("fast.filesystem_store_datadir"));
  }

  @Test
  void storeSectionProblems() {
    assertInvalid(Map.of("enabled_backends", "fast:swift"), "enabled_backends", "file or http or s3", "'fast:swift'");
    assertInvalid(Map.of("enabled_backends", "fast:file", "fast.filesystem_store_fsync", "maybe"),
        "fast.filesystem_store_fsync", "setting 'fast.filesystem_store_fsync'", "yes/no");
    assertInvalid(Map.of("enabled_backends", "fast:file", "slow.filesystem_store_datadir", "/x"),
        "slow.filesystem_store_datadir", "not a store named in enabled_backends");
    assertInvalid(Map.of("enabled_backends", "fast:file", "glance_store.default_backend", "slow"),
        "default_backend", "'slow'", "[fast]");
    GlintConfig c = GlintConfig.of(Map.of("enabled_backends", "web:http", "web.filesystem_store_datadir", "/x"));
    assertEquals(1, c.warnings().size(), c.warnings().toString());
    assertTrue(c.warnings().get(0).contains("'filesystem_store_datadir' of store [web]")
        && c.warnings().get(0).contains("[store_description]"), c.warnings().get(0));
    assertEquals("file", GlintConfig.of(Map.of("glance_store.default_backend", "elsewhere")).stores().defaultStore(),
        "default_backend matters in multi-store mode only");
  }

  @Test
  void eachStoreTypesOptionsAreInGlanceStoreForSingleStoreMode() throws Exception {
    Path f = write("single.conf", String.join("\n",
        "[glance_store]",
        "stores = s3",
        "default_store = s3",
        "s3_store_host = http://rgw.example:8080",
        "s3_store_bucket = images",
        "s3_store_access_key = AKIAEXAMPLE",
        "s3_store_secret_key = s3cr3t/key",
        ""));
    GlintConfig c = load(List.of("--config-file", f.toString(), "--glance_store.s3_store_thread_pools=4"),
        Map.of("GLINT_GLANCE_STORE_S3_STORE_LARGE_OBJECT_SIZE", "200"));
    assertEquals(List.of(), c.warnings());
    assertEquals(List.of("s3"), c.stores().storeTypes());
    assertEquals("s3", c.stores().defaultStoreType());
    Backend s3 = c.stores().glanceStore("s3");
    assertEquals("http://rgw.example:8080", s3.values().get("s3_store_host"));
    assertEquals("s3cr3t/key", s3.values().get("s3_store_secret_key"));
    assertEquals(4, s3.values().get("s3_store_thread_pools"));
    assertEquals(200, s3.values().get("s3_store_large_object_size"));
    assertEquals(10, s3.values().get("s3_store_large_object_chunk_size"), "glance_store's default");
    assertEquals("environment variable GLINT_GLANCE_STORE_S3_STORE_LARGE_OBJECT_SIZE",
        c.source("glance_store", "s3_store_large_object_size"));
    // Secrets never shown.
    assertEquals("***", c.effective().get("glance_store.s3_store_secret_key"));
    assertEquals("***", c.effective().get("glance_store.s3_store_access_key"));
    assertFalse(c.toString().contains("s3cr3t") || c.toString().contains("AKIAEXAMPLE"), c.toString());
    // The file store's options keep their [glance_store] definitions (fsync defaults to true there).
    assertEquals(Boolean.TRUE, GlintConfig.defaults().stores().glanceStore("file").values().get("filesystem_store_fsync"));
    assertInvalid(Map.of("glance_store.stores", "rbd", "glance_store.default_store", "rbd"), "default_store", "'rbd'",
        "no store type");
  }

  @Test
  void s3StoreSectionFromEnvironment() throws Exception {
    GlintConfig c = load(List.of("--enabled_backends=fast:file, web:http, objects:s3"), Map.of(
        "GLINT_OBJECTS_S3_STORE_HOST", "https://s3.eu-west-1.amazonaws.com",
        "GLINT_OBJECTS_S3_STORE_BUCKET", "images",
        "GLINT_OBJECTS_S3_STORE_SECRET_KEY", "s3cr3t"));
    assertEquals(List.of(), c.warnings());
    Backend objects = c.stores().enabledBackends().get(2);
    assertEquals("s3", objects.type());
    assertEquals("https://s3.eu-west-1.amazonaws.com", objects.values().get("s3_store_host"));
    assertEquals("environment variable GLINT_OBJECTS_S3_STORE_HOST", c.source("objects", "s3_store_host"));
    assertEquals("***", c.effective().get("objects.s3_store_secret_key"));
  }

  @Test
  void usageListsEachStoreTypesOptions() {
    String usage = GlintConfig.usage();
    assertTrue(usage.contains("--<backend>.store_description=STRING"), usage);
    assertTrue(usage.contains("--<backend>.filesystem_store_datadir=PATH    env GLINT_<BACKEND>_FILESYSTEM_STORE_DATADIR"),
        usage);
    assertTrue(usage.contains("stores of type 'http': no options of their own"), usage);
    assertTrue(usage.contains("name:type pairs (types: file, http, s3)"), usage);
    assertTrue(usage.contains("--glance_store.s3_store_host=STRING"), usage);
    assertTrue(usage.contains("--<backend>.s3_store_secret_key=STRING    env GLINT_<BACKEND>_S3_STORE_SECRET_KEY"),
        usage);
  }

  @Test
  void secretsAreMaskedWhereverValuesAreShown() {
    ConfigOption<String> password = ConfigOption.define("keystone_authtoken", "password", OptionType.string(true),
        "changeme", "A password.").asSecret();
    assertEquals("***", password.display("hunter2"));
    assertNull(password.display(null));
    assertEquals("postgresql://u:***@h/db", Options.DATABASE_CONNECTION.display("postgresql://u:pw@h/db"));
  }

  // ------------------------------------------------------------------------------ sample file

  @Test
  void shippedSampleSetsNothingAndDocumentsEveryOption() throws Exception {
    Path sample = Path.of("conf", "glint.conf");
    assertTrue(Files.isRegularFile(sample), "run from the project directory");
    GlintConfig c = GlintConfig.load(List.of("--config-file", sample.toString()), Map.of(), Path.of(""));
    assertEquals(List.of(), c.warnings());
    c.effective().forEach((k, v) -> assertEquals("default", sourceOf(c, k), k));

    IniFile ini = IniFile.load(sample);
    assertTrue(ini.entries().isEmpty(), "sample must set nothing");
    String text = Files.readString(sample);
    for (ConfigOption<?> o : Options.all()) {
      String dflt = o.defaultValue() == null ? "<None>" : o.defaultValue();
      String expected = ("#" + o.name() + " = " + dflt).strip();
      assertTrue(text.lines().anyMatch(l -> l.strip().equals(expected)), "sample lacks " + o + " = " + dflt);
      int section = text.indexOf("\n[" + o.section() + "]\n");
      int line = text.indexOf("\n#" + o.name() + " =", section);
      assertTrue(section >= 0 && line > section, o.toString());
      int nextSection = text.indexOf("\n[", section + 1);
      assertTrue(nextSection < 0 || line < nextSection, o + " is not in its section");
    }
    assertTrue(text.contains("GLINT_GLANCE_STORE_FILESYSTEM_STORE_DATADIR"));
  }

  private static String sourceOf(GlintConfig c, String key) {
    int dot = key.indexOf('.');
    return dot < 0 ? c.source("DEFAULT", key) : c.source(key.substring(0, dot), key.substring(dot + 1));
  }
}
