package io.glint.config;

import static io.glint.config.Options.*;

import java.util.List;

/**
 * What images may be and how they are shown: formats, hashing, list paging, import methods.
 *
 * @param containerFormats allowed container_format values ([image_format] container_formats)
 * @param diskFormats allowed disk_format values ([image_format] disk_formats)
 * @param hashingAlgorithm Glance name of the os_hash_algo, e.g. "sha512" ([DEFAULT] hashing_algorithm, lower case)
 * @param showImageDirectUrl whether image responses include direct_url ([DEFAULT] show_image_direct_url)
 * @param showMultipleLocations whether image responses include locations, and PATCH may change them ([DEFAULT]
 *     show_multiple_locations)
 * @param limitParamDefault default page size of list requests ([DEFAULT] limit_param_default)
 * @param apiLimitMax largest page size of list requests ([DEFAULT] api_limit_max)
 * @param enabledImportMethods interoperable-import methods offered ([DEFAULT] enabled_import_methods)
 * @param multibufferDigests off, auto or on: uploads hashed together in SIMD lanes ([DEFAULT] multibuffer_digests)
 */
public record ImageSettings(List<String> containerFormats, List<String> diskFormats, String hashingAlgorithm,
    boolean showImageDirectUrl, boolean showMultipleLocations, int limitParamDefault, int apiLimitMax,
    List<String> enabledImportMethods, String multibufferDigests) {

  static ImageSettings from(GlintConfig c) {
    return new ImageSettings(c.get(CONTAINER_FORMATS), c.get(DISK_FORMATS), c.get(HASHING_ALGORITHM),
        c.get(SHOW_IMAGE_DIRECT_URL), c.get(SHOW_MULTIPLE_LOCATIONS), c.get(LIMIT_PARAM_DEFAULT),
        c.get(API_LIMIT_MAX), c.get(ENABLED_IMPORT_METHODS), c.get(MULTIBUFFER_DIGESTS));
  }

  /** {@link #hashingAlgorithm()} as a java.security.MessageDigest name, e.g. "SHA-512", "SHA3-256". */
  public String hashingAlgorithmJcaName() {
    if (hashingAlgorithm.equals("md5")) {
      return "MD5";
    }
    if (hashingAlgorithm.startsWith("sha3_")) {
      return "SHA3-" + hashingAlgorithm.substring(5);
    }
    return "SHA-" + hashingAlgorithm.substring(3);
  }
}
