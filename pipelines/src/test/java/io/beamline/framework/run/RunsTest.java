package io.beamline.framework.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.framework.UserInputException;
import io.beamline.io.files.Digests;
import io.beamline.pipelines.demo.DemoPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsTest {
  @TempDir Path dir;

  private DemoPipeline.DemoOptions options(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--outputDir=" + dir,
                "--sensors=2",
                "--seconds=2",
                "--rateHz=100",
                "--runner=DirectRunner"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .as(DemoPipeline.DemoOptions.class);
  }

  private static JsonNode json(Path f) throws Exception {
    return Json.MAPPER.readTree(f.toFile());
  }

  @Test
  void runWritesTheWholeRunDirectory() throws Exception {
    RunRecord r = Runs.run(new DemoPipeline(), options("--runId=r1"), List.of("demo", "--x"));
    assertEquals("succeeded", r.status());
    Path run = dir.resolve("runs/r1");
    assertEquals(run, r.runDir());
    for (String f :
        List.of(
            "plan.dot", "plan.json", "options.json", "metrics.json", "run.log", "manifest.json")) {
      assertTrue(Files.isRegularFile(run.resolve(f)), f);
    }

    Map<String, Object> m = Runs.readManifest(run);
    assertEquals("r1", m.get("run_id"));
    assertEquals("demo", m.get("pipeline"));
    assertEquals("succeeded", m.get("status"));
    assertEquals("DirectRunner", m.get("runner"));
    assertEquals(List.of("demo", "--x"), m.get("command_line"));
    assertNull(m.get("error"));
    assertTrue(
        java.time.Instant.parse((String) m.get("end_utc"))
            .isAfter(java.time.Instant.parse((String) m.get("start_utc"))));
    @SuppressWarnings("unchecked")
    Map<String, Object> project = (Map<String, Object>) m.get("project");
    assertEquals(BuildInfo.version(), project.get("version"));
    assertTrue(project.containsKey("git_commit"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> outputs = (List<Map<String, Object>>) m.get("outputs");
    Path table = dir.resolve("demo/window_stats/window_stats-00000-of-00001.parquet");
    assertEquals(1, outputs.size());
    assertEquals(table.toString(), outputs.get(0).get("path"));
    assertEquals(Files.size(table), ((Number) outputs.get(0).get("size")).longValue());
    // Beam's emptied temporary directory is tidied away.
    try (Stream<Path> s = Files.list(table.getParent())) {
      assertEquals(List.of(table), s.toList());
    }

    JsonNode metrics = json(run.resolve("metrics.json"));
    long generated = 0;
    for (JsonNode c : metrics.get("counters")) {
      if (c.get("name").asText().equals("samples_generated")) {
        generated += c.get("attempted").asLong();
        assertThat(c.get("step").asText(), containsString("SyntheticSamples"));
      }
    }
    assertEquals(2 * 2 * 100, generated);
    boolean sawDistribution = false;
    for (JsonNode d : metrics.get("distributions")) {
      if (d.get("name").asText().equals("samples_per_window")) {
        sawDistribution = true;
        assertEquals(4, d.get("attempted").get("count").asLong());
        assertEquals(100, d.get("attempted").get("max").asLong());
      }
    }
    assertTrue(sawDistribution);

    JsonNode options = json(run.resolve("options.json"));
    assertEquals(2, options.get("sensors").asInt());
    assertEquals("DirectRunner", options.get("runner").asText());
    assertEquals(42, options.get("seed").asInt());
    assertTrue(options.has("targetParallelism"), "runner options are recorded");

    JsonNode plan = json(run.resolve("plan.json"));
    assertEquals("demo", plan.get("pipeline").asText());
    List<String> names = new ArrayList<>();
    plan.get("transforms").forEach(t -> names.add(t.get("full_name").asText()));
    // The demo's modules, each with its inner step.
    assertThat(names, hasItem("synthetic-samples"));
    assertThat(names, hasItem("synthetic-samples/SyntheticSamples"));
    assertThat(names, hasItem("summarise-windows/SummariseWindows"));
    assertThat(names, hasItem("write-window-stats/WriteWindowStats"));
    assertTrue(plan.get("pcollections").size() > 5);
    assertThat(Files.readString(run.resolve("plan.dot")), startsWith("digraph \"demo\" {"));
    assertThat(Files.readString(run.resolve("run.log")), containsString("Run r1 of pipeline demo"));
  }

  @Test
  void planWritesThePlanWithoutRunningAnything() throws Exception {
    RunRecord r = Runs.plan(new DemoPipeline(), options("--runId=p1"), List.of());
    assertEquals("planned", r.status());
    Path run = dir.resolve("runs/p1");
    assertTrue(Files.isRegularFile(run.resolve("plan.json")));
    assertTrue(Files.isRegularFile(run.resolve("plan.dot")));
    assertTrue(Files.isRegularFile(run.resolve("options.json")));
    assertEquals("planned", Runs.readManifest(run).get("status"));
    assertFalse(Files.exists(run.resolve("metrics.json")), "no metrics: nothing ran");
    assertFalse(Files.exists(dir.resolve("demo")), "no transform wrote output");
    assertTrue(r.plan().primitiveCount() > 5);
  }

  @Test
  void recordsInputsWithSizeAndSha256() throws Exception {
    Path csv = dir.resolve("in.csv");
    Files.writeString(csv, "sensor_id,time_s,value\na,1704067200,1\n");
    Runs.run(new DemoPipeline(), options("--runId=c1", "--input=" + csv), List.of());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> inputs =
        (List<Map<String, Object>>) Runs.readManifest(dir.resolve("runs/c1")).get("inputs");
    assertEquals(1, inputs.size());
    assertEquals(csv.toString(), inputs.get(0).get("path"));
    assertEquals(Files.size(csv), ((Number) inputs.get(0).get("size")).longValue());
    assertEquals(Digests.sha256(csv), inputs.get(0).get("sha256"));
  }

  @Test
  void missingInputFailsBeforeAnythingIsWritten() {
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () ->
                Runs.run(
                    new DemoPipeline(),
                    options("--runId=m1", "--input=" + dir.resolve("nope.csv")),
                    List.of()));
    assertThat(e.getMessage(), containsString("input file not found: " + dir.resolve("nope.csv")));
    assertThat(e.getMessage(), containsString("--input"));
    assertFalse(Files.exists(dir.resolve("runs/m1")));
  }

  @Test
  void anInputErrorDoesNotEvenCreateTheOutputDirectory() {
    Path out = dir.resolve("new/deeper/out");
    DemoPipeline.DemoOptions o = options("--runId=v1", "--windowSeconds=-1");
    o.setOutputDir(out.toString());
    UserInputException e =
        assertThrows(UserInputException.class, () -> Runs.run(new DemoPipeline(), o, List.of()));
    assertThat(e.getMessage(), containsString("--window-seconds"));
    assertFalse(Files.exists(dir.resolve("new")), "validation wrote the output directory");
  }

  @Test
  void unwritableOutputDirectoryIsAClearError() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    DemoPipeline.DemoOptions o = options("--runId=u1");
    o.setOutputDir(file.resolve("out").toString());
    UserInputException e =
        assertThrows(UserInputException.class, () -> Runs.run(new DemoPipeline(), o, List.of()));
    assertThat(e.getMessage(), containsString("output directory is not writable"));
    assertThat(e.getMessage(), containsString("--output-dir"));
  }

  @Test
  void reusedRunIdIsRefused() {
    Runs.plan(new DemoPipeline(), options("--runId=same"), List.of());
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> Runs.plan(new DemoPipeline(), options("--runId=same"), List.of()));
    assertThat(e.getMessage(), containsString("choose another --run-id"));
  }

  @Test
  void runtimeFailureIsRecordedAsFailed() throws Exception {
    RunRecord r =
        Runs.run(
            new DemoPipeline(),
            options("--runId=f1", "--input=" + dir.resolve("no-match-*.csv")),
            List.of());
    assertEquals("failed", r.status());
    Map<String, Object> m = Runs.readManifest(dir.resolve("runs/f1"));
    assertEquals("failed", m.get("status"));
    assertThat((String) m.get("error"), containsString("no-match-*.csv"));
    assertFalse(((String) m.get("error")).contains("\n"));
    assertThat(Files.readString(dir.resolve("runs/f1/run.log")), containsString("failed"));
  }
}
