package io.glint.auth;

import static io.glint.config.Options.*;

import io.glint.config.ConfigException;
import io.glint.config.ConfigOption;
import io.glint.config.GlintConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code [keystone_authtoken]} section, read and checked: how Glint reaches Keystone, authenticates
 * itself, and treats the tokens it validates.
 *
 * @param authUrl where Glint asks for its own token (and validates tokens when the catalog names no identity
 *     endpoint)
 * @param wwwAuthenticateUri the endpoint named in {@code WWW-Authenticate} answers
 * @param credentials Glint's own credentials
 * @param endpointInterface catalog interface of the identity endpoint tokens are validated at
 * @param regionName region of that endpoint, or null for any
 * @param includeServiceCatalog whether validations ask for the catalog
 * @param serviceTokenRoles roles a service token must have one of (lower case)
 * @param serviceTokenRolesRequired whether a service token without them is ignored
 * @param tokenCacheTime how long a validated token is trusted; negative: not cached
 * @param tokenCacheSize most tokens cached
 * @param requestTimeout how long one request to Keystone may take
 * @param maxRetries retries of a request whose connection cannot be made
 * @param tls how to reach an https Keystone
 * @param refuseBoundTokens {@code enforce_token_bind = strict}: tokens bound to anything are refused
 */
