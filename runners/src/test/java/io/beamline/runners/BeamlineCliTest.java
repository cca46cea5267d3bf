package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeamlineCliTest {
  @TempDir Path dir;

  /** Exit status and what was printed. */
  record Result(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new Beamline(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private List<Path> runDirs() throws Exception {
    Path runs = dir.resolve("runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(runs)) {
      return s.toList();
    }
  }

  @Test
  void helpListsEverySubcommand() {
    Result r = run("--help");
    assertEquals(0, r.code());
    for (String c : List.of("demo", "plan", "constellation", "regions", "infer", "stream")) {
      assertThat(r.out(), containsString("  " + c + " "));
    }
  }

  @Test
  void versionNamesProjectAndBeam() {
    Result r = run("--version");
    assertEquals(0, r.code());
    assertThat(r.out(), containsString("beamline 0.1.0"));
    assertThat(r.out(), containsString("Beam 2.62.0"));
  }

  @Test
  void noSubcommandPrintsUsageAndFails() {
    Result r = run();
    assertEquals(2, r.code());
    assertThat(r.out(), containsString("Usage: beamline"));
  }

  @Test
  void unknownFlagIsOneLineNamingTheFlag() {
    Result r = run("demo", "--output-dir", dir.toString(), "--frobnicate=3");
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertEquals(
        "beamline demo: unknown flag --frobnicate; run 'beamline demo --help' for the flags",
        r.errLines().get(0));
    assertTrue(runDirsQuiet().isEmpty());
  }

  @Test
  void runnerOptionsAreFlagsWithTheirRunnersDescription() {
    Result r = run("stream", "process", "--help");
    assertEquals(0, r.code());
    // Beam's own text, not an array's toString ("[Ljava.lang.String;@...", before).
    assertThat(r.out(), containsString("SparkRunner: Batch default storage level"));
    assertThat(r.out(), containsString("FlinkRunner: Address of the Flink Master"));
    assertThat(r.out(), containsString("--object-reuse"));
    assertFalse(r.out().contains("[Ljava.lang.String;"), r.out());
  }

  @Test
  void constellationRunsOnFlinkOnlyWithStreaming() {
    Result r =
        run(
            "constellation",
            "--output-dir",
            dir.toString(),
            "--subject-id=s1",
            "--session-id=a",
            "--duration=1",
            "--runner=FlinkRunner");
    assertEquals(2, r.code());
    assertEquals(
        List.of(
            "beamline constellation: constellation runs on the FlinkRunner with --streaming only;"
                + " add --streaming, or run the batch session on the DirectRunner (the default) or"
                + " the SparkRunner"),
        r.errLines());
    assertTrue(runDirsQuiet().isEmpty());
  }

  @Test
  void flinkRunnerIsRefusedWhereItIsNotSupportedAndNothingIsWritten() {
    Result r =
        run("demo", "--output-dir", dir.toString(), "--runner=FlinkRunner", "--parallelism=2");
    assertEquals(2, r.code());
    assertEquals(
        List.of(
            "beamline demo: --runner=FlinkRunner is supported by stream process and constellation"
                + " --streaming only; run this"
                + " pipeline on the DirectRunner (the default) or the SparkRunner"
                + " (--runner=SparkRunner)"),
        r.errLines());
    assertTrue(runDirsQuiet().isEmpty());
  }

  @Test
  void testbedRefusesAProcessRunnerItCannotRunAndStartsNothing() {
    Path tb = dir.resolve("tb");
    Result r =
        run("stream", "testbed", "start", "--dir", tb.toString(), "--process-runner", "Spark");
    assertEquals(2, r.code());
    assertEquals(
        List.of(
            "beamline stream testbed: --process-runner must be one of DirectRunner, FlinkRunner,"
                + " got 'Spark'"),
        r.errLines());
    assertFalse(Files.exists(tb));
  }

  @Test
  void helpWithAPercentSignPrintsNoPicocliWarning() {
    // Picocli writes its "Could not format" warnings to System.err itself, not to our writer.
    java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    Result r;
    System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      r = run("constellation", "--help");
    } finally {
      System.setErr(saved);
    }
    assertEquals(0, r.code());
    assertThat(r.out(), containsString("Drop ~5% of packets"));
    assertEquals("", stderr.toString(java.nio.charset.StandardCharsets.UTF_8) + r.err());
  }

  @Test
  void mistypedRequiredFlagIsNamedWithTheFlagMeant() {
    // Picocli alone reports the required --start-region as missing, not the typo.
    Result r =
        run("regions", "--start-regoin", "0", "--end-region", "2", "--output-dir", dir.toString());
    assertEquals(2, r.code());
    assertEquals(
        List.of("beamline regions: unknown flag --start-regoin; did you mean --start-region?"),
        r.errLines());
    assertFalse(Files.exists(dir.resolve("runs")));
  }

  @Test
  void mistypedFlagIsMatchedInEverySpelling() {
    // Snake and camel spellings are made kebab first; the message names the flag as typed.
    for (String typed : List.of("--start_regoin", "--startRegoin", "--region-start")) {
      Result r = run("regions", typed, "0", "--end-region", "2", "--output-dir", dir.toString());
      assertEquals(2, r.code(), typed);
      assertEquals(
          List.of("beamline regions: unknown flag " + typed + "; did you mean --start-region?"),
          r.errLines());
    }
    Result eq = run("demo", "--secnods=3", "--output-dir", dir.toString());
    assertEquals(
        List.of("beamline demo: unknown flag --secnods; did you mean --seconds?"), eq.errLines());
    Result plan = run("plan", "demo", "--outptu-dir", dir.toString());
    assertEquals(
        List.of("beamline plan demo: unknown flag --outptu-dir; did you mean --output-dir?"),
        plan.errLines());
  }

  @Test
  void mistypedToolFlagIsNamedWithTheFlagMeant() {
    Result r = run("infer", "monitor", "--folow", dir.resolve("t.jsonl").toString());
    assertEquals(2, r.code());
    assertEquals(
        List.of("beamline infer monitor: unknown flag --folow; did you mean --follow?"),
        r.errLines());
  }

  @Test
  void mistypedCommandIsNamedWithTheCommandMeant() {
    Result r = run("infer", "rnu", "--manifest", "m.csv");
    assertEquals(2, r.code());
    assertEquals(List.of("beamline infer: unknown command 'rnu'; did you mean run?"), r.errLines());
    Result top = run("demmo");
    assertEquals(2, top.code());
    assertEquals(List.of("beamline: unknown command 'demmo'; did you mean demo?"), top.errLines());
    Result grouped = run("chunk", "--recordings", "r");
    assertEquals(
        List.of("beamline: unknown command 'chunk'; did you mean infer chunk?"),
        grouped.errLines());
    Result none = run("infer", "xyz");
    assertEquals(
        List.of(
            "beamline infer: unknown command 'xyz'; commands: chunk, run, aggregate, train,"
                + " orchestrate, monitor, import"),
        none.errLines());
  }

  @Test
  void flagValuesAreNotTakenForFlags() {
    // "--seconds 3" and a boolean's "true" are values, not unknown words; --nope is the one.
    Result r =
        run(
            "constellation",
            "--no-kafka",
            "true",
            "--duration",
            "3",
            "--nope",
            "--output-dir",
            "x");
    assertEquals(
        List.of(
            "beamline constellation: unknown flag --nope; run 'beamline constellation --help'"
                + " for the flags"),
        r.errLines());
  }

  private List<Path> runDirsQuiet() {
    try {
      return runDirs();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void badValueIsOneLineNamingTheFlag() {
    Result r = run("demo", "--output-dir", dir.toString(), "--sensors", "many");
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), containsString("--sensors"));
    assertThat(r.err(), containsString("many"));
  }

  @Test
  void missingInputFileIsOneLineAndNothingRuns() throws Exception {
    Result r =
        run(
            "demo",
            "--output-dir",
            dir.toString(),
            "--input",
            dir.resolve("absent.csv").toString());
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), containsString("input file not found: " + dir.resolve("absent.csv")));
    assertEquals(List.of(), runDirs());
  }

  @Test
  void unwritableOutputDirectoryIsOneLine() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r = run("demo", "--output-dir", file.resolve("sub").toString());
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), containsString("output directory is not writable"));
  }

  @Test
  void planWritesThePlanAndRunsNothing() throws Exception {
    Result r = run("plan", "demo", "--output-dir", dir.toString(), "--sensors", "3");
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("pipeline demo:"));
    assertThat(r.out(), containsString("nothing was run"));
    List<Path> runs = runDirs();
    assertEquals(1, runs.size());
    assertTrue(Files.isRegularFile(runs.get(0).resolve("plan.json")));
    assertTrue(Files.isRegularFile(runs.get(0).resolve("plan.dot")));
    assertThat(
        Files.readString(runs.get(0).resolve("options.json")), containsString("\"sensors\" : 3"));
    assertFalse(Files.exists(runs.get(0).resolve("metrics.json")));
    assertFalse(Files.exists(dir.resolve("demo")));
  }

  @Test
  void aFlinkRunsConfigRecordsItsSettingsButNotItsOwnDirectory() throws Exception {
    Result r =
        run(
            "plan",
            "stream",
            "process",
            "--broker",
            "127.0.0.1:9",
            "--output-dir",
            dir.toString(),
            "--runner=FlinkRunner");
    assertEquals(0, r.code(), r.err());
    List<Path> runs = runDirs();
    assertEquals(1, runs.size());
    String config = Files.readString(runs.get(0).resolve("config.yaml"));
    assertThat(config, containsString("runner: FlinkRunner"));
    assertThat(config, containsString("auto-watermark-interval: 200"));
    assertThat(config, containsString("object-reuse: true"));
    // The embedded cluster's directory is this run's alone: a repeat from config.yaml makes its
    // own.
    assertFalse(config.contains("flink-conf-dir"), config);
  }

  @Test
  void planCanPrintDot() {
    Result r = run("plan", "--format", "dot", "demo", "--output-dir", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), startsWith("digraph \"demo\""));
  }

  @Test
  void planRejectsAnUnknownFormat() {
    Result r = run("plan", "--format", "svg", "demo", "--output-dir", dir.toString());
    assertEquals(2, r.code());
    assertThat(r.err(), containsString("--format must be text, dot or json, got 'svg'"));
  }

  @Test
  void planWithoutPipelineIsAUsageError() {
    Result r = run("plan");
    assertEquals(2, r.code());
    assertThat(r.err(), containsString("name a pipeline"));
  }

  @Test
  void demoRunsWithEveryFlagSpelling() throws Exception {
    Result r =
        run(
            "demo",
            "--output-dir=" + dir,
            "--sensors",
            "2",
            "--rate_hz",
            "50",
            "--windowSeconds=2",
            "--seconds=4",
            "--run-id",
            "spellings");
    assertEquals(0, r.code(), r.err());
    assertThat(r.out(), containsString("run spellings succeeded (DirectRunner)"));
    String options = Files.readString(dir.resolve("runs/spellings/options.json"));
    assertThat(options, containsString("\"rateHz\" : 50.0"));
    assertThat(options, containsString("\"windowSeconds\" : 2.0"));
    assertTrue(
        Files.isRegularFile(dir.resolve("demo/window_stats/window_stats-00000-of-00001.parquet")));
  }

  @Test
  void testRunsKeepTheDirectRunnersChecksAndFlagsWin() throws Exception {
    // The build sets BEAMLINE_DIRECT_CHECKS for the tests (DirectTuning); production runs
    // (DirectTuningIT) have both checks off.
    assertEquals(0, run("plan", "demo", "--output-dir=" + dir, "--run-id=tests").code());
    String options = Files.readString(dir.resolve("runs/tests/options.json"));
    assertThat(options, containsString("\"enforceImmutability\" : true"));
    assertThat(options, containsString("\"enforceEncodability\" : true"));
    assertThat(
        options,
        containsString(
            "\"targetParallelism\" : " + (Runtime.getRuntime().availableProcessors() + 1) + ","));
    Result given =
        run(
            "plan",
            "demo",
            "--output-dir=" + dir,
            "--run-id=given",
            "--enforce-immutability=false",
            "--target-parallelism=7");
    assertEquals(0, given.code(), given.err());
    String g = Files.readString(dir.resolve("runs/given/options.json"));
    assertThat(g, containsString("\"enforceImmutability\" : false"));
    assertThat(g, containsString("\"enforceEncodability\" : true"));
    assertThat(g, containsString("\"targetParallelism\" : 7,"));
  }

  @Test
  void streamDaqNeedsABrokerAndUnknownFlagsAreNamed() {
    Result r = run("stream", "daq", "--no-realtime");
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), containsString("--broker"));
    Result g = run("stream");
    assertEquals(2, g.code());
    assertThat(g.err() + g.out(), containsString("daq"));
  }

  @Test
  void unknownFlagsOfSeedCommandsAreOneLineErrors() {
    Result c = run("constellation", "--no-kafka", "--duration", "5", "--bad-flag");
    assertEquals(2, c.code());
    assertThat(c.err(), containsString("unknown flag --bad-flag"));
  }

  @Test
  void regionsRunsWithTheSeedsSpelling() throws Exception {
    // The pipeline's per-region status lines go to the process's stdout, like the seed's.
    java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.out;
    Result r;
    System.setOut(new java.io.PrintStream(stdout, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      r =
          run(
              "regions",
              "--start_region",
              "0",
              "--end_region",
              "2",
              "--synthetic_regions",
              "6",
              "--synthetic_channels",
              "8",
              "--segment_ms",
              "2500",
              "--segments",
              "2",
              "--iterations",
              "0",
              "--output_dir",
              dir.toString(),
              "--run-id",
              "regions-cli");
    } finally {
      System.setOut(saved);
    }
    assertEquals(0, r.code(), r.err());
    assertThat(
        r.out(), containsString("run regions-cli succeeded (DirectRunner, 2 items committed)"));
    String progress = stdout.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(progress, containsString("# Processing Region 1 (2/2)"));
    assertThat(
        progress, containsString("# Summary: regions 0..1: 2 succeeded, 0 failed, 0 skipped"));
    // The final table (printed by the driver after the run): one line per region.
    assertTrue(progress.matches("(?s).*region\\s+label\\s+status\\s+spikes\\s+seconds\n.*"));
    assertTrue(progress.matches("(?s).*\n\\s+1\\s+\\S+\\s+succeeded\\s+\\d+\\s+\\d+\\.\\d\\d\n.*"));
    for (int region = 0; region < 2; region++) {
      assertTrue(
          Files.isRegularFile(
              dir.resolve("nmm_spikes/clip_info/iter0/iter_0_i_" + region + ".mat")));
    }
    assertThat(
        Files.readString(dir.resolve("regions_summary.json")),
        containsString("\"succeeded\" : [ 0, 1 ]"));
  }

  @Test
  void regionsRejectsAMissingLeadfieldOnOneLine() throws Exception {
    Path zip = dir.resolve("conn.zip");
    Files.write(zip, new byte[] {'P', 'K'});
    Result r =
        run(
            "regions",
            "--start-region",
            "0",
            "--end-region",
            "2",
            "--connectivity",
            zip.toString(),
            "--leadfield",
            dir.resolve("lf.mat").toString(),
            "--output-dir",
            dir.toString());
    assertEquals(2, r.code());
    assertEquals(1, r.errLines().size(), r.err());
    assertThat(r.err(), containsString("lf.mat"));
    assertTrue(runDirs().isEmpty());
  }

  @Test
  void sparkSubmitMasterBecomesTheDefaultRunner() {
    System.setProperty("spark.master", "local[3]");
    try {
      assertEquals(
          List.of("--outputDir=x", "--runner=SparkRunner", "--sparkMaster=local[3]"),
          Beamline.underSparkSubmit(List.of("--outputDir=x", "--sparkMaster=local[9]")));
      assertEquals(
          List.of("--runner=DirectRunner", "--sparkMaster=local[3]"),
          Beamline.underSparkSubmit(List.of("--runner=DirectRunner")));
    } finally {
      System.clearProperty("spark.master");
    }
    assertEquals(List.of("--a=1"), Beamline.underSparkSubmit(List.of("--a=1")));
  }

  @Test
  void inferChunkHelpListsItsFlags() {
    Result group = run("infer", "--help");
    assertEquals(0, group.code(), group.err());
    assertThat(group.out(), containsString("  chunk "));
    Result r = run("infer", "chunk", "--help");
    assertEquals(0, r.code(), r.err());
    for (String flag :
        List.of(
            "--recordings",
            "--chunk-seconds",
            "--overlap-seconds",
            "--target-rate",
            "--partial",
            "--output-dir")) {
      assertThat(r.out(), containsString(flag));
    }
    assertThat(r.out(), containsString("(default: 28000)"));
    Result bare = run("infer");
    assertEquals(2, bare.code());
    assertEquals(1, bare.errLines().size(), bare.err());
    assertThat(
        bare.err(), containsString("beamline infer: name a command, e.g. 'beamline infer chunk'"));
    Result missing = run("infer", "chunk", "--output-dir", dir.toString());
    assertEquals(2, missing.code());
    assertEquals(1, missing.errLines().size(), missing.err());
    assertThat(missing.err(), containsString("--recordings"));
  }

  @Test
  void inferChunkRunsAndPlans() throws Exception {
    Path rec = dir.resolve("recordings");
    float[][] x = new float[2][16_000 * 4];
    for (int i = 0; i < x[0].length; i++) {
      x[0][i] = (float) Math.sin(i * 0.05);
      x[1][i] = (float) Math.cos(i * 0.03);
    }
    io.beamline.io.audio.WavWriter.write(
        rec.resolve("site1.wav"),
        io.beamline.io.audio.Audio.of(16_000, x),
        io.beamline.io.audio.WavEncoding.PCM_16);
    Path out = dir.resolve("out");
    Result plan =
        run(
            "plan",
            "infer",
            "chunk",
            "--recordings",
            rec.toString(),
            "--output-dir",
            out.toString());
    assertEquals(0, plan.code(), plan.err());
    assertThat(plan.out(), containsString("ChunkRecordings"));
    assertFalse(Files.exists(out.resolve("manifests")));
    Result r =
        run(
            "infer",
            "chunk",
            "--recordings",
            rec.toString(),
            "--output_dir",
            out.toString(),
            "--chunk-seconds",
            "3",
            "--partial",
            "drop",
            "--run-id",
            "chunk-cli");
    assertEquals(0, r.code(), r.err());
    assertThat(
        r.out(),
        containsString(
            "beamline infer chunk: run chunk-cli succeeded (DirectRunner, 1 item committed)"));
    assertEquals(
        List.of("site1_0_3000.wav"),
        Files.list(out.resolve("chunks/site1")).map(f -> f.getFileName().toString()).toList());
    assertThat(
        Files.readString(out.resolve("manifests/site1.chunk_status.json")),
        containsString("\"status\" : \"completed\""));
    assertThat(
        Files.readString(out.resolve("runs/chunk-cli/manifest.json")),
        containsString("manifests/site1.csv"));
  }
}
