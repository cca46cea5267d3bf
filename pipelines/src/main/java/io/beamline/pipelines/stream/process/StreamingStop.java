package io.beamline.pipelines.stream.process;

import io.beamline.io.kafka.KafkaClients;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
    try (KafkaConsumer<byte[], byte[]> group = groupReader(s)) {
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
  static boolean drained(KafkaConsumer<byte[], byte[]> group, Map<String, Long> accepted) {
    if (accepted.isEmpty()) {
      return true;
    }
    Map<String, TopicPartition> partitions = new HashMap<>();
    for (String key : accepted.keySet()) {
      int slash = key.lastIndexOf('/');
      partitions.put(
          key,
          new TopicPartition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1))));
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        group.committed(partitions.values().stream().collect(Collectors.toSet()));
    for (Map.Entry<String, Long> e : accepted.entrySet()) {
      OffsetAndMetadata c = committed.get(partitions.get(e.getKey()));
      if (c == null || c.offset() <= e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static KafkaConsumer<byte[], byte[]> groupReader(ProcessSettings s) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", s.broker());
    c.put("group.id", s.group());
    c.put("enable.auto.commit", false);
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    return KafkaClients.consumer(c);
  }
}
