package io.glint.store.file;

import io.glint.store.ByteRange;
import io.glint.store.ImageData;
import io.glint.store.ImageStore;
import io.glint.store.PendingData;
import io.glint.store.SerialLane;
import io.glint.store.StoreCapabilities;
import io.glint.store.StoreException;

import io.glint.store.StoreException.Reason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glance_store's filesystem driver: one file per image, {@code <datadir>/<image id>}, location
 * {@code file://<datadir>/<image id>}. New data goes to {@code <datadir>/.incoming/<id>.<node>.<nonce>}, is
 * {@code fsync}ed and then renamed into place (atomic on one filesystem) and the directory synced, all on
 * blocking threads, never on an event loop. Reads are file regions for zero-copy {@code sendfile}.
 * File names come from image ids (UUIDs) and are checked to stay inside the directory. The node id in temporary
 * names lets several nodes share one directory: at start-up a node removes only its own leftovers, and those
 * of other nodes only once untouched for {@link #FOREIGN_LEFTOVER_AGE}.
 */
public final class FileStore implements ImageStore {
  private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
  private static final String INCOMING = ".incoming";
  private static final long SYNC_EVERY = 16L << 20;
  /** A temporary file of another node untouched for this long belongs to an upload that is over. */
  static final java.time.Duration FOREIGN_LEFTOVER_AGE = java.time.Duration.ofHours(1);

  private final String id;
  private final Vertx vertx;
  private final Path dir;
  private final Path incoming;
  private final Executor blocking;
  private final boolean fsync;
  private final boolean directIo;
  private final String nodeId;
  /** Alignment of O_DIRECT writes (file offsets, lengths and memory): the filesystem's block size. */
  private volatile int alignment;

  /**
   * @param blocking executor for file I/O (a pool of blocking threads shared by transfers)
   * @param fsync whether data is made durable before commit completes
   * @param nodeId this node's id, part of the names of its temporary files
   */
  public FileStore(String id, Vertx vertx, Path dir, Executor blocking, boolean fsync, String nodeId) {
    this(id, vertx, dir, blocking, fsync, false, nodeId);
  }

  /**
   * @param directIo whether new data is written with {@code O_DIRECT} (past the page cache), where the filesystem
   *     takes it ({@code filesystem_store_direct_io})
   */
  public FileStore(String id, Vertx vertx, Path dir, Executor blocking, boolean fsync, boolean directIo,
      String nodeId) {
    this.fsync = fsync;
    this.directIo = directIo;
    this.nodeId = nodeId;
    this.id = id;
    this.vertx = vertx;
    this.dir = dir.toAbsolutePath().normalize();
    this.incoming = this.dir.resolve(INCOMING);
    this.blocking = blocking;
  }

  /** Creates the directories and removes temporary files left by a crash (off the event loop). */
  @Override
  public Future<Void> prepare() {
    return vertx.executeBlocking(() -> {
      prepareNow();
      return null;
    });
  }

  /** An upload cut by a crash may have placed its file: it goes. */
  @Override
  public Future<Void> discardInterrupted(String imageId) {
    return delete(locationOf(imageId));
  }

  private void prepareNow() throws IOException {
    Files.createDirectories(incoming);
    if (directIo) {
      alignment = DirectWrites.alignment(incoming);
    }
    int removed = 0;
    java.nio.file.attribute.FileTime oldEnough = java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minus(FOREIGN_LEFTOVER_AGE));
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(incoming)) {
      for (Path p : leftovers) {
        String[] parts = p.getFileName().toString().split("\\.");
        boolean own = parts.length != 3 || parts[1].equals(nodeId); // older names had no node id
        if (own || Files.getLastModifiedTime(p).compareTo(oldEnough) < 0) {
          Files.deleteIfExists(p);
          removed++;
        }
      }
    }
    if (removed > 0) {
      LOG.info("File store {}: removed {} incomplete upload file(s) left in {}", id, removed, incoming);
    }
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String type() {
    return "file";
  }

  @Override
  public java.util.Map<String, Object> detailProperties() {
    java.util.Map<String, Object> properties = new java.util.LinkedHashMap<>();
    properties.put("data_dir", dir.toString());
    properties.put("chunk_size", 65536);
    properties.put("thin_provisioning", false);
    return properties;
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(true, true);
  }

  @Override
  public boolean servesLocalFiles() {
    return true;
  }

  public Path directory() {
    return dir;
  }

  @Override
  public boolean owns(String location) {
    try {
      return location.startsWith("file://") && pathOf(location) != null;
    } catch (StoreException e) {
      return false;
    }
  }

  /** The location URI of an image's data in this store. */
  public String locationOf(String imageId) {
    return "file://" + fileOf(imageId);
  }

  /** The file an image's data has in this store; refuses ids that would leave the directory. */
  public Path fileOf(String imageId) {
    Path p = dir.resolve(imageId).normalize();
    if (!p.getParent().equals(dir) || imageId.startsWith(".")) {
      throw new StoreException(Reason.INVALID_LOCATION, "Invalid image id for the file store: " + imageId);
    }
    return p;
  }

  private Path pathOf(String location) {
    if (!location.startsWith("file://")) {
      throw new StoreException(Reason.INVALID_LOCATION, "Not a file location: " + location);
    }
    Path p = Path.of(location.substring("file://".length())).toAbsolutePath().normalize();
    if (!p.getParent().equals(dir) || p.getFileName().toString().startsWith(".")) {
      throw new StoreException(Reason.INVALID_LOCATION, "Location outside the file store: " + location);
    }
    return p;
  }

  @Override
  public Future<PendingData> create(String imageId) {
    Path target = fileOf(imageId);
    Path temp = incoming.resolve(imageId + "." + nodeId + "." + UUID.randomUUID());
    Context context = vertx.getOrCreateContext();
    SerialLane lane = new SerialLane(blocking);
    return onContext(context, lane.submit(() -> openTemp(temp)))
        .map(opened -> new FilePending(context, lane, opened.channel(), opened.direct(), temp, target));
  }

  @Override
  public Future<ImageData> open(String location, ByteRange range) {
    Path path;
    try {
      path = pathOf(location);
    } catch (StoreException e) {
      return Future.failedFuture(e);
    }
    // One stat of a local file: microseconds, the same kind of call as the open that sendFile itself makes on
    // the event loop; a hop to the transfer pool and back would cost more than it saves here.
    long size;
    try {
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      return Future.failedFuture(new StoreException(Reason.NOT_FOUND, "Image data not found at " + location, e));
    } catch (IOException e) {
      return Future.failedFuture(translate(location, e));
    }
    if (range.isAll()) {
      return Future.succeededFuture(new ImageData.FileRegion(path, 0, size));
    }
    long length = Math.min(range.length(), Math.max(0, size - range.offset()));
    return Future.succeededFuture(new ImageData.FileRegion(path, range.offset(), length));
  }

  @Override
  public Future<Void> delete(String location) {
    Path path;
    try {
      path = pathOf(location);
    } catch (StoreException e) {
      return Future.failedFuture(e);
    }
    Context context = vertx.getOrCreateContext();
    return onContext(context, new SerialLane(blocking).submit(() -> {
      Files.deleteIfExists(path);
      return null;
    }));
  }

  private record Opened(FileChannel channel, DirectWrites direct) {}

  /**
   * The temporary file of a new image, with {@code O_DIRECT} when asked for and the filesystem takes it (tmpfs
   * before Linux 6.6 does not: then buffered, with one warning per store).
   */
  private Opened openTemp(Path temp) throws IOException {
    int align = alignment;
    if (directIo && align > 0) {
      try {
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            com.sun.nio.file.ExtendedOpenOption.DIRECT);
        return new Opened(channel, new DirectWrites(channel, align));
      } catch (IOException e) {
        // EINVAL: this filesystem does not take O_DIRECT. Anything else (no space, too many open files, ...) is
        // the open's own failure, not a reason to give up O_DIRECT for good.
        if (!(e instanceof FileSystemException refused) || !"Invalid argument".equals(refused.getReason())) {
          throw e;
        }
        Files.deleteIfExists(temp);
        alignment = 0;
        LOG.warn("File store {}: filesystem_store_direct_io is on, but {} does not take O_DIRECT ({}): writing "
            + "through the page cache", id, incoming, e.toString());
      }
    }
    return new Opened(FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), null);
  }

  private static <T> Future<T> onContext(Context context, Future<T> future) {
    return future.transform(ar -> {
      io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
      context.runOnContext(v -> p.handle(ar));
      return p.future();
    });
  }

  static StoreException translate(String what, IOException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    if (message.contains("No space left") || message.contains("Disk quota exceeded")) {
      return new StoreException(Reason.STORAGE_FULL, "There is not enough disk space on the image storage media.", e);
    }
    if (e instanceof AccessDeniedException) {
      return new StoreException(Reason.WRITE_DENIED, "Permission denied writing " + what, e);
    }
    if (e instanceof FileSystemException && message.contains("Read-only file system")) {
      return new StoreException(Reason.WRITE_DENIED, "Read-only file system writing " + what, e);
    }
    return new StoreException(Reason.UNAVAILABLE, "File store I/O error on " + what + ": " + message, e);
  }

  /**
   * The direct buffer the calling transfer thread copies a chunk into before writing it (else the JDK copies
   * into a temporary one, and keeps those per thread). One per thread, not per upload: with 150 uploads at
   * once, a buffer each held 75 MiB of direct memory until the garbage collector got round to it.
   */
  static ByteBuffer directBuffer(int size) {
    ByteBuffer direct = DIRECT.get();
    if (direct == null || direct.capacity() < size) {
      int capacity = Math.max(size, 256 * 1024 + DirectWrites.MAX_ALIGNMENT);
      // Aligned to the largest block size O_DIRECT may ask for: the same buffer serves both kinds of writes.
      direct = ByteBuffer.allocateDirect(capacity + DirectWrites.MAX_ALIGNMENT).alignedSlice(DirectWrites.MAX_ALIGNMENT);
      DIRECT.set(direct);
    }
    return direct;
  }

  private static final ThreadLocal<ByteBuffer> DIRECT = new ThreadLocal<>();

  /** An image being written: a temporary file written on the lane, then synced and renamed. */
  private final class FilePending implements PendingData {
    private final Context context;
    private final SerialLane lane;
    private final FileChannel channel;
    /** O_DIRECT writes, or null: through the page cache. */
    private final DirectWrites direct;
    private final Path temp;
    private final Path target;
    private volatile boolean closed;
    private long unsynced;

    FilePending(Context context, SerialLane lane, FileChannel channel, DirectWrites direct, Path temp, Path target) {
      this.context = context;
      this.lane = lane;
      this.channel = channel;
      this.direct = direct;
      this.temp = temp;
      this.target = target;
    }

    @Override
    public Future<Void> write(Buffer chunk) {
      ByteBuffer bytes = ((BufferInternal) chunk).getByteBuf().nioBuffer();
      return lane.submit(() -> {
        if (this.direct != null) {
          try {
            this.direct.write(bytes);
          } catch (IOException e) {
            throw translate(temp.toString(), e);
          }
          return null;
        }
        try {
          ByteBuffer direct = directBuffer(bytes.remaining());
          direct.clear();
          direct.put(bytes);
          direct.flip();
          while (direct.hasRemaining()) {
            unsynced += channel.write(direct);
          }
          if (fsync && unsynced >= SYNC_EVERY) {
            // Flush as we go, so that the disk works while data still arrives and the final fsync is short.
            channel.force(false);
            unsynced = 0;
          }
        } catch (IOException e) {
          throw translate(temp.toString(), e);
        }
        return null;
      });
    }

    @Override
    public Future<Void> commit() {
      return onContext(context, lane.submit(() -> {
        try {
          if (direct != null) {
            direct.finish();
          }
          if (fsync) {
            channel.force(true);
          }
          channel.close();
          closed = true;
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          if (fsync) {
            syncDirectory(dir);
          }
        } catch (IOException e) {
          throw translate(target.toString(), e);
        }
        return null;
      }));
    }

    @Override
    public Future<Void> discard() {
      return onContext(context, lane.submit(() -> {
        if (!closed) {
          closed = true;
          try {
            channel.close();
          } catch (IOException ignored) {
            // the file is deleted next
          }
        }
        Files.deleteIfExists(temp);
        Files.deleteIfExists(target);
        return null;
      }));
    }

    @Override
    public String location() {
      return "file://" + target;
    }
  }

  private static void syncDirectory(Path directory) {
    try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot fsync directory {}: {}", directory, e.toString());
    }
  }
}
