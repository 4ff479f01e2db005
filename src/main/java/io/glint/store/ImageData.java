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

  /** A paused stream of {@code length} bytes; the consumer resumes it when it pipes it. */
  record Stream(ReadStream<Buffer> stream, long length) implements ImageData {}
}
