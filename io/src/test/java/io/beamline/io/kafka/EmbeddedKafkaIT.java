package io.beamline.io.kafka;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.sensors.Drivers;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventDeserializer;
import io.beamline.io.sensors.SensorEventSerializer;
import io.beamline.io.sensors.SessionIds;
import io.beamline.io.sensors.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One real broker for the class: topics, a produce/consume round trip, and a clean stop. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedKafkaIT {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  @Order(0)
  void preflightSeesTheBrokerAndTheAddressItAdvertises() throws Exception {
    String bootstrap = kafka.bootstrapServers();
    assertEquals(List.of(bootstrap), KafkaPreflight.check(bootstrap, Duration.ofSeconds(5)));
    // A list with the broker and a service that is not Kafka: a client could pick either.
    try (java.net.ServerSocket closing =
        new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try {
                  closing.accept().close();
                } catch (java.io.IOException e) {
                  // closed by the test
                }
              });
      t.setDaemon(true);
      t.start();
      String other = "127.0.0.1:" + closing.getLocalPort();
      KafkaUnreachableException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              KafkaUnreachableException.class,
              () -> KafkaClients.admin(props(bootstrap + "," + other)));
      assertThat(e.getMessage(), containsString(other + " is not a Kafka broker"));
    }
  }

  private static Properties props(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    return p;
  }

  @Test
  @Order(1)
  void producesAndConsumesEncodedSensorEvents() throws Exception {
    assertThat(kafka.bootstrapServers(), containsString("127.0.0.1:"));
    SessionIds session = new SessionIds("S01", "A");
    long t0 = 1_700_000_000_000_000_000L;
    Map<String, List<SensorEvent>> sent = new HashMap<>();
    List<String> topics = new ArrayList<>();
    for (SensorDriver d : Drivers.standard()) {
      String topic = Topics.of("raw", d.modality(), d.sensorId());
      topics.add(topic);
      List<SensorEvent> events = new ArrayList<>();
      int perEvent = (int) Math.max(1, Math.round(d.sampleRate() / 10));
      Iterator<SensorEvent> it = d.events(session, 11, t0, Duration.ofSeconds(1), perEvent);
      it.forEachRemaining(events::add);
      sent.put(topic, events);
    }
    kafka.createTopics(topics, 1);
    kafka.createTopic("raw.eeg.eeg01", 1); // already there: left as it is
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      assertTrue(admin.listTopics().names().get().containsAll(topics));
    }

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, SensorEventSerializer.class);
    try (KafkaProducer<String, SensorEvent> producer = KafkaClients.producer(p)) {
      for (var entry : sent.entrySet()) {
        for (SensorEvent e : entry.getValue()) {
          producer.send(new ProducerRecord<>(entry.getKey(), e.sensorId(), e));
        }
      }
      producer.flush();
    }

    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "embedded-kafka-it");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SensorEventDeserializer.class);
    Map<String, List<SensorEvent>> received = new HashMap<>();
    int expected = sent.values().stream().mapToInt(List::size).sum();
    int got = 0;
    try (KafkaConsumer<String, SensorEvent> consumer = KafkaClients.consumer(c)) {
      consumer.subscribe(topics);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (got < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, SensorEvent> r : consumer.poll(Duration.ofMillis(500))) {
          received.computeIfAbsent(r.topic(), k -> new ArrayList<>()).add(r.value());
          got++;
        }
      }
    }
    assertEquals(expected, got);
    for (String topic : topics) {
      List<SensorEvent> back = new ArrayList<>(received.get(topic));
      back.sort(Comparator.comparingLong(SensorEvent::seq));
      assertEquals(sent.get(topic), back, topic);
    }
  }

  @Test
  @Order(2)
  void closeStopsTheBrokerAndLeavesNoProcess() throws Exception {
    long pid = kafka.pid();
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    var dataDir = kafka.dataDir();
    assertTrue(kafka.isRunning());
    kafka.close();
    assertFalse(handle.isAlive(), "broker process " + pid + " still alive");
    assertFalse(
        ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive),
        "a child process of the test JVM is still alive");
    assertFalse(Files.exists(dataDir), "temporary data directory was not deleted");
    kafka.close(); // idempotent
    kafka = null;
  }
}
