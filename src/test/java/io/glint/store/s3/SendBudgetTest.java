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
  @DisplayName("has room under its limit; askers past it wait until some comes back below it")
  void boundsAndWakes() {
    SendBudget budget = new SendBudget(1000);
    AtomicInteger woken = new AtomicInteger();
    assertTrue(budget.room(woken::incrementAndGet));
    budget.take(600);
    assertTrue(budget.room(woken::incrementAndGet));
    budget.take(500);
    assertEquals(1100, budget.used(), "one buffer past the limit");
    assertFalse(budget.room(woken::incrementAndGet));
    assertFalse(budget.room(woken::incrementAndGet));
    budget.give(100);
    assertEquals(0, woken.get(), "still at the limit");
    budget.give(1);
    assertEquals(2, woken.get(), "both waiters ask again");
    budget.give(999);
    assertEquals(0, budget.used());
    assertEquals(2, woken.get(), "each waiter woken once");
  }
}
