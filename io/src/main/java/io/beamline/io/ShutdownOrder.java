package io.beamline.io;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Orders the JVM's shutdown hooks, which otherwise run all at once: a hook that tears down a
 * service runs share (the embedded Kafka broker) first waits for the runs that drain on a signal
 * (Ctrl-C or SIGTERM ends them early but cleanly, and they still read from the service while they
 * drain).
 */
public final class ShutdownOrder {
  private static final Set<CountDownLatch> DRAINS = ConcurrentHashMap.newKeySet();

  private ShutdownOrder() {}

  /**
   * A run that drains on a signal has started; count the latch down (or {@link #ended}) at its end.
   */
  public static CountDownLatch drainable() {
    CountDownLatch l = new CountDownLatch(1);
    DRAINS.add(l);
    return l;
  }

  /** The run of {@code latch} has ended. */
  public static void ended(CountDownLatch latch) {
    latch.countDown();
    DRAINS.remove(latch);
  }

  /** Waits, at most {@code limit} in all, until every drainable run has ended. */
  public static void awaitDrains(Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (CountDownLatch l : DRAINS) {
      try {
        if (!l.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
