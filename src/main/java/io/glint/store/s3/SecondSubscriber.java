package io.glint.store.s3;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** The refusal of a publisher that serves one subscriber only, as Reactive Streams wants it (§1.9, §2.13). */
final class SecondSubscriber {
  private SecondSubscriber() {}

  /** Gives {@code s} a subscription that does nothing, then fails it with {@code why}. */
  static void refuse(Subscriber<?> s, String why) {
    s.onSubscribe(new Subscription() {
      @Override
      public void request(long n) {
      }

      @Override
      public void cancel() {
      }
    });
    s.onError(new IllegalStateException(why));
  }
}
