package io.glint.metadef;

/** A property definition: its name and its JSON-schema text (the keywords of {@link PropertySchema}). */
public record Property(String name, String schema) {}
