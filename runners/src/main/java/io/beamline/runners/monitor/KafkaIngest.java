package io.beamline.runners.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.json.Json;
import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.swf.MalformedMessageException;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessages;
import io.beamline.runners.monitor.db.InvalidValueException;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the workflow's topics into the monitor: one consumer in group {@code beamline-monitor} with
 * offsets committed only after the records are in the database, so a monitor that was down (or
 * killed) reads on from where it stopped and loses nothing; a record read twice (after a crash
 * between the write and the commit) is journalled once and changes no count ({@link
 * MessageIngest}).
 *
 * <p>A record the codec refuses is counted and logged, not journalled: {@code stream process} sends
 * it to {@code swf.deadletter}, which this consumer journals.
 */
final class KafkaIngest implements AutoCloseable {
  /** The topics the monitor reads: all of the workflow's. */
  static final List<String> TOPICS = SwfTopics.ALL;

  /** The consumer group. */
  static final String GROUP = "beamline-monitor";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaIngest.class);
  private static final Duration RETRY = Duration.ofSeconds(1);

  private final String broker;
  private final MessageIngest ingest;
  private final Thread thread;
  private final AtomicLong read = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean stopping;
  private volatile String lastError;

  KafkaIngest(String broker, MessageIngest ingest) {
    this.broker = broker;
    this.ingest = ingest;
    this.thread = new Thread(this::loop, "monitor-kafka-ingest");
  }

  /**
   * Checks the broker, creates the topics (if another agent has not), subscribes and starts reading
   * in the background.
   *
   * @throws io.beamline.io.kafka.KafkaUnreachableException when nothing Kafka answers there
   */
  void start() throws IOException {
    Properties admin = new Properties();
    admin.put("bootstrap.servers", broker);
    try (Admin a = KafkaClients.admin(admin)) {
      SwfTopics.ensure(a, TOPICS);
    }
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    consumer = KafkaClients.consumer(config);
    consumer.subscribe(TOPICS);
    thread.start();
  }

  /** Records read, records refused by the codec, and the last error (or null), for health. */
  Map<String, Object> status() {
    Map<String, Object> s = new HashMap<>();
    s.put("broker", broker);
    s.put("group", GROUP);
    s.put("records", read.get());
    s.put("malformed", malformed.get());
    s.put("last_error", lastError);
    return s;
  }

  private void loop() {
    try {
      while (!stopping) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        Map<TopicPartition, Long> next = new HashMap<>();
        try {
          for (ConsumerRecord<byte[], byte[]> r : records) {
            handle(r);
            next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
          }
          lastError = null;
        } catch (SQLException e) {
          // The database is away: read again from the first record not stored, after a pause.
          lastError = e.getMessage();
          LOG.warn(
              "storing broker records failed ({}); retrying in {} s",
              e.getMessage(),
              RETRY.toSeconds());
          for (TopicPartition tp : records.partitions()) {
            long first = records.records(tp).get(0).offset();
            consumer.seek(tp, next.getOrDefault(tp, first));
          }
          Thread.sleep(RETRY.toMillis());
        }
        if (!next.isEmpty()) {
          Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> commit =
              new HashMap<>();
          next.forEach(
              (tp, o) ->
                  commit.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(o)));
          consumer.commitSync(commit);
        }
      }
    } catch (WakeupException e) {
      // close() asked the consumer to stop.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      lastError = e.toString();
      LOG.error("the broker ingest stopped: {}", e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) throws SQLException {
    read.incrementAndGet();
    MessageIngest.Source source = new MessageIngest.Source(r.topic(), r.partition(), r.offset());
    try {
      if (r.topic().equals(SwfTopics.DEADLETTER)) {
        ingest.accept(deadLetter(r.value()), source, true);
        return;
      }
      // Decoded by the strict codec, handed on as the tree it would write (not written and read
      // back: that parsed every message twice).
      ingest.accept(WorkflowMessages.toTree(WorkflowMessages.decode(r.value())), source, false);
    } catch (MalformedMessageException | InvalidValueException e) {
      malformed.incrementAndGet();
      LOG.warn(
          "{}-{}@{}: not a workflow message ({}); skipped",
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
    }
  }

  /** A dead-letter record as JSON; one that is not JSON is kept as its raw text. */
  private static JsonNode deadLetter(byte[] value) {
    try {
      JsonNode n = Json.MAPPER.readTree(value == null ? new byte[0] : value);
      if (n != null && n.isObject()) {
        return n;
      }
    } catch (IOException e) {
      // Not JSON: kept as text below.
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("raw", WorkflowMessages.rawText(value));
    return o;
  }

  @Override
  public void close() {
    stopping = true;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
