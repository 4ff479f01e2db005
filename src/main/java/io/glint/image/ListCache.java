package io.glint.image;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.glint.auth.RequestContext;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The list pages this node answered lately, as bytes, by caller and query string: the same list asked again by
 * the same identity is answered without the database, as long as no image or member changed anywhere in
 * between. Each page is kept with the change {@code generation} read before its query ran; any change made
 * through this node, or announced by the database for another node's (see {@code CachingImageRepository}),
 * moves the generation on, and the page no longer answers. Pages also expire after {@link #TTL}, the bound on
 * staleness while the database's announcements do not arrive (the image-by-id cache's bound too). Bounded in
 * bytes ({@code [DEFAULT] image_list_cache_size}; 0 turns it off).
 *
 * <p>The key is everything a list's answer depends on: the caller's whole identity (user, project, roles, admin,
 * read-only, domains, system scope, service roles: what policy rules and property protections may read; not
 * the request id or token) and the raw query string (filters, sort, marker, limit).
 */
public final class ListCache {
  public static final Duration TTL = Duration.ofSeconds(2);

  private record Key(String userId, String projectId, Set<String> roles, boolean admin, boolean readOnly,
      String userDomainId, String projectDomainId, String systemScope, Set<String> serviceRoles, String query) {}

  private record Page(long generation, byte[] body) {}

  private final Cache<Key, Page> pages;
  private final LongSupplier generation;

  /**
   * @param maxBytes most bytes of pages kept (0: nothing is cached)
   * @param generation the change generation ({@code CachingImageRepository.generation()})
   */
  public ListCache(long maxBytes, LongSupplier generation) {
    this.generation = generation;
    this.pages = maxBytes <= 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Key k, Page p) -> p.body().length + 256 + (k.query() == null ? 0 : k.query().length()))
        .expireAfterWrite(TTL)
        .build();
  }

  /** The generation to give {@link #put} for a list about to be read. */
  public long generation() {
    return generation.getAsLong();
  }

  /** The page answered to this caller for this query, if nothing changed since; else null. */
  public byte[] get(RequestContext caller, String query) {
    if (pages == null) {
      return null;
    }
    Page page = pages.getIfPresent(key(caller, query));
    return page != null && page.generation() == generation.getAsLong() ? page.body() : null;
  }

  /** Keeps the page read for this caller and query, if nothing changed since {@code readAt} (its generation). */
  public void put(RequestContext caller, String query, long readAt, byte[] body) {
    if (pages != null && generation.getAsLong() == readAt) {
      pages.put(key(caller, query), new Page(readAt, body));
    }
  }

  private static Key key(RequestContext c, String query) {
    return new Key(c.userId(), c.projectId(), c.roles(), c.admin(), c.readOnly(), c.userDomainId(),
        c.projectDomainId(), c.systemScope(), c.serviceRoles(), query == null ? "" : query);
  }
}
