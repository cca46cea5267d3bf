package io.beamline.pipelines.constellation;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * A streaming session's clock and end as this JVM knows them ({@code --streaming}): the ingest
 * thread records when the session's clock started and when the ingest ended (all packets sent, or
 * the user interrupted the run); the live read ({@link KafkaSource.LivePolicy}) ends when it has
 * read what was sent, and the window writers measure how long after its close on the session clock
 * each window's outputs landed.
 *
 * <p>On the DirectRunner, the embedded FlinkRunner (and Spark's local master) the graph runs in the
 * JVM that ingests; a read on another machine does not see this registry and ends by the session's
 * own packets (the last one of each stream) or its time limit instead.
 */
final class LiveSession {
  private LiveSession() {}

  /**
   * How the ingest ended.
   *
   * @param atMs wall-clock time the last packet had been handed to the broker (flushed)
   * @param interrupted whether the user stopped the session before {@code --duration}
   * @param lastSent the last packet sent per sensor id (-1: none), or null when the ingest failed
   */
  record End(long atMs, boolean interrupted, Map<String, Long> lastSent) {}

  private static final Map<String, Long> CLOCK = new ConcurrentHashMap<>();
  private static final Map<String, End> END = new ConcurrentHashMap<>();
  private static final Map<String, Long> READ = new ConcurrentHashMap<>();
  private static final Set<String> READING = ConcurrentHashMap.newKeySet();

  /**
   * The live read of run {@code runId} has begun to read sensor {@code sensorId}'s topic (its
   * timestamp policy was made: the runner started a reader for it).
   */
  static void readerStarted(String runId, String sensorId) {
    if (READING.add(runId + "/" + sensorId)) {
      synchronized (READING) {
        READING.notifyAll();
      }
    }
  }

  /**
   * Waits until the live read of run {@code runId} reads every topic of {@code sensorIds}, at most
   * {@code timeoutMs}; whether it does. A runner that starts slowly (an embedded Flink cluster
   * takes seconds to run a job) would otherwise find the first windows' packets waiting for it and
   * write them late.
   *
   * @throws InterruptedException when the calling thread is interrupted while it waits
   */
  static boolean awaitReaders(String runId, Collection<String> sensorIds, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    synchronized (READING) {
      while (!sensorIds.stream().allMatch(id -> READING.contains(runId + "/" + id))) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        READING.wait(Math.min(left, 100));
      }
    }
    return true;
  }

  /**
   * The live read of run {@code runId} has read packet {@code seq} of sensor {@code sensorId}
   * (appended by this run). Kept here, not only in the read's timestamp policy: the runner makes a
   * new reader, and a new policy, from a checkpoint at times, and the new one must still know.
   */
  static void read(String runId, String sensorId, long seq) {
    READ.merge(runId + "/" + sensorId, seq, Math::max);
  }

  /** The last packet of sensor {@code sensorId} the live read of run {@code runId} read, or -1. */
  static long lastRead(String runId, String sensorId) {
    return READ.getOrDefault(runId + "/" + sensorId, -1L);
  }

  /** The session's clock runs {@code offsetMs} behind its start (the ingest began that late). */
  static void clockStarted(String runId, long offsetMs) {
    CLOCK.put(runId, offsetMs);
  }

  /**
   * The ingest of run {@code runId} ended (the first call counts), having sent {@code lastSent}
   * (the last packet per sensor id; null if unknown).
   */
  static void ended(String runId, boolean interrupted, Map<String, Long> lastSent) {
    END.putIfAbsent(
        runId,
        new End(
            System.currentTimeMillis(),
            interrupted,
            lastSent == null ? null : Map.copyOf(lastSent)));
  }

  /** How run {@code runId}'s ingest ended, or null while it runs (or in another JVM). */
  static End end(String runId) {
    return END.get(runId);
  }

  /** Forgets run {@code runId} (its run has ended). */
  static void forget(String runId) {
    CLOCK.remove(runId);
    END.remove(runId);
    READ.keySet().removeIf(k -> k.startsWith(runId + "/"));
    READING.removeIf(k -> k.startsWith(runId + "/"));
  }

  /**
   * Wall-clock time (ms since the epoch) at which window {@code w} closed on the session's clock:
   * its end on the session timeline (the session's end for the last window) plus the clock's
   * offset; -1 when this JVM does not know the clock.
   */
  static long windowCloseMs(SessionPlan plan, String runId, long w) {
    Long offset = CLOCK.get(runId);
    if (offset == null || w < 0) {
      return -1;
    }
    long endNs = plan.windowEndNs(w);
    return Math.floorDiv(plan.sessionStartNs + endNs, 1_000_000L) + offset;
  }

  /**
   * Records, from a window writer's DoFn, that one of window {@code w}'s outputs (report, Parquet
   * file, shard) is in place: its lag behind the window's close on the session clock goes to the
   * metric {@code window_output_lag_ms} and the progress line. Nothing when the clock is unknown.
   */
  static void outputWritten(SessionPlan plan, String runId, long w) {
    long close = windowCloseMs(plan, runId, w);
    if (close < 0) {
      return;
    }
    long lag = Math.max(0, System.currentTimeMillis() - close);
    Metrics.distribution(ConstellationPipeline.NAMESPACE, "window_output_lag_ms").update(lag);
    ConstellationConsole.Progress p = ConstellationConsole.progress(runId);
    p.windowOutputs.incrementAndGet();
    p.lastLagMs.set(lag);
    p.maxLagMs.accumulateAndGet(lag, Math::max);
  }
}
