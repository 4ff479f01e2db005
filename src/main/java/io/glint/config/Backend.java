package io.glint.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One store of {@code [DEFAULT] enabled_backends = name:type, ...} with the values of its {@code [name]}
 * section, parsed and validated by the options its type declares ({@link BackendType#options()}).
 *
 * @param name the store's name (its id, and its section's name)
 * @param type the store's type ({@link BackendType#type()})
 * @param values the section's values by option name (null for an unset option)
 */
public record Backend(String name, String type, Map<String, Object> values) {

  /** {@code store_description}: what {@code GET /v2/info/stores} shows; every store section may set it. */
  public static final ConfigOption<String> DESCRIPTION = BackendType.option("store_description",
      OptionType.string(true), null, "Description of the store, shown by GET /v2/info/stores.");

  public Backend {
    values = Collections.unmodifiableMap(values);
  }

  /** The value of {@code option}, one of those of {@link #optionsOf} this store's type (null when unset). */
  @SuppressWarnings("unchecked")
  public <T> T get(ConfigOption<T> option) {
    if (!values.containsKey(option.name())) {
      throw new IllegalArgumentException("Store [" + name + "] of type " + type + " has no option " + option.name());
    }
    return (T) values.get(option.name());
  }

  /** The store's {@code store_description}, if set. */
  public Optional<String> description() {
    return Optional.ofNullable(get(DESCRIPTION));
  }

  /** The options a section of {@code type} accepts: {@link #DESCRIPTION}, then the type's own. */
  static List<ConfigOption<?>> optionsOf(BackendType type) {
    List<ConfigOption<?>> all = new ArrayList<>();
    all.add(DESCRIPTION);
    all.addAll(type.options());
    return all;
  }
}
