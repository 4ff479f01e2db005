package io.glint.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects Vert.x blocked-thread warnings so that tests can fail on them. */
public final class BlockedThreadWatch extends AppenderBase<ILoggingEvent> {
  private static final BlockedThreadWatch INSTANCE = new BlockedThreadWatch();
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  static {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    INSTANCE.setContext(root.getLoggerContext());
    INSTANCE.start();
    root.addAppender(INSTANCE);
  }

  public static void install() {
    // the static initialiser did the work
  }

  /** Warnings seen so far, such as "Thread vert.x-eventloop-thread-0 has been blocked for 2001 ms". */
  public static List<String> warnings() {
    return List.copyOf(INSTANCE.warnings);
  }

  /** How many warnings were seen so far: the mark that {@link #assertNoneSince} checks from. */
  public static int mark() {
    return INSTANCE.warnings.size();
  }

  /** Fails when Vert.x reported a blocked thread since {@code mark}. */
  public static void assertNoneSince(int mark) {
    List<String> all = warnings();
    assertEquals(List.of(), all.subList(mark, all.size()), "Vert.x reported blocked threads");
  }

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message != null && message.contains("has been blocked for")) {
      warnings.add(message);
    }
  }
}
