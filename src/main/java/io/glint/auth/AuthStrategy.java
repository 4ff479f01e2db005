package io.glint.auth;

import io.glint.config.AuthSettings;
import io.glint.config.GlintConfig;
import io.vertx.core.Vertx;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How Glint authenticates callers, chosen once at start-up. Glint's {@code [DEFAULT] auth_strategy}
 * ({@code GLINT_AUTH_STRATEGY}) wins when set. Otherwise Glance's {@code [paste_deploy] flavor} decides:
 * {@code keystone}, {@code keystone+caching} and {@code keystone+cachemanagement} authenticate (with Keystone
 * tokens when {@code [keystone_authtoken] auth_url} is set, else with trusted identity headers, Glint's
 * development mode); {@code ''}, {@code caching}, {@code cachemanagement} (and {@code noauth}) are Glance's
 * unauthenticated pipeline.
 */
public enum AuthStrategy {
  /** keystonemiddleware's auth_token: tokens validated with Keystone. */
  KEYSTONE("keystone"),
  /** Identity headers set by an authenticating proxy in front of Glint. */
  TRUSTED_HEADERS("trusted-headers"),
  /** Glance's unauthenticated pipeline: every caller is admin. */
  NOAUTH("noauth");

  private static final Logger LOG = LoggerFactory.getLogger(AuthStrategy.class);

  private final String configName;

  AuthStrategy(String configName) {
    this.configName = configName;
  }

  /** The strategy and why it was chosen (for the start-up log). */
  public record Choice(AuthStrategy strategy, String reason) {}

  public static Choice choose(GlintConfig config) {
    AuthSettings auth = config.auth();
    if (!auth.authStrategy().isEmpty()) {
      for (AuthStrategy s : values()) {
        if (s.configName.equals(auth.authStrategy())) {
          return new Choice(s, "[DEFAULT] auth_strategy = " + auth.authStrategy());
        }
      }
    }
    String flavor = auth.pasteFlavor();
    if (auth.unauthenticated()) {
      return new Choice(NOAUTH, "[paste_deploy] flavor = '" + flavor + "' (Glance's unauthenticated pipeline)");
    }
    if (auth.keystoneConfigured()) {
      return new Choice(KEYSTONE, "[paste_deploy] flavor = " + flavor + " with [keystone_authtoken] auth_url set");
    }
    return new Choice(TRUSTED_HEADERS, "[paste_deploy] flavor = " + flavor
        + " without [keystone_authtoken] auth_url: identity headers from "
        + (auth.trustedHeaderAnyHost() ? "any peer" : "loopback peers"));
  }

  /**
   * Checks what the chosen strategy needs from the configuration, so that a mistake stops Glint before it
   * starts anything.
   *
   * @throws io.glint.config.ConfigException what is missing or wrong
   */
  public static void validate(GlintConfig config) {
    if (choose(config).strategy() == KEYSTONE) {
      KeystoneSettings.from(config);
    }
  }

  /** The authenticator of the configured strategy, with Glance's default {@code context_is_admin} (role admin). */
  public static Authenticator authenticator(Vertx vertx, GlintConfig config) {
    return authenticator(vertx, config, caller -> caller.roles().contains("admin"));
  }

  /**
   * The authenticator of the configured strategy (for keystone, already authenticating Glint itself).
   *
   * @param isAdmin policy's {@code context_is_admin}, decided once per authenticated request
   */
  public static Authenticator authenticator(Vertx vertx, GlintConfig config,
      java.util.function.Predicate<RequestContext> isAdmin) {
    Choice choice = choose(config);
    LOG.info("Authentication: {} ({})", choice.strategy().configName, choice.reason());
    boolean anonymous = config.auth().allowAnonymousAccess();
    return switch (choice.strategy()) {
      case KEYSTONE -> {
        KeystoneSettings settings = KeystoneSettings.from(config);
        KeystoneSettings.logNotes(config);
        yield new AdminByPolicy(KeystoneAuthenticator.start(vertx, settings, anonymous, InstantSource.system()),
            isAdmin);
      }
      case TRUSTED_HEADERS -> new AdminByPolicy(
          new TrustedHeadersAuthenticator(anonymous, config.auth().trustedHeaderAnyHost()), isAdmin);
      case NOAUTH -> new NoAuthAuthenticator();
    };
  }
}
