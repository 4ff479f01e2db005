package io.glint.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.config.GlintConfig;
import io.glint.error.GlintException;
import io.glint.testing.Await;
import io.glint.testing.MutableClock;
import io.glint.testing.TestKeystone;
import io.glint.testing.TestKeystone.Identity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Keystone authenticator against a real (small) identity server, with a clock the test moves: what a token
 * becomes, what is cached and for how long, Glint's own token, service tokens, and Keystone failing.
 */
class KeystoneAuthenticatorTest {
  private static Vertx vertx;
  private MutableClock clock;
  private TestKeystone keystone;
  private final List<KeystoneAuthenticator> authenticators = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void startKeystone() {
    clock = MutableClock.startingNow();
    keystone = TestKeystone.start(vertx, clock);
  }

  @AfterEach
  void stop() {
    authenticators.forEach(KeystoneAuthenticator::close);
    keystone.close();
  }

  private KeystoneAuthenticator authenticator(Map<String, String> extra, boolean anonymous) {
    Map<String, String> settings = new HashMap<>(keystone.glintSettings());
    settings.putAll(extra);
    KeystoneAuthenticator a = KeystoneAuthenticator.start(vertx, KeystoneSettings.from(GlintConfig.of(settings)),
        anonymous, clock);
    authenticators.add(a);
    return a;
  }

  private KeystoneAuthenticator authenticator() {
    return authenticator(Map.of(), false);
  }

  private static Future<RequestContext> call(Authenticator a, Map<String, String> headers) {
    return a.authenticate(headers::get, false, "req-test");
  }

  private static RequestContext as(Authenticator a, String token) {
    return call(a, Map.of("X-Auth-Token", token)).await();
  }

