package io.glint.store;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;

/** Image bytes opened for reading: a local file region (sent zero-copy) or a paused stream. */
public sealed interface ImageData {

  /** Number of bytes that will be produced. */
  long length();

  /** A region of a local file, to be sent with {@code sendfile}. */
  record FileRegion(Path path, long offset, long length) implements ImageData {}

  /**
   * A paused stream of {@code length} bytes; the consumer resumes it when it pipes it. When {@code relay} is not
   * null the bytes can instead go socket to socket; the consumer must then call {@link SocketRelay#relayTo}, or
   * {@link SocketRelay#useStream} before piping and {@link SocketRelay#close} after. {@code onAbandon} gives the
   * source up before its end (the client left, a write failed): whatever the store needs to do then.
   */
  record Stream(ReadStream<Buffer> stream, long length, SocketRelay relay, Runnable onAbandon) implements ImageData {
    public Stream(ReadStream<Buffer> stream, long length) {
      this(stream, length, null, stream::resume);
    }

    /** Gives the source up before its end: its connection, if it has one, is closed. */
    public void abandon() {
      if (relay != null) {
        relay.close();
      } else {
        onAbandon.run();
      }
    }
  }
}
