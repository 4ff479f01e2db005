package io.glint.metadef;

import java.time.Instant;

/** A metadata definition tag. */
public record Tag(String name, Instant createdAt, Instant updatedAt) {}
