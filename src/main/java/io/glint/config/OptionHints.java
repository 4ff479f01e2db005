package io.glint.config;

/** The "did you mean" hints of configuration warnings and errors: the closest known option or section. */
final class OptionHints {

  private OptionHints() {
  }

  /** " (did you mean 'X' / --X?)" for the closest known option key, or "". */
  static String forKey(String given) {
    return suggest(given, false);
  }

  /** " (did you mean GLINT_X?)" for the closest known environment name, or "". */
  static String forEnvName(String given) {
    return suggest(given, true);
  }

  /** " (section names are case-sensitive: did you mean [x]?)" when a known section differs only in case, or "". */
  static String forSection(String given) {
    return Options.sections().stream().filter(k -> k.equalsIgnoreCase(given)).findFirst()
        .map(k -> " (section names are case-sensitive: did you mean [" + k + "]?)").orElse("");
  }

  private static String suggest(String given, boolean env) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String givenName = env ? given : given.substring(given.indexOf('.') + 1);
    for (ConfigOption<?> o : Options.all()) {
      String candidate = env ? o.envName() : o.key();
      int d = env ? distance(given, candidate) : Math.min(distance(given, candidate), distance(givenName, o.name()));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    if (best == null || bestDistance > Math.max(2, given.length() / 4)) {
      return "";
    }
    return " (did you mean " + (env ? best : "'" + best + "' / --" + best) + "?)";
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
