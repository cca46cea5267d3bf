package io.beamline.pipelines.stream.process;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The in-JVM control of one {@code stream process} run, shared by its workers (DirectRunner and
 * local Spark run them in the driver's JVM) and found by the run's token: a stop request (SIGTERM,
 * Ctrl-C or {@code --exit-after-runs}), the runs closed so far and an activity counter for the
 * heartbeats.
 *
 * <p>A stop does not cancel the pipeline: the Kafka source's watermark jumps to the end of time
 * ({@link DaqTimestampPolicy}), records read after the request are left unacknowledged (a restart
 * reads them again), the work in flight finishes, event-time windows close, and the pipeline ends
 * {@code DONE}.
 */
final class ProcessControl {
  private static final Map<String, ProcessControl> ALL = new ConcurrentHashMap<>();

  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicLong runsClosed = new AtomicLong();
  private final AtomicLong activity = new AtomicLong();
  private final Map<TopicPartition, Long> accepted = new ConcurrentHashMap<>();

  private ProcessControl() {}

  /** The control of the run with {@code token} (created on first use). */
  static ProcessControl of(String token) {
    return ALL.computeIfAbsent(token, t -> new ProcessControl());
  }

  /** Forgets the run's control once it ended. */
  static void release(String token) {
    ALL.remove(token);
  }

  /** Asks the run to drain and stop. */
  void requestStop() {
    stopping.set(true);
  }

  /** Whether a stop was requested. */
  boolean stopping() {
    return stopping.get();
  }

  /**
   * Counts one closed run; requests the stop when {@code exitAfterRuns} (0: never) runs are closed.
   */
  void runClosed(int exitAfterRuns) {
    long n = runsClosed.incrementAndGet();
    if (exitAfterRuns > 0 && n >= exitAfterRuns) {
      requestStop();
    }
  }

  /** Runs closed by this process. */
  long runsClosed() {
    return runsClosed.get();
  }

  /** Notes that an STF or message was handled (heartbeats report PROCESSING while this moves). */
  void active() {
    activity.incrementAndGet();
  }

  /** Notes that the record {@code ack} names was taken in (it will be acknowledged when done). */
  void accepted(Ack ack) {
    accepted.merge(new TopicPartition(ack.topic(), ack.partition()), ack.offset(), Math::max);
  }

  /** The furthest offset taken in per partition. */
  Map<TopicPartition, Long> acceptedOffsets() {
    return Map.copyOf(accepted);
  }

  /** The activity counter. */
  long activity() {
    return activity.get();
  }
}
