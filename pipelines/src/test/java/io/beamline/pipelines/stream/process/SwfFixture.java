package io.beamline.pipelines.stream.process;

import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.swf.MsgType;
import io.beamline.io.swf.StfHeader;
import io.beamline.io.swf.StfWriter;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A test DAQ for {@code stream process}: writes real STF files ({@link StfWriter}) into a buffer
 * directory and publishes real contract messages on {@code swf.daq} (and anything malformed a test
 * asks for); reads back what {@code process} sent. Used by the pipeline's tests and the runners'
 * {@code StreamProcessIT}.
 */
public final class SwfFixture implements AutoCloseable {
  /** TFs per STF the fixture writes: small, so tests stay fast. */
  public static final int TFS = 40;

  /** First STF start: 2026-12-06T21:00:00Z. */
  public static final long T0_NANOS =
      Instant.parse("2026-12-06T21:00:00Z").toEpochMilli() * 1_000_000L;

  private final String broker;
  private final Path buffer;
  private KafkaProducer<byte[], byte[]> producer;
  private final WorkflowMessage.Envelope envelope;
  private long tick;

  /**
   * A DAQ publishing to {@code broker} (connected on the first send), writing STFs under {@code
   * buffer}, namespace beamline.
   */
  public SwfFixture(String broker, Path buffer) {
    this.broker = broker;
    this.buffer = buffer;
    this.envelope = new WorkflowMessage.Envelope("beamline", "daq-test-0001", "daq@test-1");
  }

  /** Creates the workflow topics. */
  public void createTopics() {
    ProcessAgent.createTopics(broker);
  }

  /** Writes STF {@code seq} of {@code run} ({@link #TFS} TFs, 8 detectors, seed 7). */
  public StfWriter.Written writeStf(long run, int seq) throws IOException {
    StfHeader h =
        new StfHeader(
            run,
            seq,
            TFS,
            T0_NANOS + (seq - 1) * 2_000_000_000L,
            StfHeader.DEFAULT_TF_DURATION_NANOS,
            8,
            7);
    return StfWriter.writeSynthetic(buffer, h, 5.0);
  }

  /** A lifecycle message of {@code run}. */
  public WorkflowMessage lifecycle(MsgType type, long run) {
    String state = type == MsgType.START_RUN || type == MsgType.RESUME_RUN ? "run" : "beam";
    String sub = type == MsgType.START_RUN || type == MsgType.RESUME_RUN ? "physics" : "not_ready";
    if (type == MsgType.PAUSE_RUN) {
      state = "run";
      sub = "standby";
    }
    WorkflowMessage m = WorkflowMessage.of(type, envelope, run, Instant.now(), ++tick, state, sub);
    return type == MsgType.PAUSE_RUN ? m.with("reason", "test pause") : m;
  }

  /** {@code end_run} of {@code run} with {@code stfCount}. */
  public WorkflowMessage endRun(long run, long stfCount) {
    return lifecycle(MsgType.END_RUN, run).with("stf_count", stfCount);
  }

  /** {@code stf_gen} announcing {@code w}. */
  public WorkflowMessage stfGen(StfWriter.Written w) {
    StfHeader h = w.header();
    return w.announce(
        WorkflowMessage.of(
            MsgType.STF_GEN, envelope, h.run(), Instant.now(), ++tick, "run", "physics"));
  }

  /** Publishes {@code m} on {@code swf.daq}, keyed by its run. */
  public void send(WorkflowMessage m) throws Exception {
    sendRaw(Long.toString(m.runId()), WorkflowMessages.encode(m));
  }

  /** Publishes a raw value on {@code swf.daq}. */
  public void sendRaw(String key, byte[] value) throws Exception {
    if (producer == null) {
      Properties p = new Properties();
      p.put("bootstrap.servers", broker);
      p.put("acks", "all");
      p.put("key.serializer", ByteArraySerializer.class.getName());
      p.put("value.serializer", ByteArraySerializer.class.getName());
      producer = KafkaClients.producer(p);
    }
    producer
        .send(new ProducerRecord<>(SwfTopics.DAQ, key.getBytes(StandardCharsets.UTF_8), value))
        .get(30, TimeUnit.SECONDS);
  }

  /** Publishes a raw text value on {@code swf.daq}. */
  public void sendRaw(String key, String value) throws Exception {
    sendRaw(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Every record value of {@code topic} from its start, as text. */
  public List<String> readAll(String topic) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", broker);
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  /** The offset {@code group} committed on {@code swf.daq}, or -1. */
  public long committed(String group) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", broker);
    c.put("group.id", group);
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(c)) {
      TopicPartition tp = new TopicPartition(SwfTopics.DAQ, 0);
      OffsetAndMetadata o = consumer.committed(java.util.Set.of(tp)).get(tp);
      return o == null ? -1 : o.offset();
    }
  }

  /** Records on {@code swf.daq} so far. */
  public long daqEnd() {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", broker);
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(c)) {
      TopicPartition tp = new TopicPartition(SwfTopics.DAQ, 0);
      return consumer.endOffsets(List.of(tp)).get(tp);
    }
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(10));
    }
  }
}
