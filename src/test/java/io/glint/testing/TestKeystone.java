package io.glint.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small Keystone for tests: a real Vert.x HTTP server on a random port of 127.0.0.1 that answers the two
 * calls keystonemiddleware makes as Keystone (Zed) does. {@code POST /v3/auth/tokens} with password
 * credentials: 201, {@code X-Subject-Token}, the token body (methods, user and domain, project and domain or
 * system scope, roles, catalog, {@code expires_at}/{@code issued_at} with microseconds); wrong credentials: 401.
 * {@code GET /v3/auth/tokens}: 401 without a valid {@code X-Auth-Token}; 404 with Keystone's error body for an
 * unknown or expired {@code X-Subject-Token}; else 200 with the token ({@code ?nocatalog} leaves the catalog
 * out). Bodies follow Keystone's api-ref samples. It counts validations per token, can hold them (to test
 * concurrent requests), fail them with a status, and revoke the service user's tokens.
 */
public final class TestKeystone implements AutoCloseable {
  public static final String SERVICE_USER = "glance";
  public static final String SERVICE_PASSWORD = "glance-secret";
  public static final String SERVICE_PROJECT = "service";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** A user and the scope of a token: project-scoped unless {@code system}. */
  public record Identity(String userId, String userName, String projectId, String projectName, List<String> roles,
      boolean system) {
    public static Identity member(String project) {
      return new Identity("u-" + project, "user-" + project, project, "name-" + project, List.of("member", "reader"),
          false);
    }

    public static Identity withRoles(String project, String... roles) {
      return new Identity("u-" + project, "user-" + project, project, "name-" + project, List.of(roles), false);
    }

    public static Identity systemAdmin() {
      return new Identity("u-system", "system-admin", null, null, List.of("admin", "member", "reader"), true);
    }
  }

  private record Issued(Identity who, Instant issuedAt, Instant expiresAt, String auditId) {}

  private final Vertx vertx;
  private final InstantSource clock;
  private final HttpServer server;
  private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
  private final Set<String> serviceTokens = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> validationsPerToken = new ConcurrentHashMap<>();
  private final AtomicInteger validations = new AtomicInteger();
  private final AtomicInteger serviceAuthentications = new AtomicInteger();
  private final List<String> authTokensUsed = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<Runnable> held = new ArrayList<>();
  private volatile boolean holding;
  private volatile int failWith;
  private volatile Duration serviceTokenLifetime = Duration.ofHours(1);
  private final List<String[]> imageEndpoints = new java.util.concurrent.CopyOnWriteArrayList<>();

  private TestKeystone(Vertx vertx, InstantSource clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
  }

  public static TestKeystone start(Vertx vertx, InstantSource clock) {
    TestKeystone keystone = new TestKeystone(vertx, clock);
    keystone.server.listen(0, "127.0.0.1").await();
    return keystone;
  }

  /** The unversioned endpoint, as {@code auth_url} usually names it. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The {@code [keystone_authtoken]} settings of a Glint using this Keystone (no connection retries). */
  public Map<String, String> glintSettings() {
    Map<String, String> s = new HashMap<>();
    s.put("keystone_authtoken.www_authenticate_uri", "http://keystone.example.com:5000");
    s.put("keystone_authtoken.auth_url", url());
    s.put("keystone_authtoken.auth_type", "password");
    s.put("keystone_authtoken.username", SERVICE_USER);
    s.put("keystone_authtoken.password", SERVICE_PASSWORD);
    s.put("keystone_authtoken.user_domain_name", "Default");
    s.put("keystone_authtoken.project_name", SERVICE_PROJECT);
    s.put("keystone_authtoken.project_domain_name", "Default");
    s.put("keystone_authtoken.http_request_max_retries", "0");
    return s;
  }

  /** A new token for {@code who}, valid for {@code lifetime} from now (by the clock). */
  public String issue(Identity who, Duration lifetime) {
    String id = newTokenId();
    Instant now = clock.instant();
    tokens.put(id, new Issued(who, now, now.plus(lifetime), newTokenId().substring(0, 22)));
    return id;
  }

  /** A new token for {@code who}, valid for an hour. */
  public String issue(Identity who) {
    return issue(who, Duration.ofHours(1));
  }

  /** Forgets a token, as a revocation does. */
  public void revoke(String token) {
    tokens.remove(token);
  }

