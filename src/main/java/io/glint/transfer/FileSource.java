package io.glint.transfer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;

/**
 * A local file (a staged image, a file-store image being copied) as a paused stream of large reads, for an
 * {@link UploadPump}: the file is read off the event loop and only as fast as the pump takes it.
 */
public final class FileSource {
  private FileSource() {}

  /** A region of a file: the paused stream, and a way to close the file early. */
  public record Opened(ReadStream<Buffer> stream, long length, AsyncFile file) {}

  static final int READ_SIZE = 256 * 1024;

  /** Opens {@code length} bytes of {@code path} from {@code offset} ({@code length} -1: to the end). */
  public static Future<Opened> open(Vertx vertx, Path path, long offset, long length) {
    return vertx.fileSystem().open(path.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .compose(file -> {
          file.pause();
          file.setReadBufferSize(READ_SIZE);
          file.setReadPos(offset);
          if (length >= 0) {
            file.setReadLength(length);
          }
          Future<Long> size = length >= 0 ? Future.succeededFuture(length) : file.size().map(s -> s - offset);
          return size.map(n -> new Opened(file, n, file));
        });
  }
}
