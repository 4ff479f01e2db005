package io.glint.metadef;

import java.time.Instant;
import java.util.List;

/**
 * A metadata definition object: a named group of property definitions ({@code properties} is the JSON text of
 * the name → definition map), some of them {@code required}.
 */
public record MetaObject(String name, String description, List<String> required, String properties,
    Instant createdAt, Instant updatedAt) {}
