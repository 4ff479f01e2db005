package io.glint.config;

import static io.glint.config.Options.*;

/**
 * Who the caller is taken to be.
 *
 * @param pasteFlavor request pipeline ([paste_deploy] flavor): "keystone", "keystone+caching", …, "" or "noauth"
 * @param allowAnonymousAccess whether anonymous callers may read public images ([DEFAULT] allow_anonymous_access)
 * @param trustedHeaderAnyHost whether identity headers are trusted from non-loopback peers (Glint's [DEFAULT]
 *     trusted_header_any_host)
 */
public record AuthSettings(String pasteFlavor, boolean allowAnonymousAccess, boolean trustedHeaderAnyHost) {

  static AuthSettings from(GlintConfig c) {
    return new AuthSettings(c.get(PASTE_FLAVOR), c.get(ALLOW_ANONYMOUS_ACCESS), c.get(TRUSTED_HEADER_ANY_HOST));
  }

  /** True when the flavor is "" or "noauth": no authentication, every request is admin. */
  public boolean unauthenticated() {
    return pasteFlavor.isEmpty() || pasteFlavor.equals("noauth");
  }
}
