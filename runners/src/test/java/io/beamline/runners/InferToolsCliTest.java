package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.UserInputException;
import io.beamline.io.duckdb.DuckDb;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamline infer aggregate / orchestrate / monitor} through the command line: help, the
 * positional arguments, and {@code orchestrate --apply} running its planned command lines and the
 * aggregation through the same entry point.
 */
class InferToolsCliTest {
  @TempDir Path dir;

  /** Flags of {@link FixtureRun}: the run command's own flag names. */
  public interface FixtureRunOptions extends BeamlineToolOptions {
    @Description("Chunk manifest CSV")
    @Validation.Required
    String getManifest();

    void setManifest(String v);

    @Description("Output directory")
    @Validation.Required
    String getOutputDir();

    void setOutputDir(String v);

    @Description("Summary of an earlier run")
    String getResumeSummary();

    void setResumeSummary(String v);
  }

  /**
   * Writes, for a chunk manifest, what {@code beamline infer run} leaves in its output directory (a
   * detections Parquet table, telemetry, a summary): one "chirp" per chunk at 0.5 s into it.
   * Orchestrate's {@code --run-command} points at it so that {@code --apply} is exercised here
   * before the inference pipeline itself is in this build; chunks the resume summary lists are
   * skipped as the real command skips them.
   */
  static final class FixtureRun implements BeamlineTool<FixtureRunOptions> {
    @Override
    public List<String> commandPath() {
      return List.of("fixture", "infer-run");
    }

    @Override
    public String summary() {
      return "Writes infer run's outputs for a manifest (tests)";
    }

    @Override
    public Class<FixtureRunOptions> optionsClass() {
      return FixtureRunOptions.class;
    }

