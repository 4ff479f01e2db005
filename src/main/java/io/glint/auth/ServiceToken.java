package io.glint.auth;

import java.time.Duration;
import java.time.Instant;

/**
 * Glint's own token, sent as {@code X-Auth-Token} when it asks Keystone about callers' tokens.
 *
 * @param id the token ({@code X-Subject-Token} of the answer to {@code POST /v3/auth/tokens}); never logged
 * @param issuedAt when Keystone issued it (or when Glint received it)
 * @param expiresAt when it stops being valid
 * @param identityEndpoint the Identity v3 base URL tokens are validated at
 */
public record ServiceToken(String id, Instant issuedAt, Instant expiresAt, String identityEndpoint) {

  /** Renewal starts a quarter of the token's life, at most five minutes, before it expires. */
  public Instant renewAt() {
    Duration life = Duration.between(issuedAt, expiresAt);
    Duration margin = life.dividedBy(4);
    if (margin.compareTo(Duration.ofMinutes(5)) > 0) {
      margin = Duration.ofMinutes(5);
    }
    return expiresAt.minus(margin);
  }

  /** Still good to send: more than 10 s left (renewal started long before, see {@link #renewAt()}). */
  public boolean usableAt(Instant now) {
    return now.isBefore(expiresAt.minusSeconds(10));
  }

  @Override
  public String toString() {
    return "ServiceToken[expires " + expiresAt + ", endpoint " + identityEndpoint + "]";
  }
}
