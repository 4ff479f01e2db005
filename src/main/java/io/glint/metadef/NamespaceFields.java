package io.glint.metadef;

/** The attributes of a namespace a client sets (create, full-replace update, a loaded file). */
public record NamespaceFields(String namespace, String displayName, String description, String visibility,
    boolean isProtected, String owner) {}
