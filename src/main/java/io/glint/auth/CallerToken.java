package io.glint.auth;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The caller's own Keystone token, kept on the request context for the work done on the caller's behalf
 * (glance-download calls another region's Glance with it, as Glance uses {@code context.auth_token}), with the
 * {@code image} endpoints of the token's catalog (Glance's {@code context.service_catalog}, reduced to the one
 * service Glance reads there, so that cached tokens stay small). Never printed.
 */
public final class CallerToken {

  /** One {@code image} endpoint of the token's catalog. */
  public record Endpoint(String region, String endpointInterface, String url) {}

  private final String id;
  private final List<Endpoint> imageEndpoints;

  public CallerToken(String id, List<Endpoint> imageEndpoints) {
    this.id = id;
    this.imageEndpoints = List.copyOf(imageEndpoints);
  }

  /** The token, for {@code X-Auth-Token}. */
  public String id() {
    return id;
  }

  public List<Endpoint> imageEndpoints() {
    return imageEndpoints;
  }

  /**
   * Glance's {@code get_glance_endpoint}: the first {@code image} endpoint whose region is {@code region}
   * (compared without case) with this interface.
   */
  public Optional<String> imageEndpoint(String region, String endpointInterface) {
    String wanted = region.toLowerCase(Locale.ROOT);
    for (Endpoint e : imageEndpoints) {
      if (e.region() != null && e.region().toLowerCase(Locale.ROOT).equals(wanted)
          && e.endpointInterface().equalsIgnoreCase(endpointInterface)) {
        return Optional.of(e.url());
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "CallerToken[<hidden>, " + imageEndpoints.size() + " image endpoints]";
  }
}
