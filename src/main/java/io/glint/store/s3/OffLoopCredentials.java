package io.glint.store.s3;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * The AWS SDK's default credential chain (environment, profile files, container or instance metadata: file and
 * network I/O) resolved on a blocking thread, never on an event loop, and handed back on the asking context.
 * What it resolved is reused for a minute, or until five minutes before it expires.
 */
final class OffLoopCredentials implements AwsCredentialsProvider {
  private static final Duration REUSE = Duration.ofMinutes(1);
  private static final Duration MARGIN = Duration.ofMinutes(5);

  private final AwsCredentialsProvider chain;
  private final Executor blocking;
  private volatile Resolved last;

  private record Resolved(AwsCredentials credentials, Instant at) {}

  OffLoopCredentials(AwsCredentialsProvider chain, Executor blocking) {
    this.chain = chain;
    this.blocking = blocking;
  }

  /** Blocking: only for callers off the event loops. */
  @Override
  public AwsCredentials resolveCredentials() {
    return chain.resolveCredentials();
  }

  @Override
  public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
    Resolved r = last;
    Instant now = Instant.now();
    if (r != null && r.at().plus(REUSE).isAfter(now) && r.credentials().expirationTime()
        .map(e -> e.isAfter(now.plus(MARGIN))).orElse(true)) {
      return CompletableFuture.completedFuture(r.credentials());
    }
    Context context = Vertx.currentContext();
    CompletableFuture<AwsCredentialsIdentity> result = new CompletableFuture<>();
    CompletableFuture.supplyAsync(chain::resolveCredentials, blocking).whenComplete((c, e) -> {
      if (c != null) {
        last = new Resolved(c, Instant.now());
      }
      Runnable complete = () -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(c);
        }
      };
      if (context != null) {
        context.runOnContext(v -> complete.run());
      } else {
        complete.run();
      }
    });
    return result;
  }
}
