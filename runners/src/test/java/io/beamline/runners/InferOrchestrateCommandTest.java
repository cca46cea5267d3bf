package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.io.audio.Audio;
import io.beamline.io.audio.WavEncoding;
import io.beamline.io.audio.WavWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beamline infer orchestrate} with seed 002's own commands, pasted with {@code beamline} in
 * place of {@code badc}: the {@code --apply --stub-runner --no-record-datalad} run and its {@code
 * --resume-completed} follow-up with the real {@code infer run}, the {@code --sockeye-*} script
 * command from a working directory as the seed runs it, the exit status of {@code --apply} when
 * runs end partial or fail, and {@code --record-datalad} with the real DataLad.
 */
class InferOrchestrateCommandTest {
  @TempDir Path dir;

  /** Two 4 s recordings chunked into {@code <dir>/data/datalad/bogus} with the seed's --output. */
  private Path bogusDataset() throws Exception {
    return bogusDataset(dir);
  }

  /** {@link #bogusDataset()} under {@code dir}. */
  static Path bogusDataset(Path dir) throws Exception {
    Path rec = dir.resolve("recordings");
    for (String site : List.of("XXXX-000_20251001_093000", "XXXX-001_20251001_093000")) {
      float[][] x = new float[1][22_050 * 4];
      for (int i = 0; i < x[0].length; i++) {
        x[0][i] = (float) (0.3 * Math.sin(i * 0.7) * (i % 22_050 < 5000 ? 1 : 0.05));
      }
      WavWriter.write(rec.resolve(site + ".wav"), Audio.of(22_050, x), WavEncoding.PCM_16);
    }
    Path ds = dir.resolve("data/datalad/bogus");
    BeamlineCliTest.Result chunked =
        BeamlineCliTest.run(
            "infer", "chunk", "--recordings", rec.toString(), "--output", ds.toString());
    assertEquals(0, chunked.code(), chunked.err());
    return ds;
  }

  @Test
  void theSeedsApplyCommandAndItsResumeFollowUpRunAsPasted() throws Exception {
    Path ds = bogusDataset();
    // badc infer orchestrate data/datalad/bogus --manifest-dir manifests --include-existing
    //     --apply --stub-runner --no-record-datalad
    BeamlineCliTest.Result r =
        BeamlineCliTest.run(
            "infer",
            "orchestrate",
            ds.toString(),
            "--manifest-dir",
            "manifests",
            "--include-existing",
            "--apply",
            "--stub-runner",
            "--no-record-datalad");
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("--stub-runner"));
    assertThat(r.out(), containsString("2 runs and the aggregation succeeded"));
    Path summary = ds.resolve("XXXX-000_20251001_093000.summary.json");
    assertTrue(Files.isRegularFile(summary));
    assertTrue(Files.isRegularFile(ds.resolve("aggregate/detections.duckdb")));

    // "A follow-up invocation adding --resume-completed reused that summary automatically".
    BeamlineCliTest.Result resumed =
        BeamlineCliTest.run(
            "infer",
            "orchestrate",
            ds.toString(),
            "--manifest-dir",
            "manifests",
            "--include-existing",
            "--apply",
            "--stub-runner",
            "--no-record-datalad",
            "--resume-completed");
    assertEquals(0, resumed.code(), resumed.err());
    assertThat(resumed.out(), containsString("--resume-summary " + summary));

