package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's constellation commands as its runbook prints them, through the command line: the
 * {@code --no-kafka} example as pasted (only the output directory moved into a temporary folder),
 * and the seed's flags with their meaning. The Kafka example is {@code ConstellationSeedCommandsIT}
 * (it needs a broker).
 */
class ConstellationSeedCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  record Result(int code, String out, String err, String processErr) {}

  /** Runs the CLI in this JVM, capturing what the pipeline prints on the process's stderr too. */
  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream processErr = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    int code;
    System.setErr(new PrintStream(processErr, true, StandardCharsets.UTF_8));
    try {
      code = new Beamline(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    } finally {
      System.setErr(saved);
    }
    return new Result(
        code, out.toString(), err.toString(), processErr.toString(StandardCharsets.UTF_8));
  }

  static List<String> files(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void theNoKafkaExampleRunsAsPasted() throws Exception {
    Path out = dir.resolve("tmp/constellation_demo_no_kafka");
    // neuros constellation --duration 5 --output-dir /tmp/constellation_demo_no_kafka \
    //   --subject-id demo --session-id test --no-kafka
    Result r =
        run(
            "constellation",
            "--duration",
            "5",
            "--output-dir",
            out.toString(),
            "--subject-id",
            "demo",
            "--session-id",
            "test",
            "--no-kafka");
    assertEquals(0, r.code(), r.err() + r.processErr());
    assertThat(r.out(), containsString("beamline constellation: run "));
    assertThat(r.out(), containsString("succeeded (DirectRunner, 1 item committed)"));

    // Where the seed puts them: raw under raw/<subject>/<session>, shards under gold/...
    Path raw = out.resolve("raw/demo/test");
    Path gold = out.resolve("gold/demo/test");
    List<String> rawFiles = files(raw);
    assertThat(rawFiles, hasItem("demo_test.nwb"));
    assertThat(rawFiles, hasItem("demo_test_video.zarr/.zattrs"));
    assertThat(rawFiles, hasItem("sync_report.json"));
    assertTrue(
        rawFiles.stream().anyMatch(f -> f.startsWith("timeseries/") && f.endsWith(".parquet")));
    assertEquals(List.of("shard-000000.tar"), files(gold));
    assertFalse(Files.exists(out.resolve("constellation")));
    JsonNode report = JSON.readTree(raw.resolve("sync_report.json").toFile());
    assertEquals(5.0, report.get("duration_s").asDouble());
    assertEquals(5, report.get("windows").asInt());
    assertEquals(0, report.get("modalities").get("eeg").get("dropped_packets").asInt());
    CommitRecord rec = ItemCommits.of(out, "constellation").committed("demo/test").orElseThrow();
    assertEquals(
        List.of("raw/demo/test", "gold/demo/test"),
        rec.outputs().stream().map(o -> o.path()).toList());

    // The console: a progress line with the seed's "samples ingested" and synced, per second,
    // then one summary paragraph naming files, drops and alignment error.
    List<String> lines = r.processErr().lines().map(l -> l.replace("\r", "")).toList();
    String progress =
        lines.stream()
            .filter(l -> l.startsWith("constellation: ") && l.contains(", ingested "))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no progress line in\n" + r.processErr()));
    // No faults: every sample generated is synced onto the grid, as the report counts them.
    long samples = 0;
    long packets = 0;
    for (JsonNode m : report.get("modalities")) {
      samples += m.get("samples").asLong();
      packets += m.get("packets_expected").asLong();
    }
    String n = String.format(java.util.Locale.ROOT, "%,d", samples);
    assertThat(progress, containsString("ingested " + n + " samples ("));
    assertThat(progress, containsString("synced " + n + " samples ("));
    assertThat(progress, containsString("(8 of 8 streams)"));
    // The sync report, the NWB file, the video image, one Parquet file and one shard.
    assertThat(progress, containsString("written 5 of 5 outputs"));
    assertThat(progress, containsString("/s)"));
    String summary =
        lines.stream()
            .filter(l -> l.startsWith("constellation: session demo/test committed"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no summary in\n" + r.processErr()));
    assertThat(summary, containsString(rawFiles.size() + " files ("));
    assertThat(summary, containsString("1 WebDataset shard)"));
    assertThat(
        summary,
        containsString(
            String.format(java.util.Locale.ROOT, "0 of %,d packets dropped (0.0%%)", packets)));
    assertThat(summary, containsString("alignment error at most"));
    assertTrue(lines.indexOf(summary) > lines.indexOf(progress), "summary after the last progress");
  }

  @Test
  void aMissingSagemakerConfigIsOneLineAtValidation() throws Exception {
    Path out = dir.resolve("out");
    Path cwd = Path.of("").toAbsolutePath();
    Path missing = cwd.resolve("path/to/job_config.yaml");
    Result r =
        run(
            "constellation",
            "--duration",
            "10",
            "--output-dir",
            out.toString(),
            "--subject-id",
            "subj123",
            "--session-id",
            "sessA",
            "--no-kafka",
            "--fault-injection",
            "--sagemaker-config",
            "path/to/job_config.yaml");
    assertEquals(2, r.code(), r.err());
    assertEquals(
        "beamline constellation: training config "
            + Path.of("path/to/job_config.yaml")
            + " does not exist or is not a file; check --sagemaker-config",
        r.err().strip());
    assertFalse(Files.exists(missing));
    assertFalse(Files.exists(out), "validation wrote the output directory");
  }

  @Test
  void theSeedsSagemakerJobConfigIsTheTrainingHandOff() throws Exception {
    Path out = dir.resolve("out");
    Path cfg = dir.resolve("path/to/job_config.yaml");
    Files.createDirectories(cfg.getParent());
    Files.writeString(
        cfg,
        String.join(
            "\n",
            "image_uri: 123456789012.dkr.ecr.us-west-2.amazonaws.com/neuros-train:latest",
            "role: arn:aws:iam::123456789012:role/SageMakerExecution",
            "instance_type: ml.p3.16xlarge",
            "instance_count: 2",
            "input_data: {train: \"s3://bucket/gold/subj123/sessA/\"}",
            "s3_output_path: s3://bucket/models/",
            ""));
    Result r =
        run(
            "constellation",
            "--duration",
            "2",
            "--output-dir",
            out.toString(),
            "--subject-id",
            "subj123",
            "--session-id",
            "sessA",
            "--topic-prefix",
            "raw",
            "--fault-injection",
            "--sagemaker-config",
            cfg.toString(),
            "--no-kafka");
    assertEquals(0, r.code(), r.err() + r.processErr());
    Path gold = out.resolve("gold/subj123/sessA");
    JsonNode job = JSON.readTree(gold.resolve("training_job.json").toFile());
    assertEquals(gold.toString(), job.get("shards_dir").asText());
    assertEquals("shard-000000.tar", job.get("shards").get(0).get("file").asText());
    assertEquals("sagemaker", job.get("spec").get("cloud").get("provider").asText());
    assertEquals(2, job.get("spec").get("cloud").get("instance_count").asInt());
    assertFalse(job.get("submitted").asBoolean());
    // --fault-injection: about 5% of the packets lost, reported, seeded.
    JsonNode report = JSON.readTree(out.resolve("raw/subj123/sessA/sync_report.json").toFile());
    assertTrue(report.get("fault_injection").asBoolean());
    long dropped = 0;
    for (JsonNode m : report.get("modalities")) {
      dropped += m.get("dropped_packets").asLong();
    }
    assertTrue(dropped > 0, "fault injection dropped nothing");
    assertThat(r.processErr(), containsString("training_job.json"));
    assertThat(r.out(), startsWith("beamline constellation: run "));
  }
}
