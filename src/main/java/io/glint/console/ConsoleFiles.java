package io.glint.console;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The console's static files, read once from the jar ({@code console/}, named in {@code console/files.list})
 * and held in memory: nothing outside that list can be served, and no request touches the file system.
 */
public final class ConsoleFiles {
  /** One file: its bytes and its media type. */
  public record File(Buffer bytes, String contentType) {}

  private final Map<String, File> files;

  private ConsoleFiles(Map<String, File> files) {
    this.files = Map.copyOf(files);
  }

  /** Loads every file the list names (at start-up, off the event loops). */
  public static ConsoleFiles load() {
    Map<String, File> files = new HashMap<>();
    String list = new String(read("console/files.list"), StandardCharsets.UTF_8);
    for (String line : list.split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      files.put(name, new File(Buffer.buffer(read("console/" + name)), contentType(name)));
    }
    return new ConsoleFiles(files);
  }

  public Optional<File> get(String name) {
    return Optional.ofNullable(files.get(name));
  }

  private static byte[] read(String resource) {
    try (InputStream in = ConsoleFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Console resource missing from the jar: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String contentType(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    } else if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    } else if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    } else if (name.endsWith(".svg")) {
      return "image/svg+xml";
    }
    return "application/octet-stream";
  }
}
