package io.glint.http;

import io.glint.error.GlintException;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * Gives every request an {@code x-openstack-request-id} ({@code req-<uuid>}), reusing an inbound
 * {@code X-Openstack-Request-ID} up to {@code max_request_id_length} characters, as Glance does.
 */
final class RequestIds {
  static final String KEY = "glint.request-id";
  private static final String HEADER = "x-openstack-request-id";

  private final int maxLength;

  RequestIds(int maxLength) {
    this.maxLength = maxLength;
  }

  void handle(RoutingContext ctx) {
    String inbound = ctx.request().getHeader(HEADER);
    String id;
    boolean tooLong = false;
    if (inbound == null || inbound.isEmpty()) {
      id = "req-" + UUID.randomUUID();
    } else if (maxLength > 0 && inbound.length() > maxLength) {
      id = "req-" + UUID.randomUUID();
      tooLong = true;
    } else {
      id = inbound.startsWith("req-") ? inbound : "req-" + inbound;
    }
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    if (tooLong) {
      ctx.fail(new GlintException(GlintException.Kind.HEADER_TOO_LARGE,
          "x-openstack-request-id is too long, max size " + maxLength));
      return;
    }
    ctx.next();
  }

  static String get(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
