package io.glint.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.config.ConfigException;
import io.glint.config.GlintConfig;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which authenticator a configuration gets, and what keystone mode refuses to start without. */
class AuthStrategyTest {
  private static final String AUTH_URL = "keystone_authtoken.auth_url";

  private static AuthStrategy strategy(Map<String, String> settings) {
    return AuthStrategy.choose(GlintConfig.of(settings)).strategy();
  }

  @Test
  @DisplayName("without Keystone configuration the default stays trusted headers; auth_url makes it keystone")
  void defaults() {
    assertEquals(AuthStrategy.TRUSTED_HEADERS, strategy(Map.of()));
    assertEquals(AuthStrategy.KEYSTONE, strategy(Map.of(AUTH_URL, "http://keystone:5000")));
    for (String flavor : List.of("keystone", "keystone+caching", "keystone+cachemanagement")) {
      assertEquals(AuthStrategy.KEYSTONE, strategy(Map.of("paste_deploy.flavor", flavor, AUTH_URL, "http://k:5000")));
      assertEquals(AuthStrategy.TRUSTED_HEADERS, strategy(Map.of("paste_deploy.flavor", flavor)));
    }
  }

  @Test
  @DisplayName("Glance's unauthenticated flavors ('', caching, cachemanagement) and noauth are the no-auth pipeline")
  void unauthenticatedFlavors() {
    for (String flavor : List.of("", "caching", "cachemanagement", "noauth")) {
      assertEquals(AuthStrategy.NOAUTH, strategy(Map.of("paste_deploy.flavor", flavor, AUTH_URL, "http://k:5000")),
          flavor);
    }
  }

  @Test
  @DisplayName("[DEFAULT] auth_strategy (GLINT_AUTH_STRATEGY) wins over the flavor")
  void explicitStrategyWins() {
    assertEquals(AuthStrategy.NOAUTH, strategy(Map.of("auth_strategy", "noauth", AUTH_URL, "http://k:5000")));
    assertEquals(AuthStrategy.TRUSTED_HEADERS,
        strategy(Map.of("auth_strategy", "trusted-headers", AUTH_URL, "http://k:5000")));
    assertEquals(AuthStrategy.KEYSTONE, strategy(Map.of("auth_strategy", "keystone", "paste_deploy.flavor", "")));
    GlintConfig fromEnv = GlintConfig.load(List.of(), Map.of("GLINT_AUTH_STRATEGY", "noauth"));
    assertEquals(AuthStrategy.NOAUTH, AuthStrategy.choose(fromEnv).strategy());
    assertThrows(ConfigException.class, () -> GlintConfig.of(Map.of("auth_strategy", "kerberos")));
  }

