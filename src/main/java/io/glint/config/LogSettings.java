package io.glint.config;

import static io.glint.config.Options.*;

/**
 * Logging.
 *
 * @param logLevel effective level, upper case: [DEFAULT] log_level, raised to "DEBUG" when [DEFAULT] debug is
 *     true (a configured "TRACE" stays "TRACE")
 * @param debug Glance's [DEFAULT] debug flag
 */
public record LogSettings(String logLevel, boolean debug) {

  static LogSettings from(GlintConfig c) {
    String level = c.get(LOG_LEVEL);
    boolean debug = c.get(DEBUG);
    return new LogSettings(debug && !level.equals("TRACE") ? "DEBUG" : level, debug);
  }
}