    // Without --include-existing the inferred recordings are left out; the aggregation still runs.
    BeamlineCliTest.Result existing =
        BeamlineCliTest.run("infer", "orchestrate", ds.toString(), "--apply", "--stub-runner");
    assertEquals(0, existing.code(), existing.err());
    assertThat(
        existing.out(),
        containsString("skipping XXXX-000_20251001_093000: already inferred (summary " + summary));
    assertThat(existing.out(), containsString("nothing to run"));
    assertThat(existing.out(), not(containsString("beamline infer run")));
  }

  /** Runs this build's command line in a new JVM in {@code cwd} with extra environment. */
  static BeamlineCliTest.Result cli(Path cwd, Map<String, String> env, String... args)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.beamline.runners.Beamline"));
    cmd.addAll(List.of(args));
    return process(cmd, cwd, env);
  }

  static BeamlineCliTest.Result process(List<String> cmd, Path cwd, Map<String, String> env)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().putAll(env);
    Path out = Files.createTempFile("cli", ".out");
    Path err = Files.createTempFile("cli", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(cmd.get(0) + " did not finish in 300 s");
    }
    BeamlineCliTest.Result r =
        new BeamlineCliTest.Result(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  @Test
  void theSeedsSockeyeCommandWritesTheScriptWhereTheSeedSays() throws Exception {
    Path ds = bogusDataset();
    Files.writeString(ds.resolve("XXXX-000_20251001_093000.summary.json"), "{\"chunks\":{}}");
    // The seed's command, verbatim but for the program name, from the directory above data/.
    BeamlineCliTest.Result r =
        cli(
            dir,
            Map.of(),
            "infer",
            "orchestrate",
            "data/datalad/bogus",
            "--manifest-dir",
            "manifests",
            "--include-existing",
            "--sockeye-script",
            "artifacts/sockeye/bogus_bundle.sh",
            "--sockeye-job-name",
            "badc-bogus",
            "--sockeye-account",
            "pi-fresh",
            "--sockeye-partition",
            "gpu",
            "--sockeye-gres",
            "gpu:4",
            "--sockeye-time",
            "06:00:00",
            "--sockeye-cpus-per-task",
            "8",
            "--sockeye-mem",
            "64G",
            "--sockeye-resume-completed",
            "--sockeye-bundle",
            "--sockeye-bundle-aggregate-dir",
            "artifacts/aggregate",
            "--sockeye-bundle-bucket-minutes",
            "30");
    assertEquals(0, r.code(), r.err());
    Path script = dir.resolve("artifacts/sockeye/bogus_bundle.sh");
    assertThat(r.out(), containsString("submit it with: sbatch " + script));
    String text = Files.readString(script);
    List<String> sbatch =
        text.lines().filter(l -> l.startsWith("#SBATCH ")).map(l -> l.substring(8)).toList();
    assertEquals(
        List.of(
            "--job-name=badc-bogus",
            "--array=0-1",
            "--output=" + ds.resolve("slurm-logs") + "/%A_%a.out",
            "--time=06:00:00",
            "--cpus-per-task=8",
            "--mem=64G",
            "--partition=gpu",
            "--account=pi-fresh",
            "--gres=gpu:4"),
        sbatch);
    assertThat(text, containsString("RESUME_COMPLETED=1"));
    assertThat(text, containsString("BUNDLE=1"));
    assertThat(
        text,
        containsString(
            "AGGREGATE_ARGS=(--input "
                + ds
                + " --output-dir "
                + dir.resolve("artifacts/aggregate")
                + " --bucket-minutes 30)"));
    // Task 0 resumes from the summary its recording's earlier run left.
    Map<String, String> env = new HashMap<>();
    env.put("SLURM_ARRAY_TASK_ID", "0");
    env.put("BEAMLINE_CMD", "printf [%s]\\n");
    BeamlineCliTest.Result task = process(List.of("bash", script.toString()), dir, env);
    assertEquals(0, task.code(), task.err());
    assertThat(
        task.out(),
        containsString(
            "[--resume-summary]\n[" + ds.resolve("XXXX-000_20251001_093000.summary.json") + "]"));

    // --sockeye-log-dir: SLURM logs, telemetry and summaries in one directory.
    BeamlineCliTest.Result logs =
        cli(
            dir,
            Map.of(),
            "infer",
            "orchestrate",
            "data/datalad/bogus",
            "--include-existing",
            "--sockeye-script",
            "artifacts/sockeye/logs.sh",
            "--sockeye-log-dir",
            "scratch/logs");
    assertEquals(0, logs.code(), logs.err());
    String logText = Files.readString(dir.resolve("artifacts/sockeye/logs.sh"));
    Path logDir = dir.resolve("scratch/logs");
    assertThat(logText, containsString("#SBATCH --output=" + logDir + "/%A_%a.out"));
    assertThat(logText, containsString("RUNS_LOG_DIR=1"));
    assertThat(
        logText,
        containsString(
            "RESUMES=("
                + logDir.resolve("XXXX-000_20251001_093000.summary.json")
                + " "
                + logDir.resolve("XXXX-001_20251001_093000.summary.json")
                + ")"));
    assertThat(
        Files.readString(ds.resolve("orchestrate_plan.csv")),
        containsString("--log-dir " + logDir));
  }

  /** Flags of {@link ExitRun}. */
  public interface ExitRunOptions extends BeamlineToolOptions {
    @Description("Chunk manifest CSV")
    @Validation.Required
    String getManifest();

    void setManifest(String v);

    @Description("Output directory")
    @Validation.Required
    String getOutputDir();

    void setOutputDir(String v);
  }

  /**
   * A run command that ends with the exit status written next to its manifest ({@code <stem>.exit},
   * 0 when absent): the statuses {@code infer run} gives (0, 3 partial, 1 failed), so that {@code
   * --apply}'s handling of each is checked whatever the inference does.
   */
  static final class ExitRun implements BeamlineTool<ExitRunOptions> {
    @Override
    public List<String> commandPath() {
      return List.of("fixture", "exit-run");
    }

    @Override
    public String summary() {
      return "Ends with the exit status written next to the manifest (tests)";
    }

    @Override
    public Class<ExitRunOptions> optionsClass() {
      return ExitRunOptions.class;
    }

    @Override
    public int run(ExitRunOptions o, PrintWriter out, PrintWriter err) throws Exception {
      Path manifest = Path.of(o.getManifest());
      Path exit =
          manifest.resolveSibling(manifest.getFileName().toString().replace(".csv", ".exit"));
      return Files.isRegularFile(exit) ? Integer.parseInt(Files.readString(exit).strip()) : 0;
    }
  }

  private BeamlineCliTest.Result withExitRun(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<BeamlineTool<?>> tools = new ArrayList<>(PipelineRegistry.tools());
    tools.add(new ExitRun());
    int code =
        new Beamline(new PrintWriter(out, true), new PrintWriter(err, true), tools).execute(args);
    return new BeamlineCliTest.Result(code, out.toString(), err.toString());
  }

  @Test
  void applyExitsThreeWhenRunsEndPartialAndOneWhenOneFails() throws Exception {
    Path ds = bogusDataset();
    Path manifests = ds.resolve("manifests");
    String[] apply = {
      "infer", "orchestrate", ds.toString(), "--apply", "--run-command", "fixture exit-run"
    };
    Files.writeString(manifests.resolve("XXXX-001_20251001_093000.exit"), "3");
    BeamlineCliTest.Result partial = withExitRun(apply);
    assertEquals(3, partial.code(), partial.err());
    assertThat(
        partial.err(),
        containsString("1 of 2 runs ended partial (some chunks failed, see above):"));
    assertThat(partial.err(), containsString("aggregation skipped"));
    assertThat(partial.out(), not(containsString("[aggregate]")));

    Files.writeString(manifests.resolve("XXXX-000_20251001_093000.exit"), "1");
    BeamlineCliTest.Result failed = withExitRun(apply);
    assertEquals(1, failed.code(), failed.err());
    assertThat(
        failed.err(), containsString("1 of 2 runs failed: XXXX-000_20251001_093000 (exit 1)"));
    assertThat(failed.err(), containsString("1 of 2 runs ended partial"));

    Files.delete(manifests.resolve("XXXX-000_20251001_093000.exit"));
    Files.delete(manifests.resolve("XXXX-001_20251001_093000.exit"));
    // Every run succeeded: the aggregation runs, and its own failure (these runs wrote no
    // detections) fails the command.
    BeamlineCliTest.Result ok = withExitRun(apply);
    assertThat(ok.out(), containsString("[aggregate] beamline infer aggregate"));
    assertEquals(1, ok.code(), ok.err());
    assertThat(ok.err(), containsString("aggregation failed (exit 2)"));
  }

  /** Skips without datalad, unless BEAMLINE_REQUIRE_INTEROP=1 (CI), where it fails. */
  static void requireDatalad() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "datalad"))) {
        return;
      }
    }
    if ("1".equals(System.getenv("BEAMLINE_REQUIRE_INTEROP"))) {
      fail("datalad is not on the PATH but BEAMLINE_REQUIRE_INTEROP=1 requires it");
    }
    Assumptions.abort("datalad is not on the PATH; set BEAMLINE_REQUIRE_INTEROP=1 to fail");
  }

  @Test
  void recordDataladWithoutDataladIsAOneLineRefusal() throws Exception {
    Path ds = bogusDataset();
    BeamlineCliTest.Result r =
        cli(
            dir,
            Map.of("PATH", dir.resolve("no-tools").toString()),
            "infer",
            "orchestrate",
            ds.toString(),
            "--apply",
            "--record-datalad");
    assertEquals(2, r.code(), r.err());
    assertEquals(
        "beamline infer orchestrate: --record-datalad needs the 'datalad' command, and it is not on"
            + " the PATH; install DataLad (e.g. apt-get install datalad) or drop --record-datalad",
        r.err().strip());
    assertTrue(Files.notExists(ds.resolve("orchestrate_plan.csv")), "nothing is written");
  }
}
