package io.glint.http;

import io.vertx.ext.web.Router;

/** A feature's HTTP routes, mounted on the {@code /v2} router (paths relative to {@code /v2}). */
public interface Routes {
  void mount(Router v2);
}
