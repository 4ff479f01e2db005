package io.glint;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and initialises Glint's own classes (and with them the library classes they refer to) on a worker
 * thread before the services are wired on an event loop: the wiring otherwise loads several hundred classes
 * there, which on a busy machine blocked the event loop for seconds at start-up. A class that cannot be
 * initialised here (an optional module missing) is left for its first use, which reports it as before.
 */
final class ClassPreloader {
  private static final Logger LOG = LoggerFactory.getLogger(ClassPreloader.class);

  private ClassPreloader() {}

  /** Classes of the io.glint packages found, loaded and initialised (at most once per class loader). */
  static int preload() {
    long t0 = System.nanoTime();
    ClassLoader loader = ClassPreloader.class.getClassLoader();
    int loaded = 0;
    for (String name : glintClasses()) {
      try {
        Class.forName(name, true, loader);
        loaded++;
      } catch (Throwable e) { // LinkageError of an optional part, e.g. without jdk.incubator.vector
        LOG.debug("Not preloaded: {} ({})", name, e.toString());
      }
    }
    LOG.debug("Preloaded {} classes in {} ms", loaded, (System.nanoTime() - t0) / 1_000_000);
    return loaded;
  }

  private static List<String> glintClasses() {
    List<String> names = new ArrayList<>();
    try {
      Path source = Path.of(ClassPreloader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(source)) {
        Path root = source.resolve("io").resolve("glint");
        try (Stream<Path> files = Files.walk(root)) {
          files.map(p -> source.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
              .filter(n -> n.endsWith(".class"))
              .forEach(n -> names.add(className(n)));
        }
      } else {
        try (JarFile jar = new JarFile(source.toFile())) {
          for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String n = e.nextElement().getName();
            if (n.startsWith("io/glint/") && n.endsWith(".class")) {
              names.add(className(n));
            }
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      LOG.debug("Cannot list Glint's classes to preload ({})", e.toString());
    }
    return names;
  }

  private static String className(String path) {
    return path.substring(0, path.length() - ".class".length()).replace('/', '.');
  }
}