  private static GlintException.Kind failure(Authenticator a, Map<String, String> headers) {
    Future<RequestContext> f = call(a, headers);
    try {
      f.await();
    } catch (GlintException e) {
      return e.kind();
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }

  @Test
  @DisplayName("a project-scoped token becomes a context: user, project, domains, lower-cased roles")
  void projectScopedToken() {
    String token = keystone.issue(Identity.withRoles("p-alpha", "Member", "reader"));
    RequestContext ctx = as(authenticator(), token);
    assertEquals("u-p-alpha", ctx.userId());
    assertEquals("p-alpha", ctx.projectId());
    assertEquals("default", ctx.userDomainId());
    assertEquals("default", ctx.projectDomainId());
    assertEquals(Set.of("member", "reader"), ctx.roles());
    assertFalse(ctx.admin());
    assertFalse(ctx.readOnly());
    assertNull(ctx.systemScope());
    assertEquals(Set.of(), ctx.serviceRoles());
    assertEquals("req-test", ctx.requestId());
  }

  @Test
  @DisplayName("a system-scoped token ({system: {all: true}}) has system scope 'all' and no project; role admin is admin")
  void systemScopedToken() {
    RequestContext ctx = as(authenticator(), keystone.issue(Identity.systemAdmin()));
    assertEquals("all", ctx.systemScope());
    assertNull(ctx.projectId());
    assertTrue(ctx.admin());
    assertTrue(as(authenticator(), keystone.issue(Identity.withRoles("p-x", "Admin"))).admin(), "roles lower-cased");
  }

  @Test
  @DisplayName("identity headers sent by the client are never read")
  void forgedHeadersIgnored() {
    KeystoneAuthenticator a = authenticator();
    Map<String, String> forged = Map.of("X-Identity-Status", "Confirmed", "X-Roles", "admin",
        "X-Project-Id", "p-victim", "X-User-Id", "root", "OpenStack-System-Scope", "all", "X-Service-Roles", "service");
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, forged));
    Map<String, String> withToken = new HashMap<>(forged);
    withToken.put("X-Auth-Token", keystone.issue(Identity.member("p-mine")));
    RequestContext ctx = call(a, withToken).await();
    assertEquals("p-mine", ctx.projectId());
    assertFalse(ctx.admin());
    assertNull(ctx.systemScope());
    assertEquals(Set.of(), ctx.serviceRoles());
  }

  @Test
  @DisplayName("no token or an unknown one: 401, without asking Keystone when there is no token; anonymous access when allowed")
  void missingAndInvalidTokens() {
    KeystoneAuthenticator a = authenticator();
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of()));
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of("X-Auth-Token", "  ")));
    assertEquals(0, keystone.validations());
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of("X-Auth-Token", "gAAAAAnot-a-token")));
    assertEquals(1, keystone.validations());

    KeystoneAuthenticator anonymous = authenticator(Map.of(), true);
    assertTrue(call(anonymous, Map.of()).await().readOnly());
    RequestContext ctx = call(anonymous, Map.of("X-Auth-Token", "gAAAAAnot-a-token-either")).await();
    assertTrue(ctx.readOnly(), "as Glance: an invalid token with allow_anonymous_access is anonymous");
    assertNull(ctx.userId());
  }

  @Test
  @DisplayName("X-Storage-Token is read when there is no X-Auth-Token; whitespace around tokens is ignored")
  void storageToken() {
    String token = keystone.issue(Identity.member("p-swift"));
    KeystoneAuthenticator a = authenticator();
    assertEquals("p-swift", call(a, Map.of("X-Storage-Token", token)).await().projectId());
    assertEquals("p-swift", call(a, Map.of("X-Auth-Token", " " + token + " ")).await().projectId());
  }

  @Test
  @DisplayName("a cached token needs no round trip; Keystone's 'no' is remembered for a few seconds only")
  void caching() {
    KeystoneAuthenticator a = authenticator();
    String token = keystone.issue(Identity.member("p-cache"));
    as(a, token);
    as(a, token);
    as(a, token);
    assertEquals(1, keystone.validations(token));

    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of("X-Auth-Token", "gAAAAAunknown")));
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of("X-Auth-Token", "gAAAAAunknown")));
    assertEquals(1, keystone.validations("gAAAAAunknown"));
    clock.advance(TokenCache.INVALID_TIME.plusSeconds(1));
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of("X-Auth-Token", "gAAAAAunknown")));
    assertEquals(2, keystone.validations("gAAAAAunknown"));
  }

  @Test
  @DisplayName("a token is cached at most token_cache_time (then Keystone is asked again: revocation window)")
  void cacheTime() {
    KeystoneAuthenticator a = authenticator(Map.of("keystone_authtoken.token_cache_time", "300"), false);
    String token = keystone.issue(Identity.member("p-ttl"), Duration.ofHours(2));
    as(a, token);
    clock.advance(Duration.ofSeconds(299));
    as(a, token);
    assertEquals(1, keystone.validations(token));
    clock.advance(Duration.ofSeconds(2));
    as(a, token);
    assertEquals(2, keystone.validations(token));

    keystone.revoke(token);
    clock.advance(Duration.ofSeconds(299));
    as(a, token); // still trusted: the documented revocation window
    clock.advance(Duration.ofSeconds(2));
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of("X-Auth-Token", token)));
  }

  @Test
  @DisplayName("token_cache_time = -1: every request asks Keystone")
  void noCache() {
    KeystoneAuthenticator a = authenticator(Map.of("keystone_authtoken.token_cache_time", "-1"), false);
    String token = keystone.issue(Identity.member("p-nocache"));
    as(a, token);
    as(a, token);
    assertEquals(2, keystone.validations(token));
  }

  @Test
  @DisplayName("expiry is honoured: a token is not cached into its last 30 s, and refused once expired")
  void expiry() {
    KeystoneAuthenticator a = authenticator();
    String token = keystone.issue(Identity.member("p-exp"), Duration.ofSeconds(60));
    as(a, token);
    clock.advance(Duration.ofSeconds(20));
    as(a, token);
    assertEquals(1, keystone.validations(token), "cached until 30 s before expiry");
    clock.advance(Duration.ofSeconds(15));
    as(a, token);
    assertEquals(2, keystone.validations(token), "in its last 30 s a token is asked about again");
    clock.advance(Duration.ofSeconds(30));
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(a, Map.of("X-Auth-Token", token)));
  }

  @Test
  @DisplayName("N concurrent requests with one uncached token cause one validation")
  void oneValidationForConcurrentRequests() throws Exception {
    KeystoneAuthenticator a = authenticator();
    Await.until(() -> keystone.serviceAuthentications() == 1, Duration.ofSeconds(10), "Glint authenticated");
    String token = keystone.issue(Identity.member("p-crowd"));
    keystone.hold();
    List<Future<RequestContext>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(call(a, Map.of("X-Auth-Token", token)));
    }
    Await.until(() -> keystone.validations(token) == 1, Duration.ofSeconds(10), "the validation reached Keystone");
    assertTrue(calls.stream().noneMatch(Future::isComplete), "all wait for the one validation");
    keystone.release();
    for (Future<RequestContext> c : calls) {
      assertEquals("p-crowd", c.await().projectId());
    }
    assertEquals(1, keystone.validations(token));
  }

  @Test
  @DisplayName("calls from several event loops share one validation and complete on their own event loop")
  void completesOnCallersContext() throws Exception {
    KeystoneAuthenticator a = authenticator();
    String token = keystone.issue(Identity.member("p-loops"));
    keystone.hold();
    List<io.vertx.core.Context> contexts = new ArrayList<>();
    List<Future<Boolean>> sameThread = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      io.vertx.core.Context context = vertx.getOrCreateContext();
      contexts.add(context);
      io.vertx.core.Promise<Boolean> p = io.vertx.core.Promise.promise();
      sameThread.add(p.future());
      context.runOnContext(v -> {
        Thread caller = Thread.currentThread();
        call(a, Map.of("X-Auth-Token", token)).onComplete(ar -> p.complete(ar.succeeded()
            && Thread.currentThread() == caller && io.vertx.core.Vertx.currentContext() == context));
      });
    }
    Await.until(() -> keystone.validations(token) == 1, Duration.ofSeconds(10), "the validation reached Keystone");
    keystone.release();
    for (Future<Boolean> f : sameThread) {
      assertTrue(f.await(), "completed on the caller's event loop");
    }
    assertEquals(1, keystone.validations(token));
  }

  @Test
  @DisplayName("X-Service-Token: its roles are the service roles; ignored when invalid, or without a service role if required")
  void serviceTokens() {
    String user = keystone.issue(Identity.member("p-user"));
    String service = keystone.issue(Identity.withRoles("p-service", "service"));
    String notService = keystone.issue(Identity.withRoles("p-other", "member"));
    KeystoneAuthenticator lenient = authenticator();
    assertEquals(Set.of("service"), call(lenient, Map.of("X-Auth-Token", user, "X-Service-Token", service)).await()
        .serviceRoles());
    assertEquals(Set.of("member"), call(lenient, Map.of("X-Auth-Token", user, "X-Service-Token", notService))
        .await().serviceRoles(), "service_token_roles_required = false: any valid token's roles");
    RequestContext invalid = call(lenient, Map.of("X-Auth-Token", user, "X-Service-Token", "gAAAAAbogus")).await();
    assertEquals(Set.of(), invalid.serviceRoles());
    assertEquals("p-user", invalid.projectId(), "an invalid service token does not refuse the user");

    KeystoneAuthenticator strict = authenticator(Map.of("keystone_authtoken.service_token_roles_required", "true"),
        false);
    assertEquals(Set.of("service"), call(strict, Map.of("X-Auth-Token", user, "X-Service-Token", service)).await()
        .serviceRoles());
    assertEquals(Set.of(), call(strict, Map.of("X-Auth-Token", user, "X-Service-Token", notService)).await()
        .serviceRoles());
    assertEquals(GlintException.Kind.UNAUTHORIZED, failure(strict, Map.of("X-Service-Token", service)),
        "a service token alone authenticates nobody");
  }

  @Test
  @DisplayName("Glint's own token is renewed in the background before it expires; a request never waits for that")
  void serviceTokenRenewal() throws Exception {
    KeystoneAuthenticator a = authenticator();
    as(a, keystone.issue(Identity.member("p-1")));
    assertEquals(1, keystone.serviceAuthentications());
    String first = keystone.serviceTokens().get(0);
    assertEquals(List.of(first), keystone.authTokensUsed());

    clock.advance(Duration.ofMinutes(56)); // renewal is due 5 minutes before the hour's end
    as(a, keystone.issue(Identity.member("p-2")));
    assertEquals(first, keystone.authTokensUsed().get(1), "validated at once with the current token");
    Await.until(() -> keystone.serviceAuthentications() == 2, Duration.ofSeconds(10), "renewed in the background");
    String second = keystone.serviceTokens().get(1);
    as(a, keystone.issue(Identity.member("p-3")));
    assertEquals(second, keystone.authTokensUsed().get(2), "the renewed token is used from then on");

    clock.advance(Duration.ofHours(2)); // the renewed token has expired too: a request waits for a new one
    as(a, keystone.issue(Identity.member("p-4")));
    assertEquals(3, keystone.serviceAuthentications());
    assertEquals(keystone.serviceTokens().get(2), keystone.authTokensUsed().get(3));
  }

  @Test
  @DisplayName("when Keystone rejects Glint's own token (401), Glint authenticates again and asks once more")
  void serviceTokenRejected() {
    KeystoneAuthenticator a = authenticator();
    as(a, keystone.issue(Identity.member("p-before")));
    keystone.revokeServiceTokens();
    assertEquals("p-after", as(a, keystone.issue(Identity.member("p-after"))).projectId());
    assertEquals(2, keystone.serviceAuthentications());
  }

  @Test
  @DisplayName("Keystone failing (5xx) is a 503, not cached: the token works once Keystone does; cached tokens keep working")
  void keystoneFailing() {
    KeystoneAuthenticator a = authenticator();
    String cached = keystone.issue(Identity.member("p-cached"));
    as(a, cached);
    String fresh = keystone.issue(Identity.member("p-fresh"));
    keystone.failWith(500);
    assertEquals(GlintException.Kind.UNAVAILABLE, failure(a, Map.of("X-Auth-Token", fresh)));
    assertEquals("p-cached", as(a, cached).projectId());
    keystone.failWith(503);
    assertEquals(GlintException.Kind.UNAVAILABLE, failure(a, Map.of("X-Auth-Token", fresh)));
    keystone.failWith(0);
    assertEquals("p-fresh", as(a, fresh).projectId());
  }

  @Test
  @DisplayName("Keystone unreachable, or refusing Glint's credentials: 503, never a pass and never a 401")
  void keystoneUnreachableOrRefusing() {
    KeystoneAuthenticator wrongPassword = authenticator(Map.of("keystone_authtoken.password", "wrong"), false);
    assertEquals(GlintException.Kind.UNAVAILABLE,
        failure(wrongPassword, Map.of("X-Auth-Token", keystone.issue(Identity.member("p-a")))));

    String token = keystone.issue(Identity.member("p-b"));
    String url = keystone.url();
    keystone.close();
    KeystoneAuthenticator unreachable = authenticator(Map.of("keystone_authtoken.auth_url", url), false);
    assertEquals(GlintException.Kind.UNAVAILABLE, failure(unreachable, Map.of("X-Auth-Token", token)));
    keystone = TestKeystone.start(vertx, clock); // for @AfterEach
  }

  @Test
  @DisplayName("include_service_catalog = false asks Keystone for no catalog; the answer is still understood")
  void noCatalog() {
    KeystoneAuthenticator a = authenticator(Map.of("keystone_authtoken.include_service_catalog", "false"), false);
    assertEquals("p-nc", as(a, keystone.issue(Identity.member("p-nc"))).projectId());
  }

  @Test
  @DisplayName("WWW-Authenticate names www_authenticate_uri, else auth_url")
  void challenge() {
    assertEquals("Keystone uri=\"http://keystone.example.com:5000\"", authenticator().challenge());
    Map<String, String> settings = new HashMap<>(keystone.glintSettings());
    settings.remove("keystone_authtoken.www_authenticate_uri");
    assertEquals(keystone.url(), KeystoneSettings.from(GlintConfig.of(settings)).wwwAuthenticateUri());
    settings.put("keystone_authtoken.auth_uri", "http://old.example.com:5000");
    assertEquals("http://old.example.com:5000", KeystoneSettings.from(GlintConfig.of(settings)).wwwAuthenticateUri());
  }

  @Test
  @DisplayName("token bodies: domain scope, bind, roles lower-cased, Keystone's time formats; no user is malformed")
  void keystoneTokenParsing() {
    io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject("""
        {"token": {"methods": ["password"], "expires_at": "2030-01-01T00:00:00.000000Z",
          "user": {"id": "u1", "domain": {"id": "d1", "name": "D"}}, "roles": [{"id": "r", "name": "Reader"}],
          "domain": {"id": "d9", "name": "Dom"}, "bind": {"kerberos": "user@REALM"}}}""");
    KeystoneToken t = KeystoneToken.fromJson(body);
    assertEquals("d9", t.domainId());
    assertNull(t.projectId());
    assertTrue(t.bound());
    assertEquals(Set.of("reader"), t.roles());
    assertEquals(java.time.Instant.parse("2030-01-01T00:00:00Z"), t.expiresAt());
    assertEquals(java.time.Instant.parse("2030-01-01T00:00:00Z"), KeystoneToken.time("2030-01-01T00:00:00"));
    assertInstanceOf(KeystoneToken.Malformed.class, org.junit.jupiter.api.Assertions.assertThrows(
        RuntimeException.class, () -> KeystoneToken.fromJson(new io.vertx.core.json.JsonObject("{\"token\": {}}"))));
  }
}
