package io.glint.policy;

import io.glint.auth.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled rules of oslo.policy's {@code Enforcer}: the registered defaults ({@link GlanceRules}), each
 * replaced by the operator's file when it names it, the file's helper rules, {@code rule:} references linked, and
 * the two switches of {@code [oslo_policy]}: {@code enforce_new_defaults} (off: a default's deprecated check string
 * is OR-ed in unless the file sets the rule) and {@code enforce_scope} (on: a rule meant for project-scoped tokens
 * refuses a system-scoped one; off: that is only logged). Built once at start-up; immutable after.
 */
public final class PolicyRules {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyRules.class);

  /** A rule as enforced: its check and the token scopes it is meant for (registered rules only). */
  private static final class Compiled {
    final String name;
    final Check check;
    final List<String> scopeTypes;
    final AtomicBoolean scopeWarned = new AtomicBoolean();

    Compiled(String name, Check check, List<String> scopeTypes) {
      this.name = name;
      this.check = check;
      this.scopeTypes = scopeTypes;
    }
  }

  private final Map<String, Compiled> rules;
  private final Compiled[] byAction;
  private final boolean newDefaults;
  private final boolean enforceScope;

  private PolicyRules(Map<String, Compiled> rules, boolean newDefaults, boolean enforceScope) {
    this.rules = Map.copyOf(rules);
    this.newDefaults = newDefaults;
    this.enforceScope = enforceScope;
    this.byAction = new Compiled[Action.values().length];
    for (Action a : Action.values()) {
      byAction[a.ordinal()] = rules.get(a.rule());
    }
  }

  /** Glint's registered defaults, without an operator file. */
  public static PolicyRules defaults(boolean newDefaults, boolean enforceScope) {
    return build(Map.of(), "defaults", newDefaults, enforceScope);
  }

  /**
   * The registered defaults overridden by {@code fileRules} (rule name to a check string, or oslo.policy's old
   * list-of-lists form), read from {@code source}.
   *
   * @throws RuleParser.Malformed naming the rule and {@code source} when a rule cannot be compiled, or rules refer
   *     to each other in a cycle
   */
  public static PolicyRules build(Map<String, Object> fileRules, String source, boolean newDefaults,
      boolean enforceScope) {
    Map<String, RuleDefault> registered = GlanceRules.all();
    Map<String, Compiled> compiled = new LinkedHashMap<>();
    for (RuleDefault d : registered.values()) {
      Check check;
      if (fileRules.containsKey(d.name())) {
        check = compileFileRule(d.name(), fileRules.get(d.name()), source);
      } else if (!newDefaults && d.deprecated() != null && !d.deprecated().equals(d.check())) {
        // oslo.policy ORs [new, deprecated]; the deprecated rule:default usually decides, so it goes first.
        check = new Check.Or(List.of(RuleParser.parse(d.deprecated()), RuleParser.parse(d.check())));
      } else {
        check = RuleParser.parse(d.check());
      }
      compiled.put(d.name(), new Compiled(d.name(), check, d.scopeTypes()));
    }
    for (Map.Entry<String, Object> e : fileRules.entrySet()) {
      if (!registered.containsKey(e.getKey())) {
        compiled.put(e.getKey(), new Compiled(e.getKey(), compileFileRule(e.getKey(), e.getValue(), source),
            List.of()));
      }
    }
    link(compiled, source);
    warnUnused(compiled, registered, fileRules.keySet(), source);
    return new PolicyRules(compiled, newDefaults, enforceScope);
  }

  /** Whether the secure-RBAC defaults are in force ({@code enforce_new_defaults}). */
  public boolean newDefaults() {
    return newDefaults;
  }

  /** Whether a rule of {@code name} exists (registered or defined by the operator's file). */
  public boolean defines(String name) {
    return rules.containsKey(name);
  }

  /** Whether the rule of {@code action} allows {@code caller} on {@code target}. */
  boolean check(Action action, RequestContext caller, Target target) {
    return check(byAction[action.ordinal()], caller, target);
  }

  /** Whether rule {@code name} allows {@code caller} on {@code target}; an undefined rule never does. */
  public boolean check(String name, RequestContext caller, Target target) {
    Compiled c = rules.get(name);
    return c != null && check(c, caller, target);
  }

  private boolean check(Compiled rule, RequestContext caller, Target target) {
    if (!rule.scopeTypes.isEmpty()) {
      String scope = caller.systemScope() != null ? "system" : "project";
      if (!rule.scopeTypes.contains(scope)) {
        if (enforceScope) {
          return false;
        }
        if (rule.scopeWarned.compareAndSet(false, true)) {
          LOG.warn("Policy {} is meant for {}-scoped tokens, not {}-scoped ones; allowed to go on because "
              + "[oslo_policy] enforce_scope is off", rule.name, String.join("/", rule.scopeTypes), scope);
        }
      }
    }
    return rule.check.test(caller, target);
  }

  /** The compiled check of rule {@code name}, or null (tests, messages). */
  Check rule(String name) {
    Compiled c = rules.get(name);
    return c == null ? null : c.check;
  }

  /** Compiles a rule that refers to other rules only through {@code rule:}, linked to these rules. */
  public Check compileLinked(String text) {
    Check check = RuleParser.parse(text);
    List<Check.RuleRef> refs = new ArrayList<>();
    collectRefs(check, refs);
    for (Check.RuleRef ref : refs) {
      Compiled target = rules.get(ref.name());
      ref.link(target == null ? null : target.check);
    }
    return check;
  }

  private static Check compileFileRule(String name, Object value, String source) {
    try {
      if (value instanceof String s) {
        return RuleParser.parse(s);
      }
      if (value instanceof List<?> list) {
        return listRule(list);
      }
      throw new RuleParser.Malformed(value == null ? "no check string (write \"\" to allow everyone)"
          : "the rule must be a string, not " + value);
    } catch (RuleParser.Malformed e) {
      throw new RuleParser.Malformed("Policy file " + source + ": rule '" + name + "': " + e.getMessage());
    }
  }

  /** oslo.policy's old list-of-lists syntax: the outer list OR-ed, each inner list of single checks AND-ed. */
  private static Check listRule(List<?> outer) {
    if (outer.isEmpty()) {
      return Check.ALWAYS;
    }
    List<Check> or = new ArrayList<>();
    for (Object inner : outer) {
      List<?> items = inner instanceof List<?> l ? l : List.of(inner);
      List<Check> and = new ArrayList<>();
      for (Object item : items) {
        if (!(item instanceof String s)) {
          throw new RuleParser.Malformed("list rules hold strings, not " + item);
        }
        and.add(RuleParser.check(s));
      }
      if (!and.isEmpty()) {
        or.add(and.size() == 1 ? and.get(0) : new Check.And(List.copyOf(and)));
      }
    }
    if (or.isEmpty()) {
      return Check.NEVER;
    }
    return or.size() == 1 ? or.get(0) : new Check.Or(List.copyOf(or));
  }

  /** Links every {@code rule:} reference; warns of undefined ones (they deny) and refuses cycles. */
  private static void link(Map<String, Compiled> compiled, String source) {
    Map<String, List<Check.RuleRef>> refsOf = new HashMap<>();
    Set<String> undefined = new LinkedHashSet<>();
    for (Compiled c : compiled.values()) {
      List<Check.RuleRef> refs = new ArrayList<>();
      collectRefs(c.check, refs);
      refsOf.put(c.name, refs);
      for (Check.RuleRef ref : refs) {
        Compiled target = compiled.get(ref.name());
        if (target == null) {
          undefined.add(c.name);
        } else {
          ref.link(target.check);
        }
      }
    }
    if (!undefined.isEmpty()) {
      LOG.warn("Policies {} reference a rule that is not defined ({}); such a reference denies", undefined, source);
    }
    Set<String> done = new LinkedHashSet<>();
    for (String name : compiled.keySet()) {
      findCycle(name, refsOf, new ArrayList<>(), done, source);
    }
  }

  private static void findCycle(String name, Map<String, List<Check.RuleRef>> refsOf, List<String> path,
      Set<String> done, String source) {
    if (done.contains(name) || !refsOf.containsKey(name)) {
      return;
    }
    int at = path.indexOf(name);
    if (at >= 0) {
      List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
      cycle.add(name);
      throw new RuleParser.Malformed("Policy file " + source + ": rules refer to each other in a cycle: "
          + String.join(" -> ", cycle));
    }
    path.add(name);
    for (Check.RuleRef ref : refsOf.get(name)) {
      findCycle(ref.name(), refsOf, path, done, source);
    }
    path.remove(path.size() - 1);
    done.add(name);
  }

  private static void warnUnused(Map<String, Compiled> compiled, Map<String, RuleDefault> registered,
      Set<String> fileNames, String source) {
    Set<String> referenced = new LinkedHashSet<>();
    for (Compiled c : compiled.values()) {
      List<Check.RuleRef> refs = new ArrayList<>();
      collectRefs(c.check, refs);
      refs.forEach(r -> referenced.add(r.name()));
    }
    List<String> unknown = fileNames.stream()
        .filter(n -> !registered.containsKey(n) && !referenced.contains(n))
        .toList();
    if (!unknown.isEmpty()) {
      LOG.warn("Policy file {} sets rules Glint does not know and no rule refers to: {}; they are ignored",
          source, unknown);
    }
  }

  static void collectRefs(Check check, List<Check.RuleRef> out) {
    if (check instanceof Check.RuleRef ref) {
      out.add(ref);
    } else if (check instanceof Check.And and) {
      and.checks().forEach(c -> collectRefs(c, out));
    } else if (check instanceof Check.Or or) {
      or.checks().forEach(c -> collectRefs(c, out));
    } else if (check instanceof Check.Not not) {
      collectRefs(not.check(), out);
    }
  }
}
