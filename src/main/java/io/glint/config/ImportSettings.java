package io.glint.config;

import static io.glint.config.Options.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interoperable image import: staging, methods, plugins, tasks, and Glint's per-project limits.
 *
 * @param enabledImportMethods methods offered ([DEFAULT] enabled_import_methods)
 * @param stagingDir directory of staged data ([DEFAULT] node_staging_uri, else {@code <data_dir>/staging})
 * @param selfUrl this node's URL recorded as os_glance_stage_host ([DEFAULT] worker_self_reference_url, else
 *     public_endpoint), or null
 * @param plugins import plugins in order ([image_import_opts] image_import_plugins)
 * @param inject properties the inject_image_metadata plugin sets ([inject_metadata_properties] inject)
 * @param injectIgnoreRoles roles that get nothing injected ([inject_metadata_properties] ignore_user_roles)
 * @param conversionFormat the image_conversion plugin's target ([image_conversion] output_format)
 * @param conversionTimeoutSeconds how long one qemu-img convert may run
 * @param conversionMemoryLimit address-space limit of qemu-img in bytes
 * @param taskTimeToLiveHours hours a finished task is kept ([task] task_time_to_live)
 * @param limits per-project limits (MiB or counts, -1 = unlimited), or null when off ([DEFAULT]
 *     use_keystone_limits with [project_limits])
 * @param glanceDownloadProperties prefixes of the properties glance-download copies from the remote image
 *     ([glance_download_properties] extra_properties)
 */
public record ImportSettings(List<String> enabledImportMethods, Path stagingDir, String selfUrl,
    List<String> plugins, Map<String, String> inject, List<String> injectIgnoreRoles, String conversionFormat,
    int conversionTimeoutSeconds, long conversionMemoryLimit, int taskTimeToLiveHours, Limits limits,
    List<String> glanceDownloadProperties) {

  /** Glint's own per-project limits, as Glance's unified limits name them (sizes in MiB; -1 = unlimited). */
  public record Limits(long imageSizeTotal, long imageStageTotal, long imageCountTotal, long imageCountUploading) {}

  public static final List<String> KNOWN_PLUGINS =
      List.of("no_op", "inject_image_metadata", "image_decompression", "image_conversion");

  static ImportSettings from(GlintConfig c) {
    List<String> problems = new ArrayList<>();
    String uri = c.get(NODE_STAGING_URI);
    Path staging;
    if (uri == null) {
      staging = c.dataDir().resolve("staging");
    } else if (!uri.startsWith("file:///")) {
      problems.add("Option " + NODE_STAGING_URI.key() + " must be a file:/// URL, not '" + uri + "'");
      staging = null;
    } else {
      staging = Path.of(uri.substring("file://".length()));
    }
    List<String> plugins = new ArrayList<>();
    for (String raw : c.get(IMAGE_IMPORT_PLUGINS)) {
      String p = raw.replace("[", "").replace("]", "").replace("'", "").replace("\"", "").strip();
      if (p.isEmpty()) {
        continue;
      }
      if (!KNOWN_PLUGINS.contains(p)) {
        problems.add("Option " + IMAGE_IMPORT_PLUGINS.key() + " has unknown plugin '" + p + "'; known: "
            + KNOWN_PLUGINS);
      }
      plugins.add(p);
    }
    Map<String, String> inject = new LinkedHashMap<>();
    for (String item : c.get(INJECT)) {
      int colon = item.indexOf(':');
      if (colon <= 0) {
        problems.add("Option " + INJECT.key() + " must be key:value pairs, not '" + item + "'");
        continue;
      }
      inject.put(item.substring(0, colon).strip(), item.substring(colon + 1).strip());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    String self = c.get(WORKER_SELF_REFERENCE_URL);
    if (self == null) {
      self = c.get(PUBLIC_ENDPOINT);
    }
    Limits limits = c.get(USE_KEYSTONE_LIMITS)
        ? new Limits(c.get(LIMIT_IMAGE_SIZE_TOTAL), c.get(LIMIT_IMAGE_STAGE_TOTAL), c.get(LIMIT_IMAGE_COUNT_TOTAL),
            c.get(LIMIT_IMAGE_COUNT_UPLOADING))
        : null;
    return new ImportSettings(c.get(ENABLED_IMPORT_METHODS), staging, self, List.copyOf(plugins), Map.copyOf(inject),
        c.get(IGNORE_USER_ROLES), c.get(CONVERSION_OUTPUT_FORMAT), c.get(CONVERSION_TIMEOUT),
        c.get(CONVERSION_MEMORY_LIMIT), c.get(TASK_TIME_TO_LIVE), limits, unquoted(c.get(GLANCE_DOWNLOAD_EXTRA_PROPERTIES)));
  }

  /** oslo.config's quoted, bracketed list items ({@code ['hw_', 'trait:']}) as plain strings. */
  private static List<String> unquoted(List<String> items) {
    List<String> out = new ArrayList<>();
    for (String raw : items) {
      String p = raw.strip();
      if (p.startsWith("[")) {
        p = p.substring(1);
      }
      if (p.endsWith("]")) {
        p = p.substring(0, p.length() - 1);
      }
      p = p.strip();
      if (p.length() >= 2 && (p.startsWith("'") && p.endsWith("'") || p.startsWith("\"") && p.endsWith("\""))) {
        p = p.substring(1, p.length() - 1);
      }
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }
}
