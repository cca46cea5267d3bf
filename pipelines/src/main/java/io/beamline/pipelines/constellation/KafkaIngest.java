package io.beamline.pipelines.constellation;

import io.beamline.framework.UserInputException;
import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.sensors.FaultInjection;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ingest stage: every driver's events, after fault injection, published to {@code
 * <prefix>.<modality>.<sensor_id>} with an idempotent producer ({@code acks=all}), one record per
 * packet (100 ms of samples, {@link SensorEventCodec}), keyed by sensor id. Drivers are interleaved
 * in event-time order, as live devices would arrive.
 *
 * <p>Each record carries a header {@value #GENERATED_HEADER}: the wall-clock ms at which the driver
 * handed the packet over, so the sync stage can measure ingest latency against the broker's append
 * time. Topics are created when missing with one partition (per-sensor order) and {@code
 * message.timestamp.type=LogAppendTime}; an existing topic with more than one partition is refused.
 */
final class KafkaIngest {
  /** Record header with the wall-clock ms at which the driver produced the packet. */
  static final String GENERATED_HEADER = "beamline.generated_ms";

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private KafkaIngest() {}

  /**
   * What one sensor's stream put on Kafka.
   *
   * @param topic the topic
   * @param records records sent
   * @param samples samples in the records sent
   * @param bytes value bytes sent
   * @param droppedPackets packets fault injection dropped (never sent)
   * @param droppedSamples samples in those packets
   * @param lastSeq sequence number of the last packet sent (-1: none)
   */
  record StreamTally(
      String topic,
      long records,
      long samples,
      long bytes,
      long droppedPackets,
      long droppedSamples,
      long lastSeq) {}

  /**
   * The whole ingest.
   *
   * @param streams per sensor id
   * @param seconds wall-clock seconds from the first event generated to the last acknowledged
   */
  /**
   * @param streams what was sent and dropped, per sensor id
   * @param seconds from the first send to the last acknowledgement
   * @param clockOffsetMs paced ingest: how far the session's clock ran behind its start (the
   *     seconds between the session start and the ingest start; packet {@code t} was sent at {@code
   *     sessionStart + t + clockOffset}); null when unpaced
   */
  record Report(Map<String, StreamTally> streams, double seconds, Long clockOffsetMs) {
    long samples() {
      return streams.values().stream().mapToLong(StreamTally::samples).sum();
    }

    long bytes() {
      return streams.values().stream().mapToLong(StreamTally::bytes).sum();
    }

    /** The last packet sent, by sensor id (-1: none). */
    Map<String, Long> lastSeq() {
      Map<String, Long> m = new LinkedHashMap<>();
      streams.forEach((id, t) -> m.put(id, t.lastSeq()));
      return m;
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("seconds", seconds);
      if (clockOffsetMs != null) {
        m.put("clock_offset_ms", clockOffsetMs);
      }
      m.put("samples", samples());
      m.put("bytes", bytes());
      m.put("samples_per_second", seconds > 0 ? samples() / seconds : null);
      Map<String, Object> s = new LinkedHashMap<>();
      streams.forEach(
          (id, t) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("topic", t.topic());
            one.put("records", t.records());
            one.put("samples", t.samples());
            one.put("bytes", t.bytes());
            one.put("dropped_packets", t.droppedPackets());
            one.put("dropped_samples", t.droppedSamples());
            s.put(id, one);
          });
      m.put("streams", s);
      return m;
    }
  }

  /** Producer settings: idempotent, acks=all, 20 ms linger (as the seed), 1 MiB batches. */
  static Properties producerProps(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * Creates the session's topics where missing (one partition, LogAppendTime) and checks existing
   * ones have exactly one partition.
   */
  static void prepareTopics(String bootstrap, List<String> topics) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    try (Admin admin = KafkaClients.admin(props)) {
      List<NewTopic> wanted = new ArrayList<>();
      for (String t : topics) {
        wanted.add(
            new NewTopic(t, 1, (short) 1)
                .configs(Map.of("message.timestamp.type", "LogAppendTime")));
      }
      for (var e : admin.createTopics(wanted).values().entrySet()) {
        try {
          e.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
          }
        }
      }
      Map<String, TopicDescription> described =
          admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
      for (TopicDescription d : described.values()) {
        if (d.partitions().size() != 1) {
          throw new UserInputException(
              "topic "
                  + d.name()
                  + " has "
                  + d.partitions().size()
                  + " partitions; constellation needs one partition per sensor topic: delete it"
                  + " or choose another --topic-prefix");
        }
      }
      awaitLeaders(admin, topics);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while preparing topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot prepare topics at " + bootstrap + ": " + e, e);
    }
  }

  /**
   * Waits until each topic's partition answers a ListOffsets request. A topic just created is known
   * to the controller (and described) a moment before its partition's leader serves requests; a
   * reader that asks for its offsets in that moment fails with "This server does not host this
   * topic-partition". Retries a retriable answer until {@link #ADMIN_TIMEOUT}.
   */
  private static void awaitLeaders(Admin admin, List<String> topics)
      throws InterruptedException, TimeoutException, ExecutionException {
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    for (String t : topics) {
      latest.put(new TopicPartition(t, 0), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * Runs the ingest: prepares the topics, then sends every surviving packet of every driver, adding
   * the samples of each packet sent to {@code sentSamples} (the run's progress line).
   */
  static Report run(SessionPlan plan, String bootstrap, AtomicLong sentSamples) {
    List<String> topics = plan.drivers.stream().map(plan::topic).toList();
    prepareTopics(bootstrap, topics);
    return send(plan, bootstrap, -1, sentSamples);
  }

  /**
   * How far the session's clock runs behind its start if a paced ingest begins now: the wall clock
   * minus the session start, 0 if the session starts later.
   */
  static long clockOffsetNs(SessionPlan plan) {
    return Math.max(0, System.currentTimeMillis() * 1_000_000L - plan.sessionStartNs);
  }

  /**
   * Sends every surviving packet of every driver in event-time order (topics must exist). Paced
   * ({@code clockOffsetNs >= 0}): each packet is sent when its time comes, in real time on the
   * session's clock, which runs {@code clockOffsetNs} behind the session start (a session whose
   * start has already passed when the ingest begins is replayed with that delay, so its packets
   * still arrive at the devices' pace, see {@link #clockOffsetNs}), and an interrupt of the calling
   * thread ends the ingest early (what was sent is reported). Unpaced ({@code clockOffsetNs < 0}):
   * as fast as the broker takes them. Each packet's samples are added to {@code sentSamples} as it
   * is sent.
   */
  static Report send(
      SessionPlan plan, String bootstrap, long clockOffsetNs, AtomicLong sentSamples) {
    boolean paced = clockOffsetNs >= 0;
    int n = plan.drivers.size();
    List<FaultInjection.FaultedEvents> sources = new ArrayList<>();
    SensorEvent[] head = new SensorEvent[n];
    long[] records = new long[n];
    long[] samples = new long[n];
    long[] bytes = new long[n];
    long[] lastSeq = new long[n];
    java.util.Arrays.fill(lastSeq, -1);
    byte[][] keys = new byte[n][];
    for (int i = 0; i < n; i++) {
      SensorDriver d = plan.drivers.get(i);
      sources.add(plan.faultedEvents(d));
      keys[i] = d.sensorId().getBytes(StandardCharsets.UTF_8);
      head[i] = sources.get(i).hasNext() ? sources.get(i).next() : null;
    }
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(producerProps(bootstrap))) {
      while (true) {
        // Next event in (faulted) event-time order across all drivers.
        int next = -1;
        for (int i = 0; i < n; i++) {
          if (head[i] != null && (next < 0 || head[i].timestampNs() < head[next].timestampNs())) {
            next = i;
          }
        }
        if (next < 0 || failure.get() != null) {
          break;
        }
        SensorEvent e = head[next];
        if (paced && !waitFor(e.timestampNs() + clockOffsetNs)) {
          break;
        }
        byte[] value = SensorEventCodec.encode(e);
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(plan.topic(plan.drivers.get(next)), null, keys[next], value);
        r.headers()
            .add(
                new RecordHeader(
                    GENERATED_HEADER,
                    Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8)));
        producer.send(
            r,
            (meta, ex) -> {
              if (ex != null) {
                failure.compareAndSet(null, ex);
              }
            });
        records[next]++;
        lastSeq[next] = e.seq();
        samples[next] += e.sampleCount();
        sentSamples.addAndGet(e.sampleCount());
        bytes[next] += value.length;
        head[next] = sources.get(next).hasNext() ? sources.get(next).next() : null;
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Kafka ingest failed at " + bootstrap + ": " + failure.get().getMessage(), failure.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, StreamTally> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      FaultInjection.Tally t = sources.get(i).tally();
      SensorDriver d = plan.drivers.get(i);
      out.put(
          d.sensorId(),
          new StreamTally(
              plan.topic(d),
              records[i],
              samples[i],
              bytes[i],
              t.eventsDropped(),
              t.samplesDropped(),
              lastSeq[i]));
    }
    return new Report(out, seconds, paced ? clockOffsetNs / 1_000_000L : null);
  }

  /**
   * Sleeps until the wall clock reaches {@code epochNs}; false when interrupted (the flag is
   * consumed so that the producer can still flush what was sent).
   */
  private static boolean waitFor(long epochNs) {
    long waitMs = Math.floorDiv(epochNs, 1_000_000L) - System.currentTimeMillis();
    if (Thread.interrupted()) {
      return false;
    }
    if (waitMs > 0) {
      try {
        Thread.sleep(waitMs);
      } catch (InterruptedException ex) {
        return false;
      }
    }
    return true;
  }

  /**
   * The baseline for the benchmark: the same record values sent by a bare producer loop (same
   * settings, no drivers, no faults, no headers), timed from first send to last acknowledgement.
   *
   * @return seconds taken
   */
  static double sendPlain(String bootstrap, String topic, List<byte[]> values) {
    prepareTopics(bootstrap, List.of(topic));
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(producerProps(bootstrap))) {
      for (byte[] v : values) {
        producer.send(
            new ProducerRecord<>(topic, v),
            (m, ex) -> {
              if (ex != null) {
                failure.compareAndSet(null, ex);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("plain send failed: " + failure.get().getMessage());
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
