package io.glint.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;

/**
 * Where tokens are validated: the identity endpoint of Glint's own token's catalog for the configured interface
 * (and region), as keystonemiddleware's adapter finds it, else {@code auth_url}; in either case the Identity v3
 * base URL ({@code .../v3}). Glint does not run version discovery: an unversioned URL gets {@code /v3}
 * appended and a {@code /v2.0} one has it replaced, which is where every Keystone since Queens serves v3.
 */
final class IdentityEndpoint {
  private IdentityEndpoint() {}

  /** The v3 base of an identity URL, without a trailing slash. */
  static String v3(String url) {
    String u = url;
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    String lower = u.toLowerCase(Locale.ROOT);
    if (lower.endsWith("/v3")) {
      return u;
    }
    if (lower.endsWith("/v2.0") || lower.endsWith("/v3.0")) {
      return u.substring(0, u.lastIndexOf('/')) + "/v3";
    }
    return u + "/v3";
  }

  /** The URL of the first {@code identity} endpoint of {@code catalog} with this interface and region. */
  static Optional<String> fromCatalog(JsonArray catalog, String endpointInterface, String region) {
    if (catalog == null) {
      return Optional.empty();
    }
    for (Object s : catalog) {
      if (!(s instanceof JsonObject service) || !"identity".equals(service.getValue("type"))
          || !(service.getValue("endpoints") instanceof JsonArray endpoints)) {
        continue;
      }
      for (Object e : endpoints) {
        if (e instanceof JsonObject endpoint
            && endpointInterface.equalsIgnoreCase(String.valueOf(endpoint.getValue("interface")))
            && (region == null || region.equals(endpoint.getValue("region_id"))
                || region.equals(endpoint.getValue("region")))
            && endpoint.getValue("url") instanceof String url) {
          return Optional.of(url);
        }
      }
    }
    return Optional.empty();
  }
}
