package io.glint.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What Keystone vouches for about a token: the body of {@code GET /v3/auth/tokens} (and of
 * {@code POST /v3/auth/tokens}), reduced to what keystonemiddleware turns into identity headers.
 *
 * @param userId the user
 * @param userDomainId the user's domain
 * @param projectId the project of a project-scoped token, else null
 * @param projectDomainId that project's domain, else null
 * @param domainId the domain of a domain-scoped token, else null
 * @param systemAll whether the token is system-scoped to the whole deployment ({@code system: {all: true}})
 * @param roles role names, lower-cased as Glance's context middleware keeps them
 * @param expiresAt when the token stops being valid
 * @param bound whether the token carries {@code bind} information
 * @param accessRules whether the token is an application credential's restricted by access rules
 * @param imageEndpoints the {@code image} endpoints of the token's catalog (none without a catalog)
 */
public record KeystoneToken(String userId, String userDomainId, String projectId, String projectDomainId,
    String domainId, boolean systemAll, Set<String> roles, Instant expiresAt, boolean bound, boolean accessRules,
    List<CallerToken.Endpoint> imageEndpoints) {

  public KeystoneToken {
    roles = Set.copyOf(roles);
    imageEndpoints = List.copyOf(imageEndpoints);
  }

  /** Thrown when a token body lacks what every Keystone v3 token has (keystonemiddleware: invalid token). */
  public static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /** Reads a {@code {"token": {...}}} body. */
  public static KeystoneToken fromJson(JsonObject body) {
    JsonObject token = object(body, "token");
    if (token == null) {
      throw new Malformed("no 'token' object");
    }
    JsonObject user = object(token, "user");
    if (user == null || user.getValue("id") == null) {
      throw new Malformed("no user id");
    }
    JsonObject project = object(token, "project");
    JsonObject domain = object(token, "domain");
    JsonObject system = object(token, "system");
    Set<String> roles = new LinkedHashSet<>();
    Object rolesValue = token.getValue("roles");
    if (rolesValue instanceof JsonArray array) {
      for (Object role : array) {
        if (role instanceof JsonObject r && r.getValue("name") instanceof String name) {
          roles.add(name.toLowerCase(Locale.ROOT));
        }
      }
    }
    Object expires = token.getValue("expires_at");
    if (!(expires instanceof String text)) {
      throw new Malformed("no expires_at");
    }
    JsonObject appCred = object(token, "application_credential");
    JsonObject bind = object(token, "bind");
    return new KeystoneToken(
        string(user, "id"),
        string(object(user, "domain"), "id"),
        string(project, "id"),
        string(object(project, "domain"), "id"),
        string(domain, "id"),
        system != null && Boolean.TRUE.equals(system.getValue("all")),
        roles,
        time(text),
        bind != null && !bind.isEmpty(),
        appCred != null && appCred.getValue("access_rules") != null,
        imageEndpoints(token.getValue("catalog")));
  }

  /**
   * The {@code image} endpoints of a v3 catalog, with the region keystonemiddleware puts in
   * {@code X-Service-Catalog} ({@code region}, else {@code region_id}).
   */
  static List<CallerToken.Endpoint> imageEndpoints(Object catalog) {
    List<CallerToken.Endpoint> out = new ArrayList<>();
    if (!(catalog instanceof JsonArray services)) {
      return out;
    }
    for (Object s : services) {
      if (!(s instanceof JsonObject service) || !"image".equals(service.getValue("type"))
          || !(service.getValue("endpoints") instanceof JsonArray endpoints)) {
        continue;
      }
      for (Object e : endpoints) {
        if (e instanceof JsonObject endpoint && endpoint.getValue("url") instanceof String url
            && endpoint.getValue("interface") instanceof String iface) {
          Object region = endpoint.getValue("region");
          if (region == null) {
            region = endpoint.getValue("region_id");
          }
          out.add(new CallerToken.Endpoint(region == null ? null : region.toString(), iface, url));
        }
      }
    }
    return out;
  }

  /**
   * Keystone's times: {@code 2015-11-07T02:58:43.578887Z}; also with an offset, or without one (UTC), as older
   * releases wrote them.
   */
  static Instant time(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw new Malformed("unreadable time '" + text + "'");
      }
    }
  }

  private static JsonObject object(JsonObject parent, String key) {
    return parent != null && parent.getValue(key) instanceof JsonObject o ? o : null;
  }

  private static String string(JsonObject parent, String key) {
    Object value = parent == null ? null : parent.getValue(key);
    return value == null ? null : value.toString();
  }
}
