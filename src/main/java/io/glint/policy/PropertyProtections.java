package io.glint.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.glint.auth.RequestContext;
import io.glint.image.Image;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's property protections ({@code glance/common/property_utils.py}): who may create, read, update and
 * delete which custom properties. The file ({@code [DEFAULT] property_protection_file}) is an INI file whose
 * section names are regular expressions searched in property names; the first section that matches, in file
 * order, decides, and a property no section matches is refused everything. Each section must set all four
 * operations, to comma-separated roles ({@code property_protection_rule_format = roles}) or to one policy rule
 * name ({@code policies}); {@code @} allows everyone, {@code !} no one, an empty value no one. A denied create,
 * update or delete is a 403; a denied read hides the property from the caller's views.
 *
 * <p>One difference from Glance: a property the caller cannot read survives the caller's updates of the image
 * (Glance saves the image without it, which deletes it).
 */
public final class PropertyProtections {
  private static final Logger LOG = LoggerFactory.getLogger(PropertyProtections.class);

  /** Protections that protect nothing (no {@code property_protection_file}). */
  public static final PropertyProtections NONE = new PropertyProtections(null, List.of());

  /** What is done to a property. */
  public enum Operation {
    CREATE, READ, UPDATE, DELETE;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private sealed interface Permission {
    boolean allows(RequestContext caller);
  }

  private record Everyone() implements Permission {
    @Override
    public boolean allows(RequestContext caller) {
      return true;
    }
  }

  private record Nobody() implements Permission {
    @Override
    public boolean allows(RequestContext caller) {
      return false;
    }
  }

