package io.beamline.io.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The one place Beamline creates Kafka clients: each factory first checks its {@code
 * bootstrap.servers} with {@link KafkaPreflight} (bounded, a few milliseconds against a live
 * broker) and only then creates the client.
 *
 * <p>Why every client, not only once per run: Kafka 3.9's clients have no setting that bounds the
 * size of an answer they read (KIP-498, {@code max.response.size}, was not adopted), so a client
 * connected to anything but a Kafka broker allocates whatever size the first four bytes of its
 * answer spell, up to 2 GB. A run checks its address during validation, but clients are also made
 * later and elsewhere (the ingest stage, KafkaIO's consumers on workers, which may see another
 * network); checking at each creation keeps every one of them from talking to a non-Kafka service.
 * What remains is a service replacing a broker on the same port between the check and the client's
 * connection, or during a reconnect, which no client setting can guard against today.
 *
 * <pre>{@code
 * try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(props)) { ... }
 * }</pre>
 */
public final class KafkaClients {
  /** Deadline of the check made before each client (generous: a worker may be busy). */
  public static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

  private KafkaClients() {}

  /** An admin client, after checking its bootstrap servers. */
  public static Admin admin(Properties config) {
    check(config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    return Admin.create(config);
  }

  /** A producer (serialisers given in {@code config}), after checking its bootstrap servers. */
  public static <K, V> KafkaProducer<K, V> producer(Properties config) {
    check(config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    return new KafkaProducer<>(config);
  }

  /** A consumer (deserialisers given in {@code config}), after checking its bootstrap servers. */
  public static <K, V> KafkaConsumer<K, V> consumer(Map<String, Object> config) {
    check(config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    return new KafkaConsumer<>(config);
  }

  private static void check(Object bootstrap) {
    String servers;
    if (bootstrap instanceof String s) {
      servers = s;
    } else if (bootstrap instanceof java.util.Collection<?> c) {
      servers = String.join(",", c.stream().map(String::valueOf).toList());
    } else {
      throw new IllegalArgumentException(
          "Kafka client config has no bootstrap.servers (got " + bootstrap + ")");
    }
    KafkaPreflight.check(servers, CHECK_TIMEOUT);
  }
}
