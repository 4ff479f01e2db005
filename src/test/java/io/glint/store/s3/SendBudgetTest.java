package io.glint.store.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The S3 send budget")
class SendBudgetTest {
  @Test
  @DisplayName("takes up to its limit, then makes askers wait until enough comes back; one alone always goes")
  void boundsAndWakes() {
    SendBudget budget = new SendBudget(1000);
    AtomicInteger woken = new AtomicInteger();
    assertTrue(budget.take(600, woken::incrementAndGet));
    assertTrue(budget.take(400, woken::incrementAndGet));
    assertFalse(budget.take(1, woken::incrementAndGet), "over the limit");
    assertFalse(budget.take(1, woken::incrementAndGet), "behind a waiter");
    budget.give(0);
    assertEquals(0, woken.get());
    budget.give(400);
    assertEquals(2, woken.get(), "both waiters asked again");
    assertEquals(600, budget.used());
    budget.adjust(-100);
    budget.adjust(50);
    assertEquals(550, budget.used());
    budget.give(550);
    assertEquals(0, budget.used());
    assertTrue(budget.take(5000, () -> { }), "a share larger than the limit goes when nothing is held");
    assertEquals(5000, budget.used());
  }
}