public record KeystoneSettings(URI authUrl, String wwwAuthenticateUri, PasswordCredentials credentials,
    String endpointInterface, String regionName, boolean includeServiceCatalog, Set<String> serviceTokenRoles,
    boolean serviceTokenRolesRequired, Duration tokenCacheTime, int tokenCacheSize, Duration requestTimeout,
    int maxRetries, Tls tls, boolean refuseBoundTokens) {

  private static final Logger LOG = LoggerFactory.getLogger(KeystoneSettings.class);

  /** Glint's timeout of one request to Keystone when {@code http_connect_timeout} is unset. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** TLS to Keystone: CA bundle, client certificate and key (PEM), or no verification at all. */
  public record Tls(Path caFile, Path certFile, Path keyFile, boolean insecure) {}

  /**
   * Reads the section (without logging: see {@link #logNotes}).
   *
   * @throws ConfigException listing every problem: what keystone mode cannot run without
   */
  public static KeystoneSettings from(GlintConfig config) {
    List<String> problems = new ArrayList<>();
    URI authUrl = null;
    String rawAuthUrl = config.get(AUTH_URL);
    if (rawAuthUrl == null) {
      problems.add("[keystone_authtoken] auth_url is required in keystone mode (the Identity endpoint Glint "
          + "authenticates at, e.g. http://keystone:5000/v3)");
    } else {
      authUrl = httpUrl(rawAuthUrl, AUTH_URL, problems);
    }
    String authType = config.get(AUTH_TYPE);
    if (authType == null) {
      problems.add("[keystone_authtoken] auth_type = password is required in keystone mode");
    } else if (!List.of("password", "v3password").contains(authType.toLowerCase(Locale.ROOT))) {
      problems.add("[keystone_authtoken] auth_type = " + authType + " is not supported: Glint authenticates itself "
          + "with the 'password' plugin");
    }
    PasswordCredentials credentials = PasswordCredentials.of(new PasswordCredentials.Options(
        config.get(KS_USER_ID), config.get(KS_USERNAME), config.get(KS_PASSWORD), config.get(KS_USER_DOMAIN_ID),
        config.get(KS_USER_DOMAIN_NAME), config.get(KS_PROJECT_ID), config.get(KS_PROJECT_NAME),
        config.get(KS_PROJECT_DOMAIN_ID), config.get(KS_PROJECT_DOMAIN_NAME), config.get(KS_DOMAIN_ID),
        config.get(KS_DOMAIN_NAME), config.get(KS_SYSTEM_SCOPE), config.get(KS_DEFAULT_DOMAIN_ID),
        config.get(KS_DEFAULT_DOMAIN_NAME)), problems);
    String bind = config.get(ENFORCE_TOKEN_BIND).toLowerCase(Locale.ROOT);
    if (!List.of("disabled", "permissive", "strict").contains(bind)) {
      problems.add("[keystone_authtoken] enforce_token_bind = " + bind + " cannot be honoured: Glint verifies no "
          + "token binding (use disabled, permissive or strict)");
    }
    String www = config.get(WWW_AUTHENTICATE_URI);
    if (www == null) {
      www = config.get(AUTH_URI);
    }
    if (www == null) {
      www = rawAuthUrl;
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    Set<String> roles = new LinkedHashSet<>();
    config.get(SERVICE_TOKEN_ROLES).forEach(r -> roles.add(r.toLowerCase(Locale.ROOT)));
    int timeout = config.get(HTTP_CONNECT_TIMEOUT);
    return new KeystoneSettings(authUrl, www, credentials, config.get(KS_INTERFACE), config.get(KS_REGION_NAME),
        config.get(INCLUDE_SERVICE_CATALOG), roles, config.get(SERVICE_TOKEN_ROLES_REQUIRED),
        Duration.ofSeconds(config.get(TOKEN_CACHE_TIME)), config.get(TOKEN_CACHE_SIZE),
        timeout == 0 ? DEFAULT_TIMEOUT : Duration.ofSeconds(timeout), config.get(HTTP_REQUEST_MAX_RETRIES),
        new Tls(config.get(KS_CAFILE), config.get(KS_CERTFILE), config.get(KS_KEYFILE), config.get(KS_INSECURE)),
        bind.equals("strict"));
  }

  /** Whether validated tokens are cached at all ({@code token_cache_time = -1} turns the cache off). */
  public boolean caching() {
    return !tokenCacheTime.isNegative();
  }

  /**
   * The public password-login URL users are sent to ({@code <www_authenticate_uri>/v3/auth/tokens}): what the
   * web console's same-origin pass-through forwards sign-ins to.
   */
  public String publicTokensUrl() {
    return IdentityEndpoint.v3(wwwAuthenticateUri) + "/auth/tokens";
  }

  /** Options of an HTTP client to Keystone: timeouts and the configured TLS (CA, client certificate, insecure). */
  public io.vertx.ext.web.client.WebClientOptions clientOptions() {
    return IdentityClient.options(this);
  }

  /** Logs, once at start-up, what in the section is accepted but not used as keystonemiddleware would. */
  public static void logNotes(GlintConfig config) {
    if (config.get(WWW_AUTHENTICATE_URI) == null && config.get(AUTH_URI) == null) {
      LOG.warn("Configuring [keystone_authtoken] www_authenticate_uri to point to the public identity endpoint is "
          + "required; clients may not be able to authenticate against an admin endpoint (using auth_url {})",
          config.get(AUTH_URL));
    }
    String version = config.get(KS_AUTH_VERSION);
    if (version != null && !version.replaceFirst("^v", "").startsWith("3")) {
      LOG.warn("[keystone_authtoken] auth_version = {}: Glint speaks Identity v3 only, as keystonemiddleware does",
          version);
    }
    if (!config.get(DELAY_AUTH_DECISION)) {
      LOG.info("[keystone_authtoken] delay_auth_decision = false is overridden: Glance's paste pipeline sets it "
          + "to true, so the API decides on unauthenticated requests (401, or anonymous access)");
    }
    logIgnored(config);
  }

  private static void logIgnored(GlintConfig config) {
    List<String> set = new ArrayList<>();
    List<ConfigOption<String>> ignored = new ArrayList<>(KEYSTONE_IGNORED);
    ignored.add(MEMCACHE_SECRET_KEY);
    ignored.add(MEMCACHE_PASSWORD);
    for (ConfigOption<String> o : ignored) {
      if (config.get(o) != null) {
        set.add(o.name());
      }
    }
    if (!set.isEmpty()) {
      LOG.info("[keystone_authtoken] {} accepted and ignored: Glint caches validated tokens in process "
          + "(token_cache_time, token_cache_size)", String.join(", ", set));
    }
  }

  private static URI httpUrl(String raw, ConfigOption<String> option, List<String> problems) {
    try {
      URI uri = new URI(raw);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    problems.add(option.displayName() + " = " + raw + " is not an http(s) URL");
    return null;
  }
}
