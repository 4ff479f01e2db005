package io.glint.auth;

/** Keystone's verdict on one token: valid, with what it vouches for, or not. */
public sealed interface TokenCheck {

  /** Keystone knows the token: {@code 200} to {@code GET /v3/auth/tokens}. */
  record Valid(KeystoneToken token) implements TokenCheck {}

  /** Keystone does not know the token, or it is not usable here; {@code reason} is for the log. */
  record Invalid(String reason) implements TokenCheck {}
}
