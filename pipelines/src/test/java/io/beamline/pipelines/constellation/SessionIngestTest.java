package io.beamline.pipelines.constellation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.BeamlinePipeline;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import io.beamline.io.kafka.KafkaPreflight;
import io.beamline.io.kafka.KafkaUnreachableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker a run starts while its graph is built ({@link SessionIngest#startBroker}).
 */
class SessionIngestTest {
  @TempDir Path dir;

  @Test
  void aRunUsesTheBrokerStartedWhileItsGraphWasBuilt() throws Exception {
    List<String> a =
        ConstellationTestSupport.args(dir.resolve("out"), "--duration=1", "--runId=early");
    RunRecord r = Runs.run(new ConstellationPipeline(), ConstellationTestSupport.options(a), a);
    assertEquals("succeeded", r.status(), r.error());
    assertTrue(Files.isRegularFile(r.runDir().resolve(ConstellationPipeline.INGEST_FILE)));
    // One broker: the early one, taken over by the run.
    assertTrue(Files.isRegularFile(r.runDir().resolve("kafka-data/broker.log")));
  }

  @Test
  void aBrokerTheRunNeverTookIsStopped() throws Exception {
    Path runDir = dir.resolve("run");
    List<String> a = ConstellationTestSupport.args(dir.resolve("out"), "--runId=unused");
    try (BeamlinePipeline.Started early =
        SessionIngest.startBroker(ConstellationTestSupport.options(a), runDir)) {
      // Closed without a run taking the broker, as when graph construction fails.
    }
    String props = Files.readString(runDir.resolve("kafka-data/server.properties"));
    String bootstrap = props.replaceAll("(?s).*listeners=PLAINTEXT://([0-9.:]+),.*", "$1");
    assertThrows(
        KafkaUnreachableException.class,
        () -> KafkaPreflight.check(bootstrap, Duration.ofSeconds(2)),
        "broker at " + bootstrap + " still answers");
  }

  @Test
  void noBrokerWithoutKafkaOrWithAGivenOne() {
    Path runDir = dir.resolve("none");
    for (String flag : List.of("--noKafka", "--kafkaBootstrap=127.0.0.1:9")) {
      List<String> a = ConstellationTestSupport.args(dir.resolve("out"), "--runId=none", flag);
      SessionIngest.startBroker(ConstellationTestSupport.options(a), runDir).close();
    }
    assertFalse(Files.exists(runDir));
  }
}
