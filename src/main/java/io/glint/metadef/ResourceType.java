package io.glint.metadef;

import java.time.Instant;

/** A resource type ({@code OS::Glance::Image}, {@code OS::Nova::Flavor}, ...). */
public record ResourceType(String name, Instant createdAt, Instant updatedAt) {}
