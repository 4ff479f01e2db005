package io.glint.store.http;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A larger pipe for a splice relay. Netty splices socket to socket through a pipe of the kernel's default size
 * (16 pages, 64 KiB), so a relay moves at most 64 KiB per wake-up of its event loop: one splice in, one out, then
 * the next readiness. With a pipe of {@link #SIZE} ({@code fcntl(F_SETPIPE_SZ)}, which Java 17 cannot call: through
 * JNA), a wake-up moves whatever the origin's socket holds, up to that. The pipe is handed to Netty's channel before
 * its first splice (Netty splices through the pipe of the channel spliced to, the client's, creates it only when
 * it has none, and closes it with the channel; a client connection that takes several downloads keeps it).
 *
 * <p>{@link #prepare()} loads the C library off the event loop (JNA unpacks its native part); until it has, and
 * where it cannot (no JNA native part for this platform, fcntl refused, a Netty without these fields), relays keep
 * Netty's own 64 KiB pipe.
 */
final class LargePipe {
  private static final Logger LOG = LoggerFactory.getLogger(LargePipe.class);
  /** The pipe's capacity: {@code /proc/sys/fs/pipe-max-size}'s default, which needs no privilege. */
  static final int SIZE = 1 << 20;
  private static final int F_SETPIPE_SZ = 1031;
  private static final int F_GETPIPE_SZ = 1032;

  /** The C library's fcntl, as JNA maps it (three ints: the variadic argument is an int here). */
  public interface C extends Library {
    int fcntl(int fd, int cmd, int arg);
  }

  private static volatile Support support;

  private record Support(C c, Field pipeIn, Field pipeOut, Field epollHandle, Field handle) {}

  private LargePipe() {
  }

  /** Loads what larger pipes need; blocking (class loading, a native library): never on an event loop. */
  static synchronized void prepare() {
    if (support != null) {
      return;
    }
    try {
      Field in = AbstractEpollStreamChannel.class.getDeclaredField("pipeIn");
      Field out = AbstractEpollStreamChannel.class.getDeclaredField("pipeOut");
      in.setAccessible(true);
      out.setAccessible(true);
      Field epollHandle = Class.forName("io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe")
          .getDeclaredField("allocHandle");
      Field handle = Class.forName("io.netty.channel.AbstractChannel$AbstractUnsafe").getDeclaredField("recvHandle");
      epollHandle.setAccessible(true);
      handle.setAccessible(true);
      C c = Native.load("c", C.class);
      support = new Support(c, in, out, epollHandle, handle);
      LOG.debug("Splice relays use pipes of {} bytes", SIZE);
    } catch (Throwable e) {
      LOG.info("Splice relays keep the kernel's default pipe size (64 KiB): {}", e.toString());
      support = new Support(null, null, null, null, null);
    }
  }

  /**
   * Gives {@code channel} a pipe of {@link #SIZE} bytes for its splices, if it has none yet; false when it could
   * not (it then splices through a default pipe of its own). On the channel's event loop, before its first splice.
   */
  static boolean install(AbstractEpollStreamChannel channel) {
    Support s = support;
    if (s == null || s.c() == null) {
      return false;
    }
    FileDescriptor[] pipe = null;
    try {
      if (s.pipeOut().get(channel) != null) {
        return false;
      }
      pipe = FileDescriptor.pipe();
      if (s.c().fcntl(pipe[1].intValue(), F_SETPIPE_SZ, SIZE) < 0) {
        close(pipe);
        return false;
      }
      s.pipeIn().set(channel, pipe[0]);
      s.pipeOut().set(channel, pipe[1]);
      return true;
    } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
      if (pipe != null) {
        close(pipe);
      }
      return false;
    }
  }

  /**
   * The capacity of the pipe {@code channel} splices through ({@code fcntl(F_GETPIPE_SZ)}), or 0 when it has none yet
   * or it cannot be known. On the channel's event loop.
   */
  static int capacity(AbstractEpollStreamChannel channel) {
    Support s = support;
    if (s == null || s.c() == null) {
      return 0;
    }
    try {
      Object pipeOut = s.pipeOut().get(channel);
      return pipeOut instanceof FileDescriptor fd ? Math.max(0, s.c().fcntl(fd.intValue(), F_GETPIPE_SZ, 0)) : 0;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return 0;
    }
  }

  /**
   * Lets {@code origin} splice up to {@code bytes} per readiness into the pipe: Netty takes at most its read
   * allocator's guess per wake-up (64 KiB by default), from a handle made at the channel's first read (the
   * response head's), which is made anew here. On the channel's event loop, outside a read.
   */
  static void readInSteps(AbstractEpollStreamChannel origin, int bytes) {
    Support s = support;
    if (s == null || s.c() == null) {
      return;
    }
    try {
      origin.config().setRecvByteBufAllocator(new io.netty.channel.FixedRecvByteBufAllocator(bytes));
      Object unsafe = origin.unsafe();
      s.epollHandle().set(unsafe, null);
      s.handle().set(unsafe, null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("Read steps of {} unchanged: {}", origin, e.toString());
    }
  }

  private static void close(FileDescriptor[] pipe) {
    for (FileDescriptor fd : pipe) {
      try {
        fd.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
