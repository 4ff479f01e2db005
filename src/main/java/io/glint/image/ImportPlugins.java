package io.glint.image;

import io.glint.auth.RequestContext;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The import plugins ({@code [image_import_opts] image_import_plugins}), run in order on the data of a
 * glance-direct or web-download import before it is stored (never on copy-image).
 */
public final class ImportPlugins {

  /**
   * What a plugin works on: the image as it is now, the caller, the staged file (null when the data streams),
   * and a way to change the image (saved under the import lock).
   */
  public record Step(java.util.function.Supplier<Image> image, RequestContext caller, Path stagedFile,
      Function<UnaryOperator<Image.Builder>, Future<Image>> change) {
    public String imageId() {
      return image.get().id();
    }
  }

  /** One plugin. */
  public interface Plugin {
    String name();

    /** Whether it needs the data in a local file (then web-download stages it first). */
    default boolean needsFile() {
      return false;
    }

    Future<Void> run(Step step);
  }

  private final List<Plugin> plugins;

  public ImportPlugins(List<Plugin> plugins) {
    this.plugins = List.copyOf(plugins);
  }

  public static ImportPlugins none() {
    return new ImportPlugins(List.of());
  }

  public boolean isEmpty() {
    return plugins.isEmpty();
  }

  public boolean needsFile() {
    return plugins.stream().anyMatch(Plugin::needsFile);
  }

  public boolean has(String name) {
    return plugins.stream().anyMatch(p -> p.name().equals(name));
  }

  Future<Void> run(Step step) {
    Future<Void> chain = Future.succeededFuture();
    for (Plugin p : plugins) {
      chain = chain.compose(v -> p.run(step));
    }
    return chain;
  }
}
