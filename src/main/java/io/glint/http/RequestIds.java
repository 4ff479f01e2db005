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
      id = newId();
    } else if (maxLength > 0 && inbound.length() > maxLength) {
      id = newId();
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

  /** A random (version 4) UUID from the thread-local generator: request ids need uniqueness, not secrecy. */
  static String newId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L;
    return "req-" + new UUID(msb, lsb);
  }

  static String get(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
