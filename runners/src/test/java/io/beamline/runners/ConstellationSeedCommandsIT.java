package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.io.kafka.EmbeddedKafka;
import io.beamline.io.kafka.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's first constellation example as pasted, with a real broker (the embedded one, started
 * here) in place of {@code localhost:9092} and the seed's SageMaker job file at {@code
 * path/to/job_config.yaml}: a 10 s ingest of all modalities through Kafka topics {@code
 * raw.<modality>.<sensor_id>}, fault injection, raw data under {@code raw/subj123/sessA}, shards
 * and the recorded training job under {@code gold/subj123/sessA}.
 */
class ConstellationSeedCommandsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theKafkaExampleRunsAsPasted() throws Exception {
    Path out = dir.resolve("tmp/constellation_demo");
    Path cfg = dir.resolve("path/to/job_config.yaml");
    Files.createDirectories(cfg.getParent());
    Files.writeString(
        cfg,
        "image_uri: 123456789012.dkr.ecr.us-west-2.amazonaws.com/neuros-train:latest\n"
            + "role: arn:aws:iam::123456789012:role/SageMakerExecution\n"
            + "instance_type: ml.p3.16xlarge\n"
            + "instance_count: 2\n");
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // neuros constellation --duration 10 --output-dir /tmp/constellation_demo
      //   --subject-id subj123 --session-id sessA --kafka-bootstrap localhost:9092
      //   --topic-prefix raw --fault-injection --sagemaker-config path/to/job_config.yaml
      ConstellationSeedCommandsTest.Result r =
          ConstellationSeedCommandsTest.run(
              "constellation",
              "--duration",
              "10",
              "--output-dir",
              out.toString(),
              "--subject-id",
              "subj123",
              "--session-id",
              "sessA",
              "--kafka-bootstrap",
              kafka.bootstrapServers(),
              "--topic-prefix",
              "raw",
              "--fault-injection",
              "--sagemaker-config",
              cfg.toString());
      assertEquals(0, r.code(), r.err() + r.processErr());

      Properties p = new Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      try (Admin admin = KafkaClients.admin(p)) {
        Set<String> topics = admin.listTopics().names().get();
        for (String t :
            List.of(
                "raw.eeg.eeg01",
                "raw.audio.audio01",
                "raw.video.video01",
                "raw.eda.eda01",
                "raw.fnirs.fnirs01",
                "raw.respiration.respiration01",
                "raw.ecg.ecg01",
                "raw.phone.phone01")) {
          assertTrue(topics.contains(t), t + " in " + topics);
        }
      }

      JsonNode report = JSON.readTree(out.resolve("raw/subj123/sessA/sync_report.json").toFile());
      assertEquals(10.0, report.get("duration_s").asDouble());
      assertTrue(report.get("fault_injection").asBoolean());
      long dropped = 0;
      for (JsonNode m : report.get("modalities")) {
        dropped += m.get("dropped_packets").asLong();
      }
      assertTrue(dropped > 0, "--fault-injection dropped nothing");
      assertTrue(Files.isRegularFile(out.resolve("raw/subj123/sessA/subj123_sessA.nwb")));
      assertTrue(
          Files.isRegularFile(out.resolve("raw/subj123/sessA/subj123_sessA_video.zarr/.zattrs")));

      Path gold = out.resolve("gold/subj123/sessA");
      JsonNode job = JSON.readTree(gold.resolve("training_job.json").toFile());
      List<String> listed = new ArrayList<>();
      job.get("shards").forEach(s -> listed.add(s.get("file").asText()));
      List<String> shards = new ArrayList<>(ConstellationSeedCommandsTest.files(gold));
      shards.remove("training_job.json");
      assertEquals(shards, listed);
      assertEquals("sagemaker", job.get("spec").get("cloud").get("provider").asText());
      assertThat(r.processErr(), containsString("constellation: session subj123/sessA committed"));
      assertThat(r.processErr(), containsString(", read "));
    }
  }
}
