package io.beamline.pipelines.constellation;

import io.beamline.framework.module.ModuleConfig;
import io.beamline.io.failures.Failure;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCodec;
import io.beamline.io.sensors.SensorEventFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.CustomTimestampPolicyWithLimitedDelay;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
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
 * <p>Batch reads the records appended since the run started, exactly as many as the session holds
 * ({@link SessionPlan#expectedRecords}). Streaming reads each topic from its start, stamps every
 * record with its packet's event time ({@link StreamingWindows#packetEventTimeMs}) with a watermark
 * trailing the newest packet, and ends after the session's records (embedded broker) or at the read
 * time limit.
 */
final class KafkaSource extends SessionSource<KafkaSource.Config> {
  private static final long serialVersionUID = 1L;

  /**
   * @param plan the session whose topics are read
   * @param runId the run whose progress line counts the samples read
   * @param bootstrap the configured bootstrap servers
   * @param bootstrapFile the run's file naming the servers actually used (the embedded broker's
   *     port is known only once the run starts), read when a consumer is created
   * @param startReadTimeMs read records appended from then on (ms since the epoch); null: from each
   *     topic's earliest offset
   * @param maxReadTimeMs how long a read may run at most
   * @param stopAtExpectedRecords end each read after the records the session holds
   * @param watermarkDelayMs event time: how far the watermark trails the newest packet time; null:
   *     records keep Kafka's time
   */
  record Config(
      SessionPlan plan,
      String runId,
      String bootstrap,
      String bootstrapFile,
      Long startReadTimeMs,
      long maxReadTimeMs,
      boolean stopAtExpectedRecords,
      Long watermarkDelayMs)
      implements ModuleConfig<KafkaSource> {
    Config {
      if (plan == null || runId == null || bootstrap == null || bootstrapFile == null) {
        throw new IllegalArgumentException(
            "kafka-source needs plan, runId, bootstrap and bootstrapFile");
      }
      if (!(maxReadTimeMs > 0)) {
        throw new IllegalArgumentException("maxReadTimeMs must be > 0, got " + maxReadTimeMs);
      }
      if (watermarkDelayMs != null && watermarkDelayMs < 0) {
        throw new IllegalArgumentException(
            "watermarkDelayMs must be >= 0, got " + watermarkDelayMs);
      }
    }

    @Override
    public KafkaSource toModule() {
      return new KafkaSource(this);
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
    for (SensorDriver d : plan.drivers) {
      long expected = plan.expectedRecords(d);
      if (expected == 0) {
        continue;
      }
      KafkaIO.Read<byte[], byte[]> read =
          KafkaIO.<byte[], byte[]>read()
              .withBootstrapServers(c.bootstrap())
              .withTopic(plan.topic(d))
              .withKeyDeserializer(ByteArrayDeserializer.class)
              .withValueDeserializer(ByteArrayDeserializer.class)
              .withConsumerFactoryFn(new RunBootstrapConsumerFactory(c.bootstrapFile()));
      if (c.startReadTimeMs() != null) {
        // Records appended from then on belong to this run: everything older in a reused topic
        // is not.
        read = read.withStartReadTime(new Instant(c.startReadTimeMs()));
      } else {
        read = read.withConsumerConfigUpdates(Map.of("auto.offset.reset", "earliest"));
      }
      if (c.watermarkDelayMs() != null) {
        read =
            read.withTimestampPolicyFactory(
                new EventTimePolicy(plan, Duration.millis(c.watermarkDelayMs())));
      }
      if (c.stopAtExpectedRecords()) {
        read = read.withMaxNumRecords(expected);
      }
      reads.add(
          begin.apply(
              "Read " + plan.topic(d), read.withMaxReadTime(Duration.millis(c.maxReadTimeMs()))));
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

  /**
   * Event time of a record: the session-timeline time of its packet ({@link
   * StreamingWindows#packetEventTimeMs}), decoded from the value; a record that does not decode or
   * is of another session keeps its Kafka timestamp (the decode stage rejects it).
   */
  static final class PacketTimeFn
      implements SerializableFunction<KafkaRecord<byte[], byte[]>, Instant> {
    private static final long serialVersionUID = 1L;
    private final SessionPlan plan;

    PacketTimeFn(SessionPlan plan) {
      this.plan = plan;
    }

    @Override
    public Instant apply(KafkaRecord<byte[], byte[]> r) {
      try {
        SensorEvent e = SensorEventCodec.decode(r.getKV().getValue());
        Optional<SensorDriver> d = plan.driver(e.sensorId());
        if (d.isPresent()
            && e.subjectId().equals(plan.subjectId)
            && e.sessionId().equals(plan.sessionId)) {
          return new Instant(StreamingWindows.packetEventTimeMs(plan, d.get(), e.seq()));
        }
      } catch (RuntimeException e) {
        // fall through: the decode stage reports it
      }
      return new Instant(r.getTimestamp());
    }
  }

  /** Event-time policy of every topic: packet time, watermark {@code maxDelay} behind it. */
  static final class EventTimePolicy implements TimestampPolicyFactory<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final SessionPlan plan;
    private final Duration maxDelay;

    EventTimePolicy(SessionPlan plan, Duration maxDelay) {
      this.plan = plan;
      this.maxDelay = maxDelay;
    }

    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition tp, Optional<Instant> previousWatermark) {
      return new CustomTimestampPolicyWithLimitedDelay<>(
          new PacketTimeFn(plan), maxDelay, previousWatermark);
    }
  }
}
