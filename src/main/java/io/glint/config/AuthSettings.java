package io.glint.config;

import static io.glint.config.Options.*;

/**
 * Who the caller is taken to be. Which authenticator these settings give is decided in one place,
 * {@code io.glint.auth.AuthStrategy}; the Keystone options ([keystone_authtoken]) are read by
 * {@code io.glint.auth.KeystoneSettings}.
 *
 * @param pasteFlavor request pipeline ([paste_deploy] flavor): "keystone", "keystone+caching", …, "", "caching",
 *     "cachemanagement" or "noauth"
 * @param authStrategy Glint's [DEFAULT] auth_strategy: "keystone", "trusted-headers", "noauth", or "" (from the flavor)
 * @param keystoneConfigured whether [keystone_authtoken] auth_url is set
 * @param allowAnonymousAccess whether anonymous callers may read public images ([DEFAULT] allow_anonymous_access)
 * @param trustedHeaderAnyHost whether identity headers are trusted from non-loopback peers (Glint's [DEFAULT]
 *     trusted_header_any_host)
 */
public record AuthSettings(String pasteFlavor, String authStrategy, boolean keystoneConfigured,
    boolean allowAnonymousAccess, boolean trustedHeaderAnyHost) {

  static AuthSettings from(GlintConfig c) {
    return new AuthSettings(c.get(PASTE_FLAVOR), c.get(AUTH_STRATEGY), c.get(AUTH_URL) != null,
        c.get(ALLOW_ANONYMOUS_ACCESS), c.get(TRUSTED_HEADER_ANY_HOST));
  }

  /**
   * True when the flavor is one of Glance's unauthenticated pipelines ("", "caching", "cachemanagement"; also
   * "noauth"): every request is admin unless auth_strategy says otherwise.
   */
  public boolean unauthenticated() {
    return !pasteFlavor.startsWith("keystone");
  }
}
