package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationTestSupport.args;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.options;
import static io.beamline.pipelines.constellation.ConstellationTestSupport.read;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.RunRecord;
import io.beamline.framework.run.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code constellation --training-config} hands the run's shards over to training, and {@code
 * --metrics-port} serves the run; every constellation metric the run reports is one the Grafana
 * dashboard queries.
 */
class ConstellationHandoffTest {
  @TempDir Path dir;

  @Test
  void aRunRecordsItsTrainingJobNextToTheShards() throws Exception {
    Path out = dir.resolve("out");
    Path cfg =
        Files.writeString(
            dir.resolve("train.yaml"),
            "model: brainstate-cnn\nmodalities: [eeg, ecg]\nbatch_size: 8\n");
    List<String> a =
        args(
            out,
            "--noKafka",
            "--duration=1",
            "--windowSeconds=0.5",
            "--shardSize=1",
            "--trainingConfig=" + cfg,
            "--metricsPort=0",
            "--runId=HandOff_1");
    RunRecord r = Runs.run(new ConstellationPipeline(), options(a), a);
    assertEquals("succeeded", r.status(), r.error());

    Path gold = out.resolve("gold/S1/A");
    List<String> shards = new ArrayList<>();
    try (Stream<Path> s = Files.list(gold)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tar"))
          .sorted()
          .forEach(shards::add);
    }
    assertEquals(2, shards.size(), "one window per shard: " + shards);
    JsonNode job = read(gold.resolve("training_job.json"));
    assertEquals("handoff-1", job.get("job_name").asText());
    assertEquals("recorded", job.get("status").asText());
    assertFalse(job.get("submitted").asBoolean());
    List<String> listed = new ArrayList<>();
    job.get("shards").forEach(s -> listed.add(s.get("file").asText()));
    assertEquals(shards, listed);
    assertEquals(8, job.get("spec").get("batch_size").asInt());
    assertEquals("eeg", job.get("spec").get("modalities").get(0).asText());
    assertThat(
        Files.readString(r.runDir().resolve("run.log")),
        containsString("No cloud target configured; training job not submitted"));

    assertThat(
        (String) Runs.readManifest(r.runDir()).get("metrics_url"), startsWith("http://127.0.0.1:"));

    // Every constellation metric of the run appears in the dashboard's queries.
    String dashboard =
        Files.readString(
            Path.of(System.getProperty("basedir", ".")).resolve("../docs/grafana_dashboard.json"));
    Set<String> missing = new TreeSet<>();
    JsonNode metrics = read(r.runDir().resolve("metrics.json"));
    int seen = 0;
    for (JsonNode c : metrics.get("counters")) {
      if (c.get("namespace").asText().equals(ConstellationPipeline.NAMESPACE)) {
        seen++;
        String series = "beamline_constellation_" + c.get("name").asText() + "_total{";
        if (!dashboard.contains(series)) {
          missing.add(series);
        }
      }
    }
    for (JsonNode d : metrics.get("distributions")) {
      if (d.get("namespace").asText().equals(ConstellationPipeline.NAMESPACE)) {
        seen++;
        String series = "beamline_constellation_" + d.get("name").asText() + "_sum{";
        if (!dashboard.contains(series)) {
          missing.add(series);
        }
      }
    }
    assertTrue(seen >= 8, "the run reported its per-modality metrics");
    assertThat(missing, empty());
  }

  @Test
  void aBadTrainingSpecStopsTheRunBeforeAnythingRuns() throws Exception {
    Path out = dir.resolve("out");
    Path cfg = Files.writeString(dir.resolve("train.yaml"), "model: m\nepochs: many\n");
    List<String> a = args(out, "--noKafka", "--duration=1", "--trainingConfig=" + cfg);
    UserInputException e =
        assertThrows(
            UserInputException.class, () -> Runs.run(new ConstellationPipeline(), options(a), a));
    assertEquals(
        "training config " + cfg + ": field 'epochs' must be an integer, got the string \"many\"",
        e.getMessage());
    assertFalse(Files.exists(out), "validation wrote " + out);
  }
}
