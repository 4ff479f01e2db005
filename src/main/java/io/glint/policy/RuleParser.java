package io.glint.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compiles a rule written in oslo.policy's language ({@code oslo_policy/_parser.py}) into a {@link Check}:
 * {@code role:X}, {@code rule:name}, {@code <credential>:<match>} and {@code '<literal>':<match>} with
 * {@code %(attribute)s} taken from the target, {@code @}, {@code !}, {@code and}, {@code or}, {@code not}
 * (case-insensitive, {@code not} binding tightest, then {@code and}) and parentheses. The empty rule allows
 * everything. Tokens are split as oslo.policy splits them: on white space, with parentheses peeled off each
 * token's ends.
 *
 * <p>Where oslo.policy logs a rule it cannot understand and lets it deny everything, Glint refuses it with
 * {@link Malformed}, which stops start-up: a typo in a policy file should not silently lock users out (or, in a
 * {@code not}, let them in). {@code http:} checks (remote policy servers) are refused as unsupported.
 */
public final class RuleParser {

  /** A rule that cannot be compiled; the message says why. */
  public static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message);
    }
  }

  private enum Kind { LEFT, RIGHT, AND, OR, NOT, CHECK }

  private record Token(Kind kind, Check check) {}

  private final List<Token> tokens;
  private int pos;

  private RuleParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** Compiles {@code rule}; {@code rule:} references are left unlinked (see {@link Check.RuleRef#link}). */
  public static Check parse(String rule) {
    if (rule.isEmpty()) {
      return Check.ALWAYS;
    }
    List<Token> tokens = tokenize(rule);
    if (tokens.isEmpty()) {
      throw new Malformed("a rule of only white space (write \"\" to allow everyone)");
    }
    RuleParser parser = new RuleParser(tokens);
    Check check = parser.or();
    if (parser.pos != tokens.size()) {
      throw new Malformed("unexpected " + describe(tokens.get(parser.pos)) + " after '" + check.text() + "'");
    }
    return check;
  }

  private Check or() {
    List<Check> terms = new ArrayList<>();
    terms.add(and());
    while (peek(Kind.OR)) {
      pos++;
      terms.add(and());
    }
    return terms.size() == 1 ? terms.get(0) : new Check.Or(List.copyOf(terms));
  }

  private Check and() {
    List<Check> terms = new ArrayList<>();
    terms.add(unary());
    while (peek(Kind.AND)) {
      pos++;
      terms.add(unary());
    }
    return terms.size() == 1 ? terms.get(0) : new Check.And(List.copyOf(terms));
  }

  private Check unary() {
    if (pos >= tokens.size()) {
      throw new Malformed("the rule ends where a check was expected");
    }
    Token t = tokens.get(pos++);
    switch (t.kind()) {
      case NOT -> {
        return new Check.Not(unary());
      }
      case LEFT -> {
        Check inner = or();
        if (!peek(Kind.RIGHT)) {
          throw new Malformed("a '(' is not closed");
        }
        pos++;
        return inner;
      }
      case CHECK -> {
        return t.check();
      }
      default -> throw new Malformed("unexpected " + describe(t) + " where a check was expected");
    }
  }

  private boolean peek(Kind kind) {
    return pos < tokens.size() && tokens.get(pos).kind() == kind;
  }

  private static String describe(Token t) {
    return switch (t.kind()) {
      case LEFT -> "'('";
      case RIGHT -> "')'";
      case AND -> "'and'";
      case OR -> "'or'";
      case NOT -> "'not'";
      case CHECK -> "check '" + t.check().text() + "'";
    };
  }

  /** oslo.policy's {@code _parse_tokenize}. */
  private static List<Token> tokenize(String rule) {
    List<Token> out = new ArrayList<>();
    for (String tok : rule.split("\\s+")) {
      if (tok.isEmpty()) {
        continue;
      }
      int lead = 0;
      while (lead < tok.length() && tok.charAt(lead) == '(') {
        out.add(new Token(Kind.LEFT, null));
        lead++;
      }
      String clean = tok.substring(lead);
      if (clean.isEmpty()) {
        continue;
      }
      int end = clean.length();
      while (end > 0 && clean.charAt(end - 1) == ')') {
        end--;
      }
      int trail = clean.length() - end;
      String word = clean.substring(0, end);
      switch (word.toLowerCase(Locale.ROOT)) {
        case "and" -> out.add(new Token(Kind.AND, null));
        case "or" -> out.add(new Token(Kind.OR, null));
        case "not" -> out.add(new Token(Kind.NOT, null));
        case "" -> { }
        default -> {
          if (clean.length() >= 2 && (clean.charAt(0) == '"' || clean.charAt(0) == '\'')
              && clean.charAt(clean.length() - 1) == clean.charAt(0)) {
            throw new Malformed("a quoted string (" + clean + ") is not a check; a literal goes before the colon, "
                + "as in 'public':%(visibility)s");
          }
          out.add(new Token(Kind.CHECK, check(word)));
        }
      }
      for (int i = 0; i < trail; i++) {
        out.add(new Token(Kind.RIGHT, null));
      }
    }
    return out;
  }

  /** oslo.policy's {@code _parse_check}: one {@code kind:match}, {@code @} or {@code !}. */
  static Check check(String text) {
    if (text.equals("!")) {
      return Check.NEVER;
    }
    if (text.equals("@")) {
      return Check.ALWAYS;
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new Malformed("'" + text + "' is not a check (expected kind:match, @ or !)");
    }
    String kind = text.substring(0, colon);
    String match = text.substring(colon + 1);
    if (kind.isEmpty()) {
      throw new Malformed("'" + text + "' has nothing before the colon");
    }
    switch (kind) {
      case "rule" -> {
        if (match.isEmpty()) {
          throw new Malformed("'rule:' names no rule");
        }
        return new Check.RuleRef(match);
      }
      case "role" -> {
        return new Check.Role(template(match, text));
      }
      case "http", "https" -> throw new Malformed("'" + text + "': http: checks (a remote policy server) are not "
          + "supported by Glint");
      default -> {
        String literal = literal(kind);
        return new Check.Generic(kind, literal, literal == null ? Check.Credentials.Key.of(kind) : null,
            template(match, text));
      }
    }
  }

  /**
   * The value of {@code kind} if it is a Python literal (as {@code ast.literal_eval} reads it) rendered as
   * {@code str()} would: a quoted string, {@code True}, {@code False}, {@code None} or an integer. Null when it
   * names a credential.
   */
  private static String literal(String kind) {
    char first = kind.charAt(0);
    if ((first == '\'' || first == '"')) {
      if (kind.length() < 2 || kind.charAt(kind.length() - 1) != first) {
        throw new Malformed("unterminated quoted literal " + kind);
      }
      return kind.substring(1, kind.length() - 1);
    }
    if (kind.equals("True") || kind.equals("False") || kind.equals("None")) {
      return kind;
    }
    if (first == '-' || first == '+' || Character.isDigit(first)) {
      try {
        return Long.toString(Long.parseLong(kind));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** Python's {@code %(name)s} substitutions and {@code %%}; any other {@code %} form is refused. */
  private static Check.Template template(String match, String check) {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < match.length()) {
      char c = match.charAt(i);
      if (c != '%') {
        literal.append(c);
        i++;
        continue;
      }
      if (i + 1 < match.length() && match.charAt(i + 1) == '%') {
        literal.append('%');
        i += 2;
        continue;
      }
      int close = match.indexOf(')', i);
      if (i + 1 >= match.length() || match.charAt(i + 1) != '(' || close < 0 || close + 1 >= match.length()
          || match.charAt(close + 1) != 's') {
        throw new Malformed("'" + check + "': a '%' must start %(attribute)s or be written %%");
      }
      String name = match.substring(i + 2, close);
      if (name.isEmpty()) {
        throw new Malformed("'" + check + "': %()s names no attribute");
      }
      if (literal.length() > 0) {
        parts.add(literal.toString());
        literal.setLength(0);
      }
      parts.add(new Check.TargetAttribute(name));
      i = close + 2;
    }
    if (literal.length() > 0 || parts.isEmpty()) {
      parts.add(literal.toString());
    }
    return new Check.Template(match, List.copyOf(parts));
  }
}
