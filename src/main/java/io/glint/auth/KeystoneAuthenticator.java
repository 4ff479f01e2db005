package io.glint.auth;

import io.glint.error.GlintException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.InstantSource;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keystonemiddleware's {@code auth_token} followed by Glance's {@code ContextMiddleware}, with
 * {@code delay_auth_decision = true} as in Glance's paste pipeline: the caller's {@code X-Auth-Token} (or
 * {@code X-Storage-Token}) is validated with Keystone, and an {@code X-Service-Token} too; what Keystone vouches
 * for becomes the request context. Identity headers a client sends ({@code X-Identity-Status}, {@code X-Roles},
 * {@code X-Project-Id}...) are never read. No token or an invalid one is a 401 (or, with
 * {@code allow_anonymous_access}, a read-only anonymous context, as in Glance); Keystone unreachable or failing
 * is a 503, never a pass.
 */
public final class KeystoneAuthenticator implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);

  private final KeystoneSettings settings;
  private final boolean allowAnonymous;
  private final InstantSource clock;
  private final IdentityClient client;
  private final KeystoneSession session;
  private final TokenValidator validator;
  private final String challenge;
  private final AtomicBoolean warnedServiceToken = new AtomicBoolean();

  private KeystoneAuthenticator(KeystoneSettings settings, boolean allowAnonymous, InstantSource clock,
      IdentityClient client, KeystoneSession session, TokenValidator validator) {
    this.settings = settings;
    this.allowAnonymous = allowAnonymous;
    this.clock = clock;
    this.client = client;
    this.session = session;
    this.validator = validator;
    this.challenge = "Keystone uri=\"" + settings.wwwAuthenticateUri() + "\"";
  }

  /** An authenticator that has started to authenticate Glint itself (in the background). */
  public static KeystoneAuthenticator start(Vertx vertx, KeystoneSettings settings, boolean allowAnonymous,
      InstantSource clock) {
    IdentityClient client = new IdentityClient(vertx, settings, clock);
    KeystoneSession session = new KeystoneSession(vertx, client, clock);
    TokenCache cache = new TokenCache(settings.tokenCacheSize(), settings.tokenCacheTime(), clock);
    KeystoneAuthenticator authenticator = new KeystoneAuthenticator(settings, allowAnonymous, clock, client,
        session, new TokenValidator(session, client, cache));
    LOG.info("Keystone authentication: tokens validated with Keystone ({}), cached up to {} s; "
        + "WWW-Authenticate: {}", settings.authUrl(), settings.tokenCacheTime().toSeconds(), authenticator.challenge);
    session.start();
    return authenticator;
  }

  @Override
  public Future<RequestContext> authenticate(Function<String, String> header, boolean loopbackPeer, String requestId) {
    String userToken = token(header, "X-Auth-Token");
    if (userToken == null) {
      userToken = token(header, "X-Storage-Token");
    }
    if (userToken == null) {
      return unauthenticated(requestId, "no token");
    }
    Future<TokenCheck> user = validator.check(userToken);
    String serviceToken = token(header, "X-Service-Token");
    if (serviceToken == null) {
      String id = userToken;
      return user.compose(check -> context(id, check, null, requestId));
    }
    Future<TokenCheck> service = validator.check(serviceToken);
    String id = userToken;
    return Future.all(user, service).compose(all -> context(id, user.result(), service.result(), requestId));
  }

  @Override
  public String challenge() {
    return challenge;
  }

  @Override
  public Future<Void> close() {
    session.close();
    client.close();
    return Future.succeededFuture();
  }

  private Future<RequestContext> context(String id, TokenCheck user, TokenCheck service, String requestId) {
    KeystoneToken token = usable(user);
    if (token == null) {
      return unauthenticated(requestId, user instanceof TokenCheck.Invalid invalid ? invalid.reason() : "expired");
    }
    return Future.succeededFuture(new RequestContext(token.userId(), token.projectId(), token.roles(),
        token.roles().contains("admin"), false, requestId, token.userDomainId(), token.projectDomainId(),
        token.systemAll() ? "all" : null, serviceRoles(service), new CallerToken(id, token.imageEndpoints())));
  }

  /** The token of a valid verdict if it may be used now, else null (keystonemiddleware's {@code _validate_token}). */
  private KeystoneToken usable(TokenCheck check) {
    if (!(check instanceof TokenCheck.Valid valid)) {
      return null;
    }
    KeystoneToken token = valid.token();
    if (!token.expiresAt().isAfter(clock.instant())) {
      return null;
    }
    if (token.accessRules()) {
      LOG.warn("Cannot validate request with restricted access rules: token refused");
      return null;
    }
    if (token.bound() && settings.refuseBoundTokens()) {
      LOG.info("Couldn't verify token bind (enforce_token_bind = strict): token refused");
      return null;
    }
    return token;
  }

  /**
   * The roles of a valid service token; none for an invalid one, or, with {@code service_token_roles_required},
   * for one without any of {@code service_token_roles} (keystonemiddleware then marks it invalid).
   */
  private Set<String> serviceRoles(TokenCheck service) {
    KeystoneToken token = service == null ? null : usable(service);
    if (token == null) {
      if (service != null) {
        LOG.info("Invalid service token");
      }
      return Set.of();
    }
    if (Collections.disjoint(token.roles(), settings.serviceTokenRoles())) {
      if (settings.serviceTokenRolesRequired()) {
        LOG.info("Service token without any of the service_token_roles {}: ignored", settings.serviceTokenRoles());
        return Set.of();
      }
      if (warnedServiceToken.compareAndSet(false, true)) {
        LOG.warn("A valid token was submitted as a service token, but it was not a valid service token. This is "
            + "incorrect but backwards compatible behaviour (service_token_roles_required = false).");
      }
    }
    return token.roles();
  }

  private Future<RequestContext> unauthenticated(String requestId, String why) {
    if (allowAnonymous) {
      return Future.succeededFuture(RequestContext.anonymous(requestId));
    }
    LOG.debug("Unauthenticated request [{}]: {}", requestId, why);
    return Future.failedFuture(GlintException.unauthorized(null));
  }

  /** A token header, without the whitespace clients sometimes leave around it (keystonemiddleware strips it). */
  private static String token(Function<String, String> header, String name) {
    String value = header.apply(name);
    if (value == null) {
      return null;
    }
    value = value.strip();
    return value.isEmpty() ? null : value;
  }
}
