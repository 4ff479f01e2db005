package io.glint.config;

import static io.glint.config.Options.*;

/**
 * Deletion and the in-process scrubber (glance-scrubber's options).
 *
 * @param delayedDelete whether deletes leave data for the scrubber ([DEFAULT] delayed_delete)
 * @param scrubTime seconds before pending_delete data is scrubbed ([DEFAULT] scrub_time)
 * @param wakeupTime seconds between scrubber runs (glance-scrubber's wakeup_time)
 */
public record ScrubberSettings(boolean delayedDelete, int scrubTime, int wakeupTime) {

  static ScrubberSettings from(GlintConfig c) {
    return new ScrubberSettings(c.get(DELAYED_DELETE), c.get(SCRUB_TIME), c.get(WAKEUP_TIME));
  }
}
