package io.beamline.pipelines.constellation;

import io.beamline.io.kafka.KafkaClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * KafkaIO consumer factory that connects to the bootstrap servers the run wrote to its run
 * directory. The graph is built before the run starts its embedded broker (whose port is only known
 * then), so the address is looked up when a consumer is created, on the worker; without the file
 * the configured address is used as is.
 */
final class RunBootstrapConsumerFactory
    implements SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> {
  private static final long serialVersionUID = 1L;

  private final String bootstrapFile;

  RunBootstrapConsumerFactory(String bootstrapFile) {
    this.bootstrapFile = bootstrapFile;
  }

  @Override
  public Consumer<byte[], byte[]> apply(Map<String, Object> config) {
    Map<String, Object> c = new HashMap<>(config);
    Path f = Paths.get(bootstrapFile);
    if (Files.isRegularFile(f)) {
      try {
        c.put(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            Files.readString(f, StandardCharsets.UTF_8).trim());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
    // Checked first: a consumer reading a non-Kafka answer would allocate its size as a frame.
    return KafkaClients.consumer(c);
  }
}
