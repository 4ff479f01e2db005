package io.glint.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.TestServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

@DisplayName("The SDK's default credential chain is resolved off the event loop and handed back on it")
class OffLoopCredentialsTest {

  @Test
  @DisplayName("resolution runs on a blocking thread, completes on the asking context, and is reused")
  void offTheLoop() throws Exception {
    List<String> resolvedOn = new CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    AwsCredentialsProvider chain = () -> {
      resolvedOn.add(Thread.currentThread().getName());
      calls.incrementAndGet();
      return AwsBasicCredentials.create("id", "secret");
    };
    ExecutorService blocking = Executors.newSingleThreadExecutor(r -> new Thread(r, "blocking-test"));
    try {
      OffLoopCredentials credentials = new OffLoopCredentials(chain, blocking);
      Context context = TestServer.vertx().getOrCreateContext();
      Promise<List<Object>> result = Promise.promise();
      context.runOnContext(v -> credentials.resolveIdentity().whenComplete((identity, e) -> result.complete(
          List.of(identity, Context.isOnEventLoopThread(), io.vertx.core.Vertx.currentContext()))));
      List<Object> got = Future.await(result.future());
      assertEquals("id", ((AwsCredentials) got.get(0)).accessKeyId());
      assertTrue((Boolean) got.get(1), "completed on an event loop");
      assertSame(context, got.get(2), "completed on the asking context");
      assertEquals(List.of("blocking-test"), resolvedOn);
      credentials.resolveIdentity().get();
      assertEquals(1, calls.get(), "reused within a minute");
      assertFalse(resolvedOn.stream().anyMatch(t -> t.contains("eventloop")));
    } finally {
      blocking.shutdownNow();
    }
  }
}
