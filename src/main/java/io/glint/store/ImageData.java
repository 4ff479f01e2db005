package io.glint.store;

import io.glint.transfer.SpliceRelay;
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
   * null the bytes come from a dedicated origin connection that can instead be spliced socket to socket; the
   * consumer must then call {@link SpliceRelay#relayTo}, or {@link SpliceRelay#useStream} before piping and
   * {@link SpliceRelay#close} after.
   */
  record Stream(ReadStream<Buffer> stream, long length, SpliceRelay relay) implements ImageData {
    public Stream(ReadStream<Buffer> stream, long length) {
      this(stream, length, null);
    }

    /** Gives the source up before its end (the client left, a write failed): its connection is closed. */
    public void abandon() {
      if (relay != null) {
        relay.close();
      } else if (stream instanceof io.vertx.core.http.HttpClientResponse response) {
        response.exceptionHandler(e -> { });
        response.request().reset();
      } else {
        stream.resume();
      }
    }
  }
}
