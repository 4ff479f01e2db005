package io.glint.metadef;

import java.time.Instant;

/** A resource type associated with a namespace, with the prefix and target of its properties. */
public record Association(String name, String prefix, String propertiesTarget, Instant createdAt, Instant updatedAt) {}
