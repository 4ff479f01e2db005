package io.glint.config;

import static io.glint.config.Options.*;

import java.util.Optional;

/**
 * The metadata database ([database]).
 *
 * @param connection PostgreSQL URI {@code postgresql://user:pass@host:port/db}, normalised from [database]
 *     connection; empty when unset (use the embedded database)
 * @param maxPoolSize most database connections ([database] max_pool_size)
 */
public record DatabaseSettings(Optional<String> connection, int maxPoolSize) {

  static DatabaseSettings from(GlintConfig c) {
    return new DatabaseSettings(Optional.ofNullable(c.get(DATABASE_CONNECTION)), c.get(DATABASE_MAX_POOL_SIZE));
  }
}
