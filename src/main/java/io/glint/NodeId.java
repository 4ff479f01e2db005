package io.glint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This node's identity among the Glint nodes sharing a database: a random id kept in {@code <data_dir>/node-id},
 * so that it survives restarts. Uploads in progress are recorded with it; at start-up a node recovers only the
 * interrupted uploads that are its own (or whose node stopped reporting), never those another live node is
 * receiving.
 */
public final class NodeId {
  private NodeId() {}

  /** Reads the node id from the data directory, creating it on first start. Blocking. */
  public static String load(Path dataDir) {
    Path file = dataDir.resolve("node-id");
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(file)) {
        try {
          Files.writeString(file, UUID.randomUUID() + "\n", StandardCharsets.US_ASCII,
              java.nio.file.StandardOpenOption.CREATE_NEW);
        } catch (FileAlreadyExistsException raced) {
          // another process on the same data directory wrote it first: use theirs
        }
      }
      String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (id.isEmpty() || id.length() > 64) {
        throw new IllegalStateException("Invalid node id in " + file + ": remove the file to get a new one");
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or create " + file, e);
    }
  }
}
