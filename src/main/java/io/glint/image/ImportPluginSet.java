package io.glint.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glint.config.ImportSettings;
import io.glint.format.FormatInspector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's import plugins ({@code glance/async_/flows/plugins/}), built in the order
 * {@code image_import_plugins} names them: {@code no_op}, {@code inject_image_metadata},
 * {@code image_decompression} (gzip, zip) and {@code image_conversion} (qemu-img, a separate process with a
 * CPU-time, memory and wall-clock limit). The last two work on the staged file on worker threads, never on an
 * event loop, and refuse what Glance refuses (OSSA-2024-001: data that is not the format it claims, a qcow2 with
 * a backing file or an external data file, a VMDK of a type that names other files).
 */
public final class ImportPluginSet {
  private static final Logger LOG = LoggerFactory.getLogger(ImportPluginSet.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Glance's {@code QEMU_IMG_PROC_LIMITS}: 2 s of CPU and 1 GiB of address space for {@code qemu-img info}. */
  static final int INFO_CPU_SECONDS = 2;
  static final List<String> VMDK_ALLOWED_TYPES = List.of("streamOptimized", "monolithicSparse");

  private ImportPluginSet() {}

  /** @param sizeCap {@code image_size_cap}: no decompressed image may grow beyond it */
  public static ImportPlugins build(Vertx vertx, ImportSettings settings, long sizeCap) {
    List<ImportPlugins.Plugin> plugins = new ArrayList<>();
    for (String name : settings.plugins()) {
      plugins.add(switch (name) {
        case "no_op" -> new NoOp();
        case "inject_image_metadata" -> new InjectMetadata(settings.inject(), settings.injectIgnoreRoles());
        case "image_decompression" -> new Decompression(vertx, sizeCap);
        case "image_conversion" -> new Conversion(vertx, settings.conversionFormat(),
            settings.conversionTimeoutSeconds(), settings.conversionMemoryLimit());
        default -> throw new IllegalArgumentException("Unknown import plugin " + name);
      });
    }
    return new ImportPlugins(plugins);
  }

  /** {@code no_op}: logs that it ran. */
  static final class NoOp implements ImportPlugins.Plugin {
    @Override
    public String name() {
      return "no_op";
    }

    @Override
    public Future<Void> run(ImportPlugins.Step step) {
      LOG.debug("No_op import plugin ran for image {}", step.imageId());
      return Future.succeededFuture();
    }
  }

  /**
   * {@code inject_image_metadata}: sets {@code [inject_metadata_properties] inject} on the image, unless the
   * caller has one of {@code ignore_user_roles}; keys in Glance's reserved {@code os_glance} namespace are dropped.
   */
  static final class InjectMetadata implements ImportPlugins.Plugin {
    private final Map<String, String> inject;
    private final List<String> ignoreRoles;

    InjectMetadata(Map<String, String> inject, List<String> ignoreRoles) {
      this.inject = inject;
      this.ignoreRoles = ignoreRoles;
    }

    @Override
    public String name() {
      return "inject_image_metadata";
    }

    @Override
    public Future<Void> run(ImportPlugins.Step step) {
      boolean ignored = step.caller() != null && step.caller().roles().stream().anyMatch(ignoreRoles::contains);
      if (ignored || inject.isEmpty()) {
        return Future.succeededFuture();
      }
      return step.change().apply(b -> {
        inject.forEach((k, v) -> {
          if (k.startsWith(ImageRules.RESERVED_NAMESPACE)) {
            LOG.warn("Dropping {}={} during metadata injection for {}", k, v, b.id);
          } else {
            b.properties.put(k, v);
          }
        });
        return b;
      }).mapEmpty();
    }
  }

  /**
   * {@code image_decompression}: a gzip or single-file zip staged image is decompressed in place (not when the
   * image's container format is {@code compressed}); the result may not grow beyond the image size cap.
   */
  static final class Decompression implements ImportPlugins.Plugin {
    private final Vertx vertx;
    private final long sizeCap;

    Decompression(Vertx vertx, long sizeCap) {
      this.vertx = vertx;
      this.sizeCap = sizeCap;
    }

    @Override
    public String name() {
      return "image_decompression";
    }

    @Override
    public boolean needsFile() {
      return true;
    }

    @Override
    public Future<Void> run(ImportPlugins.Step step) {
      if ("compressed".equals(step.image().get().containerFormat())) {
        return Future.succeededFuture();
      }
      Path src = step.stagedFile();
      return vertx.executeBlocking(() -> {
        decompress(src, step.imageId(), sizeCap);
        return null;
      }, false);
    }

    private static void decompress(Path src, String imageId, long sizeCap) throws IOException {
      byte[] head = new byte[5];
      int n;
      try (InputStream in = Files.newInputStream(src)) {
        n = in.readNBytes(head, 0, head.length);
      }
      Path dest = src.resolveSibling(src.getFileName() + ".uc");
      try {
        if (n >= 4 && head[0] == 0x50 && head[1] == 0x4B && head[2] == 0x03 && head[3] == 0x04) {
          try (ZipFile zip = new ZipFile(src.toFile())) {
            List<? extends ZipEntry> entries = java.util.Collections.list(zip.entries());
            if (entries.size() != 1) {
              throw new IOException("Archive contains more than one file.");
            }
            try (InputStream in = zip.getInputStream(entries.get(0))) {
              copy(in, dest, sizeCap);
            }
          }
        } else if (n >= 3 && (head[0] & 0xff) == 0x1F && (head[1] & 0xff) == 0x8B && head[2] == 0x08) {
          try (InputStream in = new GZIPInputStream(Files.newInputStream(src), 256 * 1024)) {
            copy(in, dest, sizeCap);
          }
        } else if (n >= 5 && head[2] == '-' && head[3] == 'l' && head[4] == 'h') {
          throw new IOException("No lhafile available.");
        } else {
          return;
        }
        Files.move(dest, src, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Decompressed image {} to {} bytes", imageId, Files.size(src));
      } finally {
        Files.deleteIfExists(dest);
      }
    }

    private static void copy(InputStream in, Path dest, long sizeCap) throws IOException {
      byte[] buffer = new byte[256 * 1024];
      long total = 0;
      try (OutputStream out = Files.newOutputStream(dest)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          total += n;
          if (total > sizeCap) {
            throw new IOException("The decompressed image is too large: it exceeds the image size cap "
                + "(image_size_cap).");
          }
          out.write(buffer, 0, n);
        }
      }
    }
  }

  /**
   * {@code image_conversion}: the staged image is inspected (it must be the disk_format it claims, and safe),
   * asked about by {@code qemu-img info} (which must agree, and report no backing file, no external data file, and
   * for VMDK an allowed create type), its virtual size recorded, then converted by {@code qemu-img convert} to
   * {@code [image_conversion] output_format} and inspected again; the image's disk_format becomes the target.
   */
  static final class Conversion implements ImportPlugins.Plugin {
    private final Vertx vertx;
    private final String target;
    private final int timeoutSeconds;
    private final long memoryLimit;

    Conversion(Vertx vertx, String target, int timeoutSeconds, long memoryLimit) {
      this.vertx = vertx;
      this.target = target;
      this.timeoutSeconds = timeoutSeconds;
      this.memoryLimit = memoryLimit;
    }

    @Override
    public String name() {
      return "image_conversion";
    }

    @Override
    public boolean needsFile() {
      return true;
    }

    /** What the blocking part found: the virtual size, and whether the file was converted. */
    private record Converted(long virtualSize, boolean converted) {}

    @Override
    public Future<Void> run(ImportPlugins.Step step) {
      Image image = step.image().get();
      String source = image.diskFormat();
      Path src = step.stagedFile();
      return vertx.executeBlocking(() -> convert(src, source, image.id()), false)
          .compose(result -> step.change().apply(b -> {
            b.virtualSize = result.virtualSize() > 0 ? result.virtualSize() : b.virtualSize;
            if (result.converted()) {
              b.diskFormat = target;
              b.containerFormat = "bare";
            }
            return b;
          }))
          .mapEmpty();
    }

    private Converted convert(Path src, String source, String imageId) throws Exception {
      FormatInspector.Result found = inspect(src);
      String detected = found.format();
      if (found.error() != null) {
        throw new IllegalStateException("Image format detection failed");
      }
      if (found.unsafeReason() != null) {
        LOG.error("Image {} ({}) refused before conversion: {}", imageId, detected, found.unsafeReason());
        throw new IllegalStateException("Image has disallowed configuration");
      }
      if (detected.equals("iso")) {
        if (source.equals("iso")) {
          return new Converted(0, false);
        }
        throw new IllegalStateException("Image has disallowed configuration");
      }
      if (!detected.equals(source)) {
        LOG.error("Image {} claimed to be {} format failed format inspection ({})", imageId, source, detected);
        throw new IllegalStateException("Image format mismatch");
      }
      JsonNode info = JSON.readTree(run(List.of("prlimit", "--cpu=" + INFO_CPU_SECONDS, "--as=" + (1L << 30),
          "qemu-img", "info", "-f", source, "--output=json", src.toString()), 60));
      if (!source.equals(info.path("format").asText())) {
        throw new IllegalStateException("Image metadata disagrees about format");
      }
      long virtualSize = info.path("virtual-size").asLong(0);
      if (info.has("backing-filename")) {
        throw new IllegalStateException("QCOW images with backing files are not allowed");
      }
      if (!info.path("format-specific").path("data").path("data-file").isMissingNode()) {
        throw new IllegalStateException("QCOW images with data-file set are not allowed");
      }
      if (source.equals("vmdk")) {
        String type = info.path("format-specific").path("data").path("create-type").asText("");
        if (type.isEmpty()) {
          throw new IllegalStateException("Unable to determine VMDK create-type");
        }
        if (!VMDK_ALLOWED_TYPES.contains(type)) {
          throw new IllegalStateException("Invalid VMDK create-type specified");
        }
      }
      if (source.equals(target)) {
        return new Converted(virtualSize, false);
      }
      Path dest = src.resolveSibling(src.getFileName() + "." + target);
      try {
        run(List.of("prlimit", "--as=" + memoryLimit, "qemu-img", "convert", "-f", source, "-O", target,
            src.toString(), dest.toString()), timeoutSeconds);
        FormatInspector.Result converted = inspect(dest);
        if (!converted.format().equals(target)) {
          LOG.error("Image {} detected as {} after conversion to {}", imageId, converted.format(), target);
          throw new IllegalStateException("Converted image in unexpected format");
        }
        Files.move(dest, src, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(dest);
      }
      LOG.info("Converted image {} from {} to {}: {} bytes", imageId, source, target, Files.size(src));
      return new Converted(virtualSize, true);
    }

    /** Runs a command, its output read whole (qemu-img's JSON is small); fails on a non-zero exit or timeout. */
    private static String run(List<String> cmd, int timeoutSeconds) throws Exception {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return p.getErrorStream().readAllBytes();
        } catch (IOException e) {
          return new byte[0];
        }
      });
      byte[] out = p.getInputStream().readNBytes(4 << 20);
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd.get(cmd.indexOf("qemu-img") + 1) + " did not finish within "
            + timeoutSeconds + " s");
      }
      String stderr = new String(err.get(5, TimeUnit.SECONDS)).strip();
      if (p.exitValue() != 0 || !stderr.isEmpty()) {
        throw new IllegalStateException(stderr.isEmpty() ? "qemu-img failed with status " + p.exitValue() : stderr);
      }
      return new String(out);
    }
  }

  /** The format inspector over a local file, read as far as it needs (blocking: worker threads only). */
  static FormatInspector.Result inspect(Path file) throws IOException {
    FormatInspector inspector = new FormatInspector();
    byte[] buffer = new byte[256 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while (!inspector.complete() && (n = in.read(buffer)) > 0) {
        inspector.feed(buffer, 0, n);
      }
    }
    return inspector.result();
  }
}
