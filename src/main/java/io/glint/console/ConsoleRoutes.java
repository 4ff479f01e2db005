package io.glint.console;

import io.glint.auth.AuthStrategy;
import io.glint.auth.KeystoneSettings;
import io.glint.config.GlintConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.regex.Pattern;

/**
 * The web console under {@code /console} ({@code console_enabled = true}): static pages that call the public
 * API from the browser like any client, with a strict Content-Security-Policy; {@code /console/config.json}
 * telling the page how to sign in; and, with Keystone, the same-origin pass-through of the password sign-in
 * ({@link KeystoneLogin}). Mounted on the root router, outside {@code /v2}.
 */
public final class ConsoleRoutes {
  /**
   * Scripts and styles only from the console's own files, API calls only to this origin, no frames, no forms
   * posted anywhere, no plugins, no base-URI tricks.
   */
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; "
      + "base-uri 'none'";
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9-]*\\.(html|js|css|svg)$");

  private final ConsoleFiles files;
  private final String config;
  private final KeystoneSettings keystone;

  private ConsoleRoutes(ConsoleFiles files, String config, KeystoneSettings keystone) {
    this.files = files;
    this.config = config;
    this.keystone = keystone;
  }

  /** The console of this configuration, or null when {@code console_enabled} is false. */
  public static ConsoleRoutes of(GlintConfig glint) {
    if (!glint.get(io.glint.config.Options.CONSOLE_ENABLED)) {
      return null;
    }
    AuthStrategy strategy = AuthStrategy.choose(glint).strategy();
    KeystoneSettings keystone = strategy == AuthStrategy.KEYSTONE ? KeystoneSettings.from(glint) : null;
    String mode = switch (strategy) {
      case KEYSTONE -> "keystone";
      case TRUSTED_HEADERS -> "trusted-headers";
      case NOAUTH -> "noauth";
    };
    JsonObject config = new JsonObject().put("auth", mode)
        .put("keystone_login", keystone == null ? null : "/console/keystone/v3/auth/tokens");
    return new ConsoleRoutes(ConsoleFiles.load(), config.encode(), keystone);
  }

  /** Mounts on the root router (paths start with {@code /console}), with the Keystone pass-through if any. */
  public void mount(Router root, Vertx vertx) {
    root.route("/console*").handler(ConsoleRoutes::secure);
    if (keystone != null) {
      KeystoneLogin login = new KeystoneLogin(vertx, keystone);
      root.post("/console/keystone/v3/auth/tokens")
          .handler(BodyHandler.create(false).setBodyLimit(KeystoneLogin.MAX_BODY))
          .handler(login::handle);
    }
    root.getWithRegex("^/console$").handler(ctx -> ctx.redirect("/console/"));
    root.get("/console/").handler(ctx -> send(ctx, "index.html"));
    root.get("/console/config.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(config));
    root.get("/console/:file").handler(ctx -> send(ctx, ctx.pathParam("file")));
  }

  private void send(RoutingContext ctx, String name) {
    if (!NAME.matcher(name).matches()) {
      notFound(ctx);
      return;
    }
    files.get(name).ifPresentOrElse(file -> ctx.response()
        .putHeader("Content-Type", file.contentType())
        .putHeader("Cache-Control", "no-cache")
        .end(file.bytes()), () -> notFound(ctx));
  }

  private static void notFound(RoutingContext ctx) {
    ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("Not found");
  }

  /** The headers every console answer carries. */
  private static void secure(RoutingContext ctx) {
    ctx.response().putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