  private record Roles(Set<String> roles) implements Permission {
    @Override
    public boolean allows(RequestContext caller) {
      for (String r : caller.roles()) {
        if (roles.contains(r.toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
      for (String r : caller.serviceRoles()) {
        if (roles.contains(r.toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
      return false;
    }
  }

  /** Glance adds rule {@code "<section>:<operation>": "rule:<name>"} and enforces it with an empty target. */
  private record PolicyRule(Check check) implements Permission {
    @Override
    public boolean allows(RequestContext caller) {
      return check.test(caller, Target.none());
    }
  }

  private record Section(String expression, Pattern pattern, Map<Operation, Permission> permissions) {}

  /** No section matches the property. */
  private static final int NO_SECTION = -1;

  private final String source;
  private final List<Section> sections;
  /**
   * Property name to the index of the section that decides it: the regular expressions run once per name, not
   * per request. Bounded, since callers choose the names.
   */
  private final Cache<String, Integer> sectionOf = Caffeine.newBuilder().maximumSize(10_000).build();

  private PropertyProtections(String source, List<Section> sections) {
    this.source = source;
    this.sections = List.copyOf(sections);
  }

  /**
   * Reads the file at {@code path}.
   *
   * @param policies whether the rule format is {@code policies} (else {@code roles})
   * @param rules the policy rules that {@code policies} names
   * @throws RuleParser.Malformed naming the file and section when it cannot be used
   */
  public static PropertyProtections load(Path path, boolean policies, PolicyRules rules) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RuleParser.Malformed("Cannot read property protection file " + path + ": " + e);
    }
    return parse(text, path.toString(), policies, rules);
  }

  /** Parses the text of a property protection file; {@code source} names it in messages. */
  public static PropertyProtections parse(String text, String source, boolean policies, PolicyRules rules) {
    Map<String, Map<String, String>> ini = IniSections.parse(text, source);
    List<Section> sections = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> s : ini.entrySet()) {
      String expression = s.getKey();
      Pattern pattern = compile(expression, source);
      Map<Operation, Permission> permissions = new EnumMap<>(Operation.class);
      for (Operation op : Operation.values()) {
        String value = s.getValue().get(op.key());
        if (value == null) {
          throw error(source, expression, "sets no '" + op.key() + "' (each section sets create, read, update "
              + "and delete)");
        }
        permissions.put(op, permission(value, policies, rules, source, expression, op));
      }
      for (String key : s.getValue().keySet()) {
        if (java.util.Arrays.stream(Operation.values()).noneMatch(op -> op.key().equals(key))) {
          LOG.warn("Property protection file {}: section [{}] sets '{}', which is not an operation; ignored", source,
              expression, key);
        }
      }
      sections.add(new Section(expression, pattern, permissions));
    }
    return new PropertyProtections(source, sections);
  }

  private static Permission permission(String value, boolean policies, PolicyRules rules, String source,
      String section, Operation op) {
    if (value.isEmpty()) {
      LOG.warn("Property protection on operation {} for rule {} is not found. No role will be allowed to perform "
          + "this operation. ({})", op.key(), section, source);
      return new Nobody();
    }
    if (policies) {
      if (value.contains(",")) {
        throw error(source, section, op.key() + " = " + value + ": one policy per operation (combine policies "
            + "in the policy file)");
      }
      String name = value.strip();
      if (name.equals("!")) {
        return new Nobody();
      }
      if (name.equals("@")) {
        return new Everyone();
      }
      if (!rules.defines(name)) {
        LOG.warn("Property protection file {}: [{}] {} names policy rule '{}', which is not defined: it allows no one",
            source, section, op.key(), name);
      }
      try {
        return new PolicyRule(rules.compileLinked("rule:" + name));
      } catch (RuleParser.Malformed e) {
        throw error(source, section, op.key() + " = " + value + ": " + e.getMessage());
      }
    }
    Set<String> roles = new LinkedHashSet<>();
    for (String role : value.split(",", -1)) {
      roles.add(role.strip().toLowerCase(Locale.ROOT));
    }
    if (roles.contains("@") && roles.contains("!")) {
      throw error(source, section, op.key() + " = " + value + ": '@' and '!' are mutually exclusive");
    }
    if (roles.contains("!")) {
      return new Nobody();
    }
    if (roles.contains("@")) {
      return new Everyone();
    }
    return new Roles(Set.copyOf(roles));
  }

  /** A section name as a Java pattern; Python's named groups {@code (?P<n>...)} and {@code (?P=n)} translated. */
  private static Pattern compile(String expression, String source) {
    String java = expression.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
    try {
      return Pattern.compile(java);
    } catch (PatternSyntaxException e) {
      throw error(source, expression, "not a valid regular expression: " + e.getDescription());
    }
  }

  private static RuleParser.Malformed error(String source, String section, String what) {
    return new RuleParser.Malformed("Property protection file " + source + ": section [" + section + "]: " + what);
  }

  /** Whether any protection is configured. */
  public boolean enabled() {
    return source != null;
  }

  /** Whether {@code caller} may do {@code op} to custom property {@code property}. */
  public boolean allows(RequestContext caller, String property, Operation op) {
    if (sections.isEmpty()) {
      return true;
    }
    int index = sectionOf.get(property, this::firstMatch);
    return index != NO_SECTION && sections.get(index).permissions().get(op).allows(caller);
  }

  private int firstMatch(String property) {
    for (int i = 0; i < sections.size(); i++) {
      if (sections.get(i).pattern().matcher(property).find()) {
        return i;
      }
    }
    return NO_SECTION;
  }

  /** The image as {@code caller} may see it: without the custom properties it may not read. */
  public Image readable(RequestContext caller, Image image) {
    if (sections.isEmpty() || image.properties().isEmpty()) {
      return image;
    }
    Map<String, String> shown = null;
    for (String name : image.properties().keySet()) {
      if (!allows(caller, name, Operation.READ)) {
        if (shown == null) {
          shown = new TreeMap<>(image.properties());
        }
        shown.remove(name);
      }
    }
    if (shown == null) {
      return image;
    }
    Image.Builder b = image.toBuilder();
    b.properties.clear();
    b.properties.putAll(shown);
    return b.build();
  }

  /**
   * Python's {@code configparser} as Glance reads the file: sections in file order (a repeated section, or option
   * within one, is an error), option names lower-cased, {@code =} or {@code :} between name and value, {@code #}
   * and {@code ;} comment lines, indented lines continuing a value, and {@code [DEFAULT]}'s options inherited by
   * every section.
   */
  static final class IniSections {
    private IniSections() {}

    static Map<String, Map<String, String>> parse(String text, String source) {
      Map<String, Map<String, String>> sections = new LinkedHashMap<>();
      Map<String, String> defaults = new LinkedHashMap<>();
      Map<String, String> current = null;
      String currentName = null;
      String option = null;
      int optionIndent = 0;
      String[] lines = text.split("\r\n|\r|\n", -1);
      for (int i = 0; i < lines.length; i++) {
        String raw = lines[i];
        String line = raw.strip();
        if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
          if (line.isEmpty()) {
            option = null;
          }
          continue;
        }
        int indent = raw.length() - raw.stripLeading().length();
        if (current != null && option != null && indent > optionIndent) {
          current.put(option, (current.get(option) + "\n" + line).strip());
          continue;
        }
        optionIndent = indent;
        if (line.startsWith("[") && line.lastIndexOf(']') > 1) {
          currentName = line.substring(1, line.lastIndexOf(']'));
          option = null;
          if (currentName.equals("DEFAULT")) {
            current = defaults;
            continue;
          }
          if (sections.containsKey(currentName)) {
            throw new RuleParser.Malformed("Property protection file " + source + ":" + (i + 1) + ": section ["
                + currentName + "] appears twice");
          }
          current = new LinkedHashMap<>();
          sections.put(currentName, current);
          continue;
        }
        if (current == null) {
          throw new RuleParser.Malformed("Property protection file " + source + ":" + (i + 1)
              + ": an option before the first [section]");
        }
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
        if (sep <= 0) {
          throw new RuleParser.Malformed("Property protection file " + source + ":" + (i + 1)
              + ": expected 'operation = value', got '" + line + "'");
        }
        String key = line.substring(0, sep).strip().toLowerCase(Locale.ROOT);
        if (current.containsKey(key)) {
          throw new RuleParser.Malformed("Property protection file " + source + ":" + (i + 1) + ": section ["
              + currentName + "] sets '" + key + "' twice");
        }
        current.put(key, line.substring(sep + 1).strip());
        option = key;
      }
      for (Map<String, String> section : sections.values()) {
        defaults.forEach(section::putIfAbsent);
      }
      return sections;
    }
  }
}
