package io.beamline.pipelines.constellation;

import io.beamline.framework.module.ModuleConfig;
import io.beamline.io.failures.Failure;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCodec;
import io.beamline.io.sensors.SensorEventFormatException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * {@code kafka-source}: one {@link KafkaIO} read per sensor topic ({@code Read <topic>}),
 * flattened, decoded ({@link SensorEventCodec}); records that do not decode or belong to another
 * session are rejected. Measures the ingest and Kafka latencies.
 *
 * <p>Batch ({@link Bounded}) reads the records appended since the run started, exactly as many as
 * the session holds ({@link SessionPlan#expectedRecords}): a bounded read. Live ({@link Live},
 * {@code --streaming}) is an unbounded read of each topic from its start, on packet event time
 * ({@link StreamingWindows#packetEventTimeMs}), whose watermark advances with the packets ({@link
 * LivePolicy}) and reaches the end of time when the session is over, so the pipeline drains and
 * finishes by itself.
 */
final class KafkaSource extends SessionSource<KafkaSource.Config> {
  private static final long serialVersionUID = 1L;

  /**
   * @param plan the session whose topics are read
   * @param runId the run whose progress line counts the samples read
   * @param bootstrap the configured bootstrap servers
   * @param bootstrapFile the run's file naming the servers actually used (the embedded broker's
   *     port is known only once the run starts), read when a consumer is created
   * @param bounded batch: the bounded read's limits (null: live)
   * @param live streaming: the live read's settings (null: batch)
   */
  record Config(
      SessionPlan plan,
      String runId,
      String bootstrap,
      String bootstrapFile,
      Bounded bounded,
      Live live)
      implements ModuleConfig<KafkaSource> {
    Config {
      if (plan == null || runId == null || bootstrap == null || bootstrapFile == null) {
        throw new IllegalArgumentException(
            "kafka-source needs plan, runId, bootstrap and bootstrapFile");
      }
      if ((bounded == null) == (live == null)) {
        throw new IllegalArgumentException("kafka-source reads either bounded or live, not both");
      }
    }

    @Override
    public KafkaSource toModule() {
      return new KafkaSource(this);
    }
  }

  /**
   * A batch read: the records appended from {@code startReadTimeMs} on (ms since the epoch),
   * exactly as many as the session holds, within {@code maxReadTimeMs}.
   */
  record Bounded(long startReadTimeMs, long maxReadTimeMs) implements Serializable {
    Bounded {
      if (!(maxReadTimeMs > 0)) {
        throw new IllegalArgumentException("maxReadTimeMs must be > 0, got " + maxReadTimeMs);
      }
    }
  }

  /**
   * A live read: unbounded, each topic from its earliest offset, on packet event time.
   *
   * @param ownRecordsFromMs records appended before this time (ms since the epoch) are of earlier
   *     runs: a last packet among them does not end the read
   * @param drainMs once this JVM's ingest ended, how long the read may take to catch up with what
   *     was sent before it ends anyway (after an interrupt: how long it waits at all)
   * @param limitMs how long after the session's planned end (on the wall clock) the read ends in
   *     any case (a read that sees no ingest in its JVM, and lost a stream's last packet)
   */
  record Live(long ownRecordsFromMs, long drainMs, long limitMs) implements Serializable {
    Live {
      if (!(drainMs > 0 && limitMs > 0)) {
        throw new IllegalArgumentException(
            "drainMs and limitMs must be > 0, got " + drainMs + " and " + limitMs);
      }
    }
  }

  private KafkaSource(Config config) {
    super("kafka-source", config);
  }

  @Override
  PCollectionTuple read(PBegin begin) {
    Config c = config();
    SessionPlan plan = c.plan();
    List<PCollection<KafkaRecord<byte[], byte[]>>> reads = new ArrayList<>();
    for (SensorDriver d : plan.driversWithRecords()) {
      long expected = plan.expectedRecords(d);
      KafkaIO.Read<byte[], byte[]> read =
          KafkaIO.<byte[], byte[]>read()
              .withBootstrapServers(c.bootstrap())
              .withTopic(plan.topic(d))
              .withKeyDeserializer(ByteArrayDeserializer.class)
              .withValueDeserializer(ByteArrayDeserializer.class)
              .withConsumerFactoryFn(new RunBootstrapConsumerFactory(c.bootstrapFile()));
      if (c.bounded() != null) {
        // Records appended from then on belong to this run: everything older in a reused topic
        // is not. Exactly the session's records: a bounded read.
        read =
            read.withStartReadTime(new Instant(c.bounded().startReadTimeMs()))
                .withMaxNumRecords(expected)
                .withMaxReadTime(Duration.millis(c.bounded().maxReadTimeMs()));
      } else {
        read =
            read.withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest"))
                .withTimestampPolicyFactory(new LivePolicyFactory(plan, d, c.runId(), c.live()));
      }
      reads.add(begin.apply("Read " + plan.topic(d), read));
    }
    return PCollectionList.of(reads)
        .apply("AllTopics", Flatten.pCollections())
        .apply(
            "DecodeEvents",
            ParDo.of(new DecodeFn(plan, c.runId()))
                .withOutputTags(EVENTS_TAG, TupleTagList.of(FAILURES_TAG)));
  }

  /** Decodes records; measures ingest and Kafka latency; rejects malformed or foreign records. */
  static final class DecodeFn extends DoFn<KafkaRecord<byte[], byte[]>, SensorEvent> {
    private final SessionPlan plan;
    private final String runId;

    DecodeFn(SessionPlan plan, String runId) {
      this.plan = plan;
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element KafkaRecord<byte[], byte[]> r, MultiOutputReceiver out) {
      String item = r.getTopic() + "/" + r.getPartition() + "@" + r.getOffset();
      SensorEvent e;
      try {
        e = SensorEventCodec.decode(r.getKV().getValue());
      } catch (SensorEventFormatException ex) {
        reject(out, item, ex.getMessage());
        return;
      }
      if (!e.subjectId().equals(plan.subjectId) || !e.sessionId().equals(plan.sessionId)) {
        reject(
            out,
            item,
            "record of subject "
                + e.subjectId()
                + " session "
                + e.sessionId()
                + ", not of this session");
        return;
      }
      long now = System.currentTimeMillis();
      Metrics.counter(ConstellationPipeline.NAMESPACE, "samples_ingested_" + e.modality())
          .inc(e.sampleCount());
      ConstellationConsole.progress(runId).read.addAndGet(e.sampleCount());
      Metrics.distribution(ConstellationPipeline.NAMESPACE, "kafka_latency_ms")
          .update(Math.max(0, now - r.getTimestamp()));
      Header generated =
          r.getHeaders() == null ? null : r.getHeaders().lastHeader(KafkaIngest.GENERATED_HEADER);
      if (generated != null) {
        try {
          long ms = Long.parseLong(new String(generated.value(), StandardCharsets.UTF_8));
          Metrics.distribution(ConstellationPipeline.NAMESPACE, "latency_ms_" + e.modality())
              .update(Math.max(0, r.getTimestamp() - ms));
        } catch (NumberFormatException ex) {
          // A header written by another producer: no latency to measure, the record is still good.
        }
      }
      out.get(EVENTS_TAG).output(e);
    }

    private static void reject(MultiOutputReceiver out, String item, String why) {
      Metrics.counter(ConstellationPipeline.NAMESPACE, "records_rejected").inc();
      out.get(FAILURES_TAG).output(new Failure("constellation", item, "DecodeEvents", why));
    }
  }

  /** The {@link LivePolicy} of one sensor's topic. */
  static final class LivePolicyFactory implements TimestampPolicyFactory<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final SessionPlan plan;
    private final String sensorId;
    private final String runId;
    private final Live live;

    LivePolicyFactory(SessionPlan plan, SensorDriver d, String runId, Live live) {
      this.plan = plan;
      this.sensorId = d.sensorId();
      this.runId = runId;
      this.live = live;
    }

    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition tp, Optional<Instant> previousWatermark) {
      SensorDriver d =
          plan.driver(sensorId)
              .orElseThrow(() -> new IllegalStateException("no driver for sensor " + sensorId));
      LiveSession.readerStarted(runId, sensorId);
      return new LivePolicy(plan, d, runId, live, previousWatermark.orElse(null));
    }
  }

  /**
   * Event time and watermark of one sensor's topic in a live read.
   *
   * <p>A record's event time is its packet's time on the session timeline ({@link
   * StreamingWindows#packetEventTimeMs}), decoded from the value; a record that does not decode or
   * is of another session keeps its Kafka timestamp (the decode stage rejects it). A sensor's
   * packets reach its topic in sequence order (one producer, sent in event-time order), so after
   * packet {@code k} no packet earlier than {@code k + 1} will come: the watermark is packet {@code
   * k + 1}'s time. It advances with the data, by one packet at a time, and a window closes as soon
   * as the first packet after it has been read, whatever the sensor's rate (a 1 Hz stream's window
   * closes with its packet at the window's end, not a second later).
   *
   * <p>The watermark is the end of time, and the read of this topic ends, once the session is over
   * for it: its last packet was read (appended by this run); or this JVM's ingest ended ({@link
   * LiveSession#end}, all sent or interrupted) and the last packet it sent to this topic was read
   * (when the ingest failed: the reader caught up with the topic's end since, or {@code drainMs}
   * passed); or {@code limitMs} after the session's planned end.
   */
  static final class LivePolicy extends TimestampPolicy<byte[], byte[]> {
    /** After an interrupt: how long the read waits for packets already in transit. */
    static final long INTERRUPT_GRACE_MS = 1000;

    private final SessionPlan plan;
    private final SensorDriver driver;
    private final String runId;
    private final Live live;
    private final long lastSeq;
    private final long limitAtMs;
    private Instant watermark;
    private boolean over;

    LivePolicy(SessionPlan plan, SensorDriver driver, String runId, Live live, Instant previous) {
      this.plan = plan;
      this.driver = driver;
      this.runId = runId;
      this.live = live;
      this.lastSeq = plan.spec(driver).expectedPackets() - 1;
      this.limitAtMs =
          Math.floorDiv(plan.sessionStartNs + plan.durationNs, 1_000_000L) + live.limitMs();
      this.watermark = previous == null ? BoundedWindow.TIMESTAMP_MIN_VALUE : previous;
      // A policy made anew from a checkpoint: the session may be over for this topic already.
      this.over =
          !watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)
              || LiveSession.lastRead(runId, driver.sensorId()) >= lastSeq;
    }

    @Override
    public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> record) {
      SensorEvent e;
      try {
        e = SensorEventCodec.decode(record.getKV().getValue());
      } catch (RuntimeException ex) {
        return new Instant(record.getTimestamp()); // the decode stage reports it
      }
      if (!e.sensorId().equals(driver.sensorId())
          || !e.subjectId().equals(plan.subjectId)
          || !e.sessionId().equals(plan.sessionId)) {
        return new Instant(record.getTimestamp());
      }
      Instant next = new Instant(StreamingWindows.packetEventTimeMs(plan, driver, e.seq() + 1));
      if (next.isAfter(watermark)) {
        watermark = next;
      }
      if (record.getTimestamp() >= live.ownRecordsFromMs()) {
        LiveSession.read(runId, driver.sensorId(), e.seq());
        if (e.seq() >= lastSeq) {
          over = true;
        }
      }
      return new Instant(StreamingWindows.packetEventTimeMs(plan, driver, e.seq()));
    }

    @Override
    public Instant getWatermark(PartitionContext ctx) {
      if (!over) {
        over = sessionOver(ctx, System.currentTimeMillis());
      }
      return over ? BoundedWindow.TIMESTAMP_MAX_VALUE : watermark;
    }

    private boolean sessionOver(PartitionContext ctx, long now) {
      if (now >= limitAtMs) {
        return true;
      }
      LiveSession.End end = LiveSession.end(runId);
      if (end == null) {
        return false;
      }
      Map<String, Long> sent = end.lastSent();
      if (sent != null) {
        // Everything sent to this topic has been read (nothing sent: nothing to wait for).
        if (LiveSession.lastRead(runId, driver.sensorId())
            >= sent.getOrDefault(driver.sensorId(), -1L)) {
          return true;
        }
      } else if (end.interrupted()) {
        if (now >= end.atMs() + INTERRUPT_GRACE_MS) {
          return true;
        }
      } else if (ctx.getMessageBacklog() == 0
          && ctx.getBacklogCheckTime() != null
          && ctx.getBacklogCheckTime().getMillis() > end.atMs()) {
        return true; // caught up with the topic's end since the ingest ended
      }
      return now >= end.atMs() + live.drainMs();
    }
  }
}
