package io.glint.config;

import java.util.List;

/**
 * A configuration problem the operator has to fix: an unparsable file, an unknown flag, an invalid
 * value. The message names the option, where the value came from and what is allowed; when several
 * problems were found they are all listed, one per line.
 */
public class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(String message) {
    super(message);
    this.problems = List.of(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
    this.problems = List.of(message);
  }

  /** One exception reporting every problem found (at least one). */
  public ConfigException(List<String> problems) {
    super(format(problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems to report");
    }
    this.problems = List.copyOf(problems);
  }

  /** Each problem found, in the order found. */
  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    StringBuilder sb = new StringBuilder("Invalid configuration (").append(problems.size()).append(" problems):");
    for (String p : problems) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }
}
