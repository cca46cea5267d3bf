package io.beamline.pipelines.stream.process;

import io.beamline.io.swf.MalformedMessageException;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Event time of the DAQ's records, with a watermark that follows the data only: an {@code stf_gen}
 * is stamped with its STF's start, any other record with the newest STF start seen (its own
 * timestamp before the first STF), and the watermark trails the newest STF start by {@code delay}.
 * It never advances on the wall clock, so a reader that catches up after a pause does not declare
 * the STFs still to come late. Once the run is asked to stop ({@link ProcessControl}), the
 * watermark is the end of time, which ends the read.
 */
final class DaqTimestampPolicy extends TimestampPolicy<byte[], byte[]> {
  private final Duration delay;
  private final String token;
  private Instant newest;
  private Instant watermark;

  DaqTimestampPolicy(Duration delay, String token, Optional<Instant> previousWatermark) {
    this.delay = delay;
    this.token = token;
    this.watermark = previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE);
    this.newest = previousWatermark.map(w -> w.plus(delay)).orElse(null);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> r) {
    Optional<WorkflowMessage> m = decode(r);
    if (m.isPresent()
        && m.get().type() == MsgType.STF_GEN
        && m.get().fields().get("start") != null) {
      Instant start = new Instant(m.get().instant("start").toEpochMilli());
      if (newest == null || start.isAfter(newest)) {
        newest = start;
      }
      return start;
    }
    if (newest != null) {
      return newest;
    }
    return m.map(x -> new Instant(x.timestamp().toEpochMilli()))
        .orElse(new Instant(Math.max(0, r.getTimestamp())));
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    if (ProcessControl.of(token).stopping()) {
      return BoundedWindow.TIMESTAMP_MAX_VALUE;
    }
    if (newest != null && newest.minus(delay).isAfter(watermark)) {
      watermark = newest.minus(delay);
    }
    return watermark;
  }

  private static Optional<WorkflowMessage> decode(KafkaRecord<byte[], byte[]> r) {
    try {
      return Optional.of(WorkflowMessages.decode(r.getKV().getValue()));
    } catch (MalformedMessageException | RuntimeException e) {
      // The decode stage dead-letters it; here it only keeps the record's own time.
      return Optional.empty();
    }
  }

  /** One policy per partition. */
  static final class Factory implements TimestampPolicyFactory<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final long delayMs;
    private final String token;

    Factory(long delayMs, String token) {
      this.delayMs = delayMs;
      this.token = token;
    }

    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition tp, Optional<Instant> previousWatermark) {
      return new DaqTimestampPolicy(Duration.millis(delayMs), token, previousWatermark);
    }
  }
}
