package io.glint.metadef;

/** One page of a namespace's tags: marker tag (null: from the start), limit (null: all) and order. */
public record TagQuery(long namespaceId, String markerName, Integer limit, String sortKey, boolean ascending) {}