    @Override
    public int run(FixtureRunOptions o, PrintWriter out, PrintWriter err) throws Exception {
      Path manifest = Path.of(o.getManifest());
      if (!Files.isRegularFile(manifest)) {
        throw new UserInputException("manifest not found: " + manifest);
      }
      String stem = manifest.getFileName().toString().replace(".csv", "");
      Path outDir = Path.of(o.getOutputDir());
      String done = "";
      if (o.getResumeSummary() != null) {
        done = Files.readString(Path.of(o.getResumeSummary()));
        out.println("fixture resumed from " + o.getResumeSummary());
      }
      List<String> rows = new ArrayList<>();
      StringBuilder telemetry = new StringBuilder();
      StringBuilder summary =
          new StringBuilder(
              "{\"manifest\":\"" + manifest + "\",\"run_id\":\"fixture\",\"chunks\":{");
      List<String> lines = Files.readAllLines(manifest);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",");
        if (done.contains("\"" + f[1] + "\"")) {
          continue;
        }
        double start = Double.parseDouble(f[3]) + 0.5;
        rows.add(
            String.format(
                Locale.ROOT,
                "('%s','%s',%s,%s,'chirp',0.9,'birdcall-cnn','1','cpu-0','fixture')",
                f[0],
                f[1],
                start,
                start + 0.5));
        telemetry.append(
            String.format(
                Locale.ROOT,
                "{\"chunk_id\":\"%s\",\"recording_id\":\"%s\",\"start_utc\":\"2026-01-01T08:00:00Z\","
                    + "\"end_utc\":\"2026-01-01T08:00:01Z\",\"worker\":\"cpu-0\",\"gpu_index\":null,"
                    + "\"gpu_name\":null,\"memory_used_bytes\":0,\"runtime_s\":1.0,"
                    + "\"status\":\"succeeded\",\"attempt\":1,\"error\":null}%n",
                f[1],
                f[0]));
        summary
            .append(rows.size() > 1 ? "," : "")
            .append("\"")
            .append(f[1])
            .append(
                "\":{\"status\":\"succeeded\",\"attempts\":1,\"last_backoff_s\":0,"
                    + "\"last_error\":null}");
      }
      if (rows.isEmpty()) {
        out.println("fixture: every chunk of " + stem + " was done already");
        return 0;
      }
      Path detections = outDir.resolve("detections").resolve(stem + ".parquet");
      Files.createDirectories(detections.getParent());
      try (DuckDb db = DuckDb.inMemory()) {
        db.execute(
            "CREATE TABLE d (recording_id VARCHAR, chunk_id VARCHAR, start_s DOUBLE, end_s DOUBLE,"
                + " label VARCHAR, confidence DOUBLE, model VARCHAR, model_version VARCHAR,"
                + " worker VARCHAR, run_id VARCHAR)");
        db.execute("INSERT INTO d VALUES " + String.join(",", rows));
        db.execute("COPY d TO " + DuckDb.literal(detections.toString()) + " (FORMAT PARQUET)");
      }
      Files.createDirectories(outDir.resolve("telemetry"));
      Files.writeString(outDir.resolve("telemetry").resolve(stem + ".jsonl"), telemetry);
      Files.writeString(outDir.resolve(stem + ".summary.json"), summary.append("}}\n"));
      out.println("fixture: " + rows.size() + " chunks of " + stem);
      return 0;
    }
  }

  private BeamlineCliTest.Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<BeamlineTool<?>> tools = new ArrayList<>(PipelineRegistry.tools());
    tools.add(new FixtureRun());
    int code =
        new Beamline(new PrintWriter(out, true), new PrintWriter(err, true), tools).execute(args);
    return new BeamlineCliTest.Result(code, out.toString(), err.toString());
  }

  private Path chunkDir() throws Exception {
    Path c = dir.resolve("chunks");
    Files.createDirectories(c.resolve("manifests"));
    for (String rec : List.of("rec-a", "rec-b")) {
      StringBuilder csv =
          new StringBuilder(
              "recording_id,chunk_id,source_path,start_s,end_s,sample_rate,channels,sha256\n");
      int n = rec.equals("rec-a") ? 3 : 2;
      for (int i = 0; i < n; i++) {
        // Chunks 50 s apart, so the two recordings' detections fall in minute buckets 0, 0, 1.
        csv.append(
            String.format(
                Locale.ROOT,
                "%s,%s_%d,chunks/%s/%d.wav,%d.0,%d.0,28000,1,%064d%n",
                rec,
                rec,
                i,
                rec,
                i,
                i * 50,
                i * 50 + 3,
                i));
      }
      Files.writeString(c.resolve("manifests").resolve(rec + ".csv"), csv);
      Files.writeString(
          c.resolve("manifests").resolve(rec + ".chunk_status.json"),
          "{\"status\": \"completed\"}");
      // The chunk files the rows name (planning checks they exist; the fixture runs read none).
      for (int i = 0; i < n; i++) {
        Path wav = c.resolve("chunks").resolve(rec).resolve(i + ".wav");
        Files.createDirectories(wav.getParent());
        Files.createFile(wav);
      }
    }
    return c;
  }

  @Test
  void helpListsTheInferTools() {
    BeamlineCliTest.Result group = run("infer", "--help");
    for (String c : List.of("chunk", "aggregate", "orchestrate", "monitor")) {
      assertThat(group.out(), containsString(c));
    }
    BeamlineCliTest.Result help = run("infer", "orchestrate", "--help");
    assertEquals(0, help.code());
    assertThat(help.out(), containsString("DIRECTORY"));
    assertThat(help.out(), containsString("--allow-partial-chunks"));
    assertThat(help.out(), containsString("--slurm-script"));
    assertThat(run("infer", "aggregate", "--help").out(), containsString("--bucket-minutes"));
  }

  @Test
  void orchestrateApplyRunsThePlanThenAggregatesAndResumes() throws Exception {
    Path c = chunkDir();
    BeamlineCliTest.Result first =
        run("infer", "orchestrate", c.toString(), "--apply", "--run-command", "fixture infer-run");
    assertEquals(0, first.code(), first.err());
    assertThat(first.out(), containsString("[1/2] beamline fixture infer-run --manifest"));
    assertThat(first.out(), containsString("fixture: 3 chunks of rec-a"));
    assertThat(first.out(), containsString("fixture: 2 chunks of rec-b"));
    assertThat(first.out(), containsString("beamline infer aggregate: run "));
    assertThat(first.out(), containsString("2 runs and the aggregation succeeded"));
    assertEquals(
        "label,total,m0,m1\nchirp,5,4,1\n",
        Files.readString(c.resolve("aggregate").resolve("quicklook.csv")));
    try (DuckDb db = DuckDb.open(c.resolve("aggregate").resolve("detections.duckdb"))) {
      assertEquals(5, db.count("SELECT * FROM detections"));
    }
    assertTrue(Files.isRegularFile(c.resolve("orchestrate_plan.csv")));

    // Again, the seed's way: recordings already inferred included, each manifest's summary found
    // and passed on, so every chunk is skipped.
    BeamlineCliTest.Result again =
        run(
            "infer",
            "orchestrate",
            c.toString(),
            "--apply",
            "--include-existing",
            "--resume-completed",
            "--run-command",
            "fixture infer-run");
    assertEquals(0, again.code(), again.err());
    assertThat(
        again.out(), containsString("fixture resumed from " + c.resolve("rec-a.summary.json")));
    assertThat(again.out(), containsString("every chunk of rec-b was done already"));
    assertThat(
        Files.readString(c.resolve("orchestrate_plan.csv")),
        containsString("--resume-summary " + c.resolve("rec-b.summary.json")));

    // A manifest infer run would refuse is refused before any run is planned.
    Path recB = c.resolve("manifests").resolve("rec-b.csv");
    String good = Files.readString(recB);
    Files.writeString(recB, "recording_id,chunk_id\n");
    BeamlineCliTest.Result refused =
        run("infer", "orchestrate", c.toString(), "--apply", "--include-existing");
    assertEquals(2, refused.code());
    assertThat(refused.err(), containsString(recB + " lacks column(s)"));
    Files.writeString(recB, good);

    // A run that fails stops the aggregation and fails the command.
    BeamlineCliTest.Result failing =
        run(
            "infer",
            "orchestrate",
            c.toString(),
            "--apply",
            "--include-existing",
            "--run-command",
            "infer nothing");
    assertEquals(1, failing.code());
    assertThat(failing.err(), containsString("2 of 2 runs failed"));
    assertThat(failing.err(), containsString("aggregation skipped"));
  }

  @Test
  void theSlurmScriptAggregatesWithTheBeamlineCommandLine() throws Exception {
    Path c = chunkDir();
    assertEquals(
        0,
        run("infer", "orchestrate", c.toString(), "--apply", "--run-command", "fixture infer-run")
            .code());
    Files.delete(c.resolve("aggregate").resolve("quicklook.csv"));
    Path script = dir.resolve("infer.sh");
    BeamlineCliTest.Result r =
        run(
            "infer",
            "orchestrate",
            c.toString(),
            "--include-existing",
            "--slurm-script",
            script.toString());
    assertEquals(0, r.code(), r.err());
    // 'bash SCRIPT aggregate' in a fresh JVM running this build's command line.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "aggregate");
    pb.environment()
        .put(
            "BEAMLINE_CMD",
            java
                + " -cp "
                + System.getProperty("java.class.path")
                + " io.beamline.runners.Beamline");
    Path log = dir.resolve("aggregate.log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    assertThat(text, containsString("beamline infer aggregate: run "));
    assertEquals(
        "label,total,m0,m1\nchirp,5,4,1\n",
        Files.readString(c.resolve("aggregate").resolve("quicklook.csv")));
  }

  @Test
  void monitorTakesTheTelemetryAsItsArgument() throws Exception {
    Path c = chunkDir();
    run("infer", "orchestrate", c.toString(), "--apply", "--run-command", "fixture infer-run");
    BeamlineCliTest.Result r = run("infer", "monitor", c.resolve("telemetry").toString());
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("(2 files, 5 attempts, 5 chunks)"));
    assertThat(r.out(), containsString("chunks: 5 succeeded, 0 failed"));
    BeamlineCliTest.Result missing = run("infer", "monitor", dir.resolve("nope.jsonl").toString());
    assertEquals(2, missing.code());
    assertEquals(1, missing.errLines().size(), missing.err());
    assertThat(missing.err(), containsString("telemetry not found"));
  }
}
