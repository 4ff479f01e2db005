package io.glint.notify;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Glance's {@code disabled_notifications}: an entry disables the event type it names ({@code image.create}), or
 * a whole group ({@code image}, {@code metadef_tag}: the part before the first dot, as Glance reads it); Glint also
 * takes patterns with {@code *} ({@code image.*}, {@code image.member.*}, {@code *.delete}).
 */
final class NotificationFilter {
  private final List<String> exact;
  private final List<Pattern> patterns;

  NotificationFilter(List<String> disabled) {
    this.exact = disabled.stream().filter(d -> !d.contains("*")).toList();
    this.patterns = disabled.stream().filter(d -> d.contains("*"))
        .map(d -> Pattern.compile(String.join(".*", java.util.Arrays.stream(d.split("\\*", -1))
            .map(Pattern::quote).toList())))
        .toList();
  }

  boolean enabled(String eventType) {
    int dot = eventType.indexOf('.');
    String group = dot < 0 ? eventType : eventType.substring(0, dot);
    for (String d : exact) {
      if (d.equals(eventType) || d.equals(group)) {
        return false;
      }
    }
    for (Pattern p : patterns) {
      if (p.matcher(eventType).matches()) {
        return false;
      }
    }
    return true;
  }
}
