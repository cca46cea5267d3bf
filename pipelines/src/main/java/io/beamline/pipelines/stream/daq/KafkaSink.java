package io.beamline.pipelines.stream.daq;

import io.beamline.io.kafka.KafkaClients;
import io.beamline.io.swf.SwfTopics;
import io.beamline.io.swf.WorkflowMessage;
import io.beamline.io.swf.WorkflowMessages;
import java.io.IOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes workflow messages with an idempotent producer ({@code acks=all}): a retried send is
 * stored once and in order. {@link #send} returns once the broker acknowledged the record, so the
 * order of the simulator's steps is the order on the topic; {@link #close()} flushes first (and may
 * be called again). Thread-safe (heartbeats are sent from their own thread).
 */
final class KafkaSink implements DaqSimulator.Sink, AutoCloseable {
  /** How long one send may take before the run fails. */
  static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaProducer<String, byte[]> producer;
  private boolean closed;

  private KafkaSink(KafkaProducer<String, byte[]> producer) {
    this.producer = producer;
  }

  /** Creates the workflow's topics when missing, then the producer. */
  static KafkaSink open(String bootstrap, String clientId) throws IOException {
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin a = KafkaClients.admin(admin)) {
      SwfTopics.ensure(a, SwfTopics.ALL);
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaSink(KafkaClients.producer(p));
  }

  @Override
  public void send(String topic, String key, WorkflowMessage m) throws IOException {
    try {
      producer
          .send(new ProducerRecord<>(topic, key, WorkflowMessages.encode(m)))
          .get(SEND_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(
          "Kafka did not store the " + m.type().wireName() + " message: " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(
          "Kafka did not acknowledge the " + m.type().wireName() + " message in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending " + m.type().wireName(), e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    producer.flush();
    producer.close(Duration.ofSeconds(30));
  }
}
