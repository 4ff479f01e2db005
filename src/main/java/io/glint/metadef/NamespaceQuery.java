package io.glint.metadef;

import java.util.List;

/**
 * One page of the namespace list: who asks ({@code admin} sees all; else public ones and those of
 * {@code owner}), the {@code visibility} and {@code resourceTypes} filters (null: none), the marker namespace
 * (null: from the start), the limit and the order.
 */
public record NamespaceQuery(boolean admin, String owner, String visibility, List<String> resourceTypes,
    Namespace marker, int limit, String sortKey, boolean ascending) {}
