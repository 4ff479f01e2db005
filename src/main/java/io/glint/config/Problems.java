package io.glint.config;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What loading the configuration found wrong: errors (start-up stops, all reported at once) and warnings
 * (logged as found, and kept for {@link GlintConfig#warnings()}). Logged under {@link GlintConfig}'s logger, the
 * one operators watch for configuration messages.
 */
final class Problems {

  static final Logger LOG = LoggerFactory.getLogger(GlintConfig.class);

  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  void error(String message) {
    errors.add(message);
  }

  void errors(List<String> messages) {
    errors.addAll(messages);
  }

  void warn(String message) {
    LOG.warn(message);
    warnings.add(message);
  }

  List<String> warnings() {
    return warnings;
  }

  /** @throws ConfigException listing every error found, if any */
  void throwIfAny() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }
}