  /** Tokens issued to the service user stop being accepted as X-Auth-Token (as after a password change). */
  public void revokeServiceTokens() {
    serviceTokens.forEach(tokens::remove);
    serviceTokens.clear();
  }

  /**
   * Adds an {@code image} endpoint in {@code region} (public, internal and admin interfaces, all at {@code url}) to
   * the catalog of every token, beside RegionOne's {@code http://127.0.0.1:9292}: another region's Glance.
   */
  public void imageEndpoint(String region, String url) {
    imageEndpoints.add(new String[] {region, url});
  }

  public void serviceTokenLifetime(Duration lifetime) {
    serviceTokenLifetime = lifetime;
  }

  /** From now on every request is answered with this status (0: normal answers again). */
  public void failWith(int status) {
    failWith = status;
  }

  /** Validations arriving from now on are held until {@link #release()}. */
  public synchronized void hold() {
    holding = true;
  }

  public void release() {
    List<Runnable> waiting;
    synchronized (this) {
      holding = false;
      waiting = new ArrayList<>(held);
      held.clear();
    }
    waiting.forEach(r -> vertx.runOnContext(v -> r.run()));
  }

  /** Validations received (GET /v3/auth/tokens), held ones included. */
  public int validations() {
    return validations.get();
  }

  public int validations(String token) {
    AtomicInteger n = validationsPerToken.get(token);
    return n == null ? 0 : n.get();
  }

  /** Successful authentications of the service user (POST /v3/auth/tokens). */
  public int serviceAuthentications() {
    return serviceAuthentications.get();
  }

  /** The X-Auth-Token of each validation received, in order. */
  public List<String> authTokensUsed() {
    synchronized (authTokensUsed) {
      return List.copyOf(authTokensUsed);
    }
  }

  /** The service tokens issued so far (the last one is the newest). */
  public List<String> serviceTokens() {
    return tokens.entrySet().stream().filter(e -> serviceTokens.contains(e.getKey()))
        .sorted(java.util.Comparator.comparing(e -> e.getValue().issuedAt())).map(Map.Entry::getKey).toList();
  }

  @Override
  public void close() {
    server.close().await();
  }