  @Test
  @DisplayName("keystone mode needs auth_url, auth_type = password, a user and a password; the password is never shown")
  void keystoneNeeds() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> AuthStrategy.validate(GlintConfig.of(Map.of("auth_strategy", "keystone"))));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("auth_url"), all);
    assertTrue(all.contains("auth_type"), all);
    assertTrue(all.contains("username"), all);
    assertTrue(all.contains("password"), all);

    Map<String, String> good = new HashMap<>(Map.of(AUTH_URL, "http://keystone:5000", "keystone_authtoken.auth_type",
        "password", "keystone_authtoken.username", "glance", "keystone_authtoken.password", "s3cr3t-value",
        "keystone_authtoken.user_domain_name", "Default", "keystone_authtoken.project_name", "service",
        "keystone_authtoken.project_domain_name", "Default"));
    AuthStrategy.validate(GlintConfig.of(good));
    KeystoneSettings settings = KeystoneSettings.from(GlintConfig.of(good));
    assertFalse(settings.toString().contains("s3cr3t-value"));
    assertFalse(GlintConfig.of(good).effective().toString().contains("s3cr3t-value"));
    assertTrue(settings.credentials().authBody().encode().contains("s3cr3t-value"), "sent to Keystone only");

    Map<String, String> noDomain = new HashMap<>(good);
    noDomain.remove("keystone_authtoken.project_domain_name");
    assertTrue(assertThrows(ConfigException.class, () -> KeystoneSettings.from(GlintConfig.of(noDomain)))
        .getMessage().contains("project_domain"));
    noDomain.put("keystone_authtoken.default_domain_id", "default");
    KeystoneSettings.from(GlintConfig.of(noDomain));

    Map<String, String> appCred = new HashMap<>(good);
    appCred.put("keystone_authtoken.auth_type", "v3applicationcredential");
    assertTrue(assertThrows(ConfigException.class, () -> KeystoneSettings.from(GlintConfig.of(appCred)))
        .getMessage().contains("not supported"));
    GlintConfig.of(appCred); // only keystone mode cares

    Map<String, String> bound = new HashMap<>(good);
    bound.put("keystone_authtoken.enforce_token_bind", "required");
    assertTrue(assertThrows(ConfigException.class, () -> KeystoneSettings.from(GlintConfig.of(bound)))
        .getMessage().contains("enforce_token_bind"));

    Map<String, String> memcache = new HashMap<>(good);
    memcache.put("keystone_authtoken.memcached_servers", "127.0.0.1:11211");
    memcache.put("keystone_authtoken.memcache_secret_key", "k");
    assertEquals(List.of(), GlintConfig.of(memcache).warnings(), "memcache options are accepted");
  }

  @Test
  @DisplayName("the no-auth pipeline makes everyone an admin without a project, whatever they send")
  void noAuth() {
    Vertx vertx = Vertx.vertx();
    try {
      Authenticator a = AuthStrategy.authenticator(vertx, GlintConfig.of(Map.of("paste_deploy.flavor", "")));
      assertInstanceOf(NoAuthAuthenticator.class, a);
      RequestContext ctx = a.authenticate(h -> "X-Roles".equals(h) ? "reader" : null, false, "req-1").await();
      assertTrue(ctx.admin());
      assertEquals(null, ctx.projectId());
      assertEquals(AuthStrategy.TRUSTED_HEADERS, AuthStrategy.choose(GlintConfig.defaults()).strategy());
      // trusted headers, with policy's context_is_admin decided for each caller
      assertInstanceOf(AdminByPolicy.class, AuthStrategy.authenticator(vertx, GlintConfig.defaults()));
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("trusted headers carry domains, system scope and service roles as oslo.context reads them")
  void trustedHeaders() {
    Map<String, String> h = Map.of("X-Identity-Status", "Confirmed", "X-User-Id", "u", "X-Project-Id", "p",
        "X-Roles", "Member,Admin", "X-User-Domain-Id", "ud", "X-Project-Domain-Id", "pd",
        "OpenStack-System-Scope", "all", "X-Service-Roles", "Service");
    RequestContext ctx = new TrustedHeadersAuthenticator(false, false).authenticate(h::get, true, "r").await();
    assertTrue(ctx.admin());
    assertEquals("ud", ctx.userDomainId());
    assertEquals("pd", ctx.projectDomainId());
    assertEquals("all", ctx.systemScope());
    assertEquals(java.util.Set.of("service"), ctx.serviceRoles());
  }

  @Test
  @DisplayName("policy's context_is_admin decides who is an admin, for trusted headers as for tokens")
  void adminByPolicy() {
    Vertx vertx = Vertx.vertx();
    try {
      Authenticator a = AuthStrategy.authenticator(vertx, GlintConfig.defaults(),
          caller -> caller.roles().contains("cloud-admin"));
      Map<String, String> operator = Map.of("X-Identity-Status", "Confirmed", "X-Roles", "cloud-admin",
          "X-Project-Id", "p1");
      Map<String, String> roleAdmin = Map.of("X-Identity-Status", "Confirmed", "X-Roles", "admin",
          "X-Project-Id", "p1");
      assertTrue(a.authenticate(operator::get, true, "req-1").await().admin());
      assertFalse(a.authenticate(roleAdmin::get, true, "req-2").await().admin());
    } finally {
      vertx.close().await();
    }
  }
}
