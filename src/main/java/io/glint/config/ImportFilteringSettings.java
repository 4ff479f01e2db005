package io.glint.config;

import static io.glint.config.Options.*;

import java.util.List;

/**
 * Which URLs Glint may fetch from (Glance's [import_filtering_opts]): the HTTP store, later web-download. An
 * empty "allowed" list means "anything not disallowed".
 */
public record ImportFilteringSettings(List<String> allowedSchemes, List<String> disallowedSchemes,
    List<String> allowedHosts, List<String> disallowedHosts, List<String> allowedPorts,
    List<String> disallowedPorts) {

  static ImportFilteringSettings from(GlintConfig c) {
    return new ImportFilteringSettings(c.get(ALLOWED_SCHEMES), c.get(DISALLOWED_SCHEMES), c.get(ALLOWED_HOSTS),
        c.get(DISALLOWED_HOSTS), c.get(ALLOWED_PORTS), c.get(DISALLOWED_PORTS));
  }
}
