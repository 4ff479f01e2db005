package io.glint.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Glance's gzip filter ({@code glance/api/middleware/gzip.py}) for the API's own answers only: a JSON document or
 * an error body of at least {@code minLength} bytes is sent gzip-encoded ({@code Content-Encoding: gzip}) when the
 * request's {@code Accept-Encoding} names gzip, as Glance's {@code \bgzip\b} test does, except that
 * {@code gzip;q=0} is a refusal (RFC 9110). Such answers carry {@code Vary: Accept-Encoding}. Image data is never
 * compressed: its routes never come here, so downloads keep their zero-copy {@code sendFile}/splice paths (Vert.x's
 * {@code setCompressionSupported} would put Netty's compressor in every connection, which both compresses
 * octet-stream bodies and turns {@code sendFile} into chunked copies). The bytes are compressed on the event loop
 * with zlib's fastest level: API documents are small, and level 1 keeps most of the gain for JSON.
 */
public final class ResponseGzip {
  static final String KEY = "glint.gzip";
  private static final int LEVEL = Deflater.BEST_SPEED;
  private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(LEVEL, true));
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final int minLength;

  /** {@code minLength}: smaller bodies are sent as they are (a gzip header and trailer alone are 18 bytes). */
  public ResponseGzip(int minLength) {
    this.minLength = minLength;
  }

  /** Root route handler: makes this policy the one {@link ApiResponses} applies to the request's answer. */
  void handle(RoutingContext ctx) {
    ctx.put(KEY, this);
    ctx.next();
  }

  /** The policy in force for {@code ctx}'s request, or null when gzip is off. */
  static ResponseGzip of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /** Whether the answer's encoding depends on Accept-Encoding: a body this large may be compressed. */
  boolean eligible(int length) {
    return length >= minLength && length > 0;
  }

  /** Whether {@code acceptEncoding} names gzip with a non-zero quality (null: no). */
  static boolean accepts(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String part : acceptEncoding.split(",")) {
      String[] pieces = part.split(";");
      String coding = pieces[0].strip().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip") && !coding.equals("x-gzip")) {
        continue;
      }
      for (int i = 1; i < pieces.length; i++) {
        String p = pieces[i].strip().toLowerCase(Locale.ROOT);
        if (p.startsWith("q=")) {
          try {
            return Double.parseDouble(p.substring(2).strip()) > 0;
          } catch (NumberFormatException e) {
            return false;
          }
        }
      }
      return true;
    }
    return false;
  }

  /** {@code body} as one gzip member (RFC 1952). */
  static Buffer compress(Buffer body) {
    byte[] in = body.getBytes();
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    deflater.setInput(in);
    deflater.finish();
    byte[] chunk = new byte[Math.max(64, Math.min(in.length / 2 + 64, 64 * 1024))];
    Buffer out = Buffer.buffer(chunk.length + 18).appendBytes(HEADER);
    while (!deflater.finished()) {
      int n = deflater.deflate(chunk);
      out.appendBytes(chunk, 0, n);
    }
    CRC32 crc = new CRC32();
    crc.update(in);
    return out.appendIntLE((int) crc.getValue()).appendIntLE(in.length);
  }
}