  // ------------------------------------------------------------------------------------------ HTTP

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      if (failWith != 0) {
        error(request, failWith, failWith >= 500 ? "An unexpected error prevented the server from fulfilling "
            + "your request." : "Failure", failWith >= 500 ? "Internal Server Error" : "Error");
        return;
      }
      if (!request.path().equals("/v3/auth/tokens")) {
        error(request, 404, "The resource could not be found.", "Not Found");
      } else if (request.method() == HttpMethod.POST) {
        authenticate(request, body);
      } else if (request.method() == HttpMethod.GET) {
        validations.incrementAndGet();
        String subject = request.getHeader("X-Subject-Token");
        if (subject != null) {
          validationsPerToken.computeIfAbsent(subject, k -> new AtomicInteger()).incrementAndGet();
        }
        authTokensUsed.add(String.valueOf(request.getHeader("X-Auth-Token")));
        synchronized (this) {
          if (holding) {
            held.add(() -> validate(request));
            return;
          }
        }
        validate(request);
      } else {
        error(request, 405, "The method is not allowed for the requested URL.", "Method Not Allowed");
      }
    });
  }

  private void authenticate(HttpServerRequest request, Buffer body) {
    JsonObject auth;
    try {
      auth = body.toJsonObject().getJsonObject("auth");
    } catch (RuntimeException e) {
      error(request, 400, "Expecting to find auth in request body.", "Bad Request");
      return;
    }
    JsonObject user = auth.getJsonObject("identity").getJsonObject("password").getJsonObject("user");
    JsonObject project = auth.getJsonObject("scope", new JsonObject()).getJsonObject("project");
    boolean ok = SERVICE_USER.equals(user.getString("name")) && SERVICE_PASSWORD.equals(user.getString("password"))
        && "Default".equals(user.getJsonObject("domain", new JsonObject()).getString("name"))
        && project != null && SERVICE_PROJECT.equals(project.getString("name"));
    if (!ok) {
      error(request, 401, "The request you have made requires authentication.", "Unauthorized");
      return;
    }
    serviceAuthentications.incrementAndGet();
    String id = issue(new Identity("u-glance", SERVICE_USER, "p-service", SERVICE_PROJECT,
        List.of("service", "admin"), false), serviceTokenLifetime);
    serviceTokens.add(id);
    request.response().setStatusCode(201)
        .putHeader("X-Subject-Token", id)
        .putHeader("Vary", "X-Auth-Token")
        .putHeader("Content-Type", "application/json")
        .putHeader("x-openstack-request-id", "req-" + java.util.UUID.randomUUID())
        .end(body(tokens.get(id), true).encode());
  }

  private void validate(HttpServerRequest request) {
    String authToken = request.getHeader("X-Auth-Token");
    Issued caller = authToken == null ? null : tokens.get(authToken);
    if (caller == null || !clock.instant().isBefore(caller.expiresAt())) {
      request.response().putHeader("WWW-Authenticate", "Keystone uri=\"" + url() + "\"");
      error(request, 401, "The request you have made requires authentication.", "Unauthorized");
      return;
    }
    String subject = request.getHeader("X-Subject-Token");
    Issued token = subject == null ? null : tokens.get(subject);
    if (token == null) {
      error(request, 404, "Could not find token: " + subject + ".", "Not Found");
      return;
    }
    if (!clock.instant().isBefore(token.expiresAt())) {
      error(request, 404, "Failed to validate token", "Not Found");
      return;
    }
    request.response().setStatusCode(200)
        .putHeader("X-Subject-Token", subject)
        .putHeader("Vary", "X-Auth-Token")
        .putHeader("Content-Type", "application/json")
        .putHeader("x-openstack-request-id", "req-" + java.util.UUID.randomUUID())
        .end(body(token, request.getParam("nocatalog") == null).encode());
  }

  /** A token body in the shape of Keystone's api-ref samples (auth-password-project-scoped-response.json). */
  private JsonObject body(Issued t, boolean catalog) {
    Identity who = t.who();
    JsonObject defaultDomain = new JsonObject().put("id", "default").put("name", "Default");
    JsonArray roles = new JsonArray();
    who.roles().forEach(r -> roles.add(new JsonObject().put("id", "r-" + r).put("name", r)));
    JsonObject token = new JsonObject()
        .put("methods", new JsonArray().add("password"))
        .put("user", new JsonObject().put("domain", defaultDomain.copy()).put("id", who.userId())
            .put("name", who.userName()).put("password_expires_at", null))
        .put("audit_ids", new JsonArray().add(t.auditId()))
        .put("expires_at", TIME.format(t.expiresAt()))
        .put("issued_at", TIME.format(t.issuedAt()))
        .put("roles", roles);
    if (who.system()) {
      token.put("system", new JsonObject().put("all", true));
    } else {
      token.put("project", new JsonObject().put("domain", defaultDomain.copy()).put("id", who.projectId())
          .put("name", who.projectName()));
      token.put("is_domain", false);
    }
    if (catalog) {
      token.put("catalog", new JsonArray()
          .add(service("identity", "keystone", url() + "/v3/"))
          .add(imageService()));
    }
    return new JsonObject().put("token", token);
  }

  private JsonObject imageService() {
    JsonObject image = service("image", "glance", "http://127.0.0.1:9292");
    for (String[] extra : imageEndpoints) {
      for (String iface : List.of("public", "internal", "admin")) {
        image.getJsonArray("endpoints").add(new JsonObject().put("region_id", extra[0]).put("url", extra[1])
            .put("region", extra[0]).put("interface", iface).put("id", newTokenId().substring(0, 32)));
      }
    }
    return image;
  }

  private static JsonObject service(String type, String name, String url) {
    JsonArray endpoints = new JsonArray();
    for (String iface : List.of("public", "internal", "admin")) {
      endpoints.add(new JsonObject().put("region_id", "RegionOne").put("url", url).put("region", "RegionOne")
          .put("interface", iface).put("id", newTokenId().substring(0, 32)));
    }
    return new JsonObject().put("endpoints", endpoints).put("type", type).put("id", newTokenId().substring(0, 32))
        .put("name", name);
  }

  /** Keystone's error body: {@code {"error": {"code": 404, "message": "...", "title": "Not Found"}}}. */
  private static void error(HttpServerRequest request, int status, String message, String title) {
    request.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Vary", "X-Auth-Token")
        .end(new JsonObject().put("error", new JsonObject().put("code", status).put("message", message)
            .put("title", title)).encode());
  }

  /** A Fernet-looking token id: ~180 URL-safe base64 characters. */
  private static String newTokenId() {
    byte[] bytes = new byte[135];
    ThreadLocalRandom.current().nextBytes(bytes);
    return "gAAAAA" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
