package io.glint.metadef;

/**
 * The subject of a metadef event: the namespace, the item changed in it (a {@link Property}, {@link MetaObject},
 * {@link Association} or {@link Tag}; null for the namespace's own events), and the name it had before a rename
 * (null when unchanged).
 */
public record MetadefChange(Namespace namespace, Object item, String oldName) {}
