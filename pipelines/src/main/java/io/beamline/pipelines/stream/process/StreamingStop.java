package io.beamline.pipelines.stream.process;

import java.util.Map;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a {@code stream process} run on a runner that never ends a streaming job by itself (the
 * SparkRunner's streaming context runs until stopped): once a stop was requested ({@code
 * --exit-after-runs}, SIGTERM, Ctrl-C), it waits until the consumer group's committed offset has
 * passed every record the pipeline took in (so each of them is done: its outputs written, its
 * messages sent), lets the micro-batches that the source's jump to the end of time released run for
 * a grace period (the final histogram panes), then stops the job and reports it done.
 *
 * <p>It reads the run's {@link ProcessControl}, an object of this JVM: it serves a Spark master in
 * this JVM ({@code local[N]}). On a cluster the executors' controls are not this one's, and the job
 * is stopped by stopping its driver (offsets are committed only over finished records, so nothing
 * is lost).
 */
final class StreamingStop {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingStop.class);

  private StreamingStop() {}

  /**
   * Waits for {@code result} to end, or for a requested stop to be drained, then stops it.
   *
   * @param s the run
   * @param result the running job
   * @param poll how often to look
   * @param grace how long to let the job run on once drained
   * @return the job's final state: {@code DONE} when this stopped it after draining
   */
  static PipelineResult.State await(
      ProcessSettings s, PipelineResult result, Duration poll, Duration grace) throws Exception {
    ProcessControl control = ProcessControl.of(s.token());
    try (KafkaConsumer<byte[], byte[]> group =
        CommitOffsetsModule.groupConsumer(s.broker(), s.group())) {
      while (true) {
        PipelineResult.State state = result.waitUntilFinish(poll);
        if (state != null && state.isTerminal()) {
          return state;
        }
        if (control.stopping() && drained(group, control.acceptedOffsets())) {
          LOG.info("stop requested and every record taken in is done; stopping the job");
          result.waitUntilFinish(grace);
          result.cancel();
          return PipelineResult.State.DONE;
        }
      }
    }
  }

  /** Whether the group's committed offset is past {@code accepted} in every partition. */
  static boolean drained(KafkaConsumer<byte[], byte[]> group, Map<TopicPartition, Long> accepted) {
    if (accepted.isEmpty()) {
      return true;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = group.committed(accepted.keySet());
    for (Map.Entry<TopicPartition, Long> e : accepted.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      if (c == null || c.offset() <= e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
