package io.glint.store.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.glint.testing.Await;
import io.glint.testing.TestServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Part memory: a hard bound on the bytes of parts, whole parts reserved, waiters in order")
class PartMemoryTest {
  private static final int SLAB = PartMemory.SLAB;

  @Test
  @DisplayName("reservations beyond the limit wait, in order, and are granted as parts are given back")
  void bounded() throws Exception {
    Context context = TestServer.vertx().getOrCreateContext();
    PartMemory memory = new PartMemory(3L * SLAB);
    PartMemory.Part a = memory.reserve(2L * SLAB, context).await();
    Future<PartMemory.Part> b = memory.reserve(2L * SLAB, context);
    Future<PartMemory.Part> c = memory.reserve(SLAB, context);
    assertFalse(b.isComplete(), "over the limit: waits");
    assertFalse(c.isComplete(), "behind an earlier waiter, even though it would fit");
    assertEquals(2L * SLAB, memory.reserved());
    a.release();
    PartMemory.Part bPart = b.await();
    PartMemory.Part cPart = c.await();
    assertEquals(3L * SLAB, memory.reserved());
    bPart.release();
    cPart.release();
    bPart.release(); // once only
    assertEquals(0, memory.reserved());
    PartMemory.Part huge = memory.reserve(5L * SLAB, context).await();
    assertEquals(5L * SLAB, huge.capacity(), "a part larger than the limit is granted when nothing else is held");
    Future<PartMemory.Part> waiting = memory.reserve(SLAB, context);
    memory.cancel(waiting);
    huge.release();
    Await.until(() -> memory.reserved() == 0, Duration.ofSeconds(5), "a cancelled waiter is not granted");
    assertFalse(waiting.isComplete());
  }

  @Test
  @DisplayName("a part holds the bytes it was filled with, across slabs, and gives read-only views of them")
  void fillAndRead() {
    Context context = TestServer.vertx().getOrCreateContext();
    PartMemory memory = new PartMemory(4L * SLAB);
    PartMemory.Part part = memory.reserve(2L * SLAB + 100, context).await();
    byte[] data = new byte[SLAB + 5000];
    Arrays.fill(data, (byte) 7);
    data[SLAB + 10] = 9;
    ByteBuffer src = ByteBuffer.wrap(data);
    assertEquals(data.length, part.fill(src));
    assertFalse(src.hasRemaining());
    assertFalse(part.full());
    ByteBuffer more = ByteBuffer.allocate(2 * SLAB);
    assertEquals(SLAB - 4900, part.fill(more), "only what fits");
    assertTrue(part.full());
    ByteBuffer[] views = part.contents();
    assertTrue(Arrays.stream(views).allMatch(ByteBuffer::isReadOnly));
    assertEquals(part.capacity(), Arrays.stream(views).mapToLong(ByteBuffer::remaining).sum());
    byte[] back = new byte[data.length];
    ByteBuffer whole = ByteBuffer.allocate((int) part.capacity());
    Arrays.stream(views).forEach(whole::put);
    whole.flip().get(back);
    assertArrayEquals(data, back);
    part.release();
  }
}
