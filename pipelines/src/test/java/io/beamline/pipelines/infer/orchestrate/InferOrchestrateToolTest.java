package io.beamline.pipelines.infer.orchestrate;

import static io.beamline.pipelines.infer.InferToolsTestData.writeManifest;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.UserInputException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infer orchestrate}: scanning, refusal, the plan files and the SLURM array script. */
class InferOrchestrateToolTest {
  @TempDir Path dir;

  private final ObjectMapper json = new ObjectMapper();

  /** rec-a (4 chunks) and rec-b (2) completed; rec-c in progress; rec-d failed, no manifest. */
  private Path chunkDir() throws Exception {
    Path c = dir.resolve("chunks out");
    writeManifest(c, "rec-a", 4, "completed");
    writeManifest(c, "rec-b", 2, "completed");
    writeManifest(c, "rec-c", 3, "in_progress");
    Files.writeString(
        c.resolve("manifests").resolve("rec-d.chunk_status.json"),
        "{\"status\": \"failed\", \"reason\": \"truncated WAV\"}");
    return c;
  }

  private record Result(int code, String out) {}

  private static Result run(String... args) throws Exception {
    StringWriter out = new StringWriter();
    int code =
        new InferOrchestrateTool()
            .run(
                PipelineOptionsFactory.fromArgs(args)
                    .withValidation()
                    .as(InferOrchestrateOptions.class),
                new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
    return new Result(code, out.toString());
  }

  @Test
  void commandIsInferOrchestrateWithAPositionalDirectory() {
    InferOrchestrateTool t = new InferOrchestrateTool();
    assertTrue(
        t.commandPath().equals(List.of("infer", "orchestrate"))
            && "directory".equals(t.positional()));
  }

  @Test
  void refusesRecordingsNotCompletelyChunked() throws Exception {
    Path c = chunkDir();
    UserInputException e = assertThrows(UserInputException.class, () -> run("--directory=" + c));
    assertEquals(
        "recordings not completely chunked: rec-c (in_progress), rec-d (failed: truncated WAV);"
            + " finish 'beamline infer chunk' for them or pass --allow-partial-chunks",
        e.getMessage());
    assertFalse(Files.exists(c.resolve(InferOrchestrateTool.PLAN_CSV)), "nothing is written");

    Files.delete(c.resolve("manifests").resolve("rec-b.chunk_status.json"));
    Files.delete(c.resolve("manifests").resolve("rec-d.chunk_status.json"));
    e = assertThrows(UserInputException.class, () -> run("--directory=" + c));
    assertThat(e.getMessage(), containsString("rec-b (no chunk_status.json), rec-c (in_progress)"));
  }

  @Test
  void plansOneRunPerManifestWithResumeSummaries() throws Exception {
    Path c = chunkDir();
    Path runOut = dir.resolve("runs");
    Files.createDirectories(runOut.resolve("telemetry"));
    Files.writeString(runOut.resolve("rec-a.summary.json"), "{\"chunks\":{}}");
    Files.writeString(runOut.resolve("telemetry").resolve("rec-b.summary.json"), "{\"chunks\":{}}");

    // By default recordings that were inferred already are left out, as in the seed.
    Result fresh = run("--directory=" + c, "--allowPartialChunks", "--runOutputDir=" + runOut);
    assertThat(
        fresh.out(),
        containsString(
            "skipping rec-a: already inferred (summary "
                + runOut.resolve("rec-a.summary.json")
                + "); --include-existing plans it again"));
    JsonNode freshPlan = json.readTree(runOut.resolve(InferOrchestrateTool.PLAN_JSON).toFile());
    assertEquals(1, freshPlan.get("runs").size());
    assertEquals("rec-c", freshPlan.get("runs").get(0).get("recording_id").asText());

    // --include-existing without --resume-completed: planned again, every chunk redone.
    run(
        "--directory=" + c,
        "--allowPartialChunks",
        "--runOutputDir=" + runOut,
        "--includeExisting");
    JsonNode again = json.readTree(runOut.resolve(InferOrchestrateTool.PLAN_JSON).toFile());
    assertEquals(3, again.get("runs").size());
    assertTrue(again.get("runs").get(0).get("resume_summary").isNull());
    assertThat(again.get("runs").get(0).get("command").asText(), not(containsString("--resume")));

    Result r =
        run(
            "--directory=" + c,
            "--allowPartialChunks",
            "--runOutputDir=" + runOut,
            "--includeExisting",
            "--resumeCompleted",
            "--runArgs=--model models/birdcall",
            "--bucketMinutes=5");
    assertEquals(0, r.code());
    assertThat(r.out(), containsString("skipping rec-d: no manifest (chunk status failed"));
    assertThat(r.out(), containsString("nothing was run"));
    String manifests = c.resolve("manifests").toString();
    List<String> a =
        List.of(
            "infer",
            "run",
            "--manifest",
            manifests + "/rec-a.csv",
            "--output-dir",
            runOut.toString(),
            "--resume-summary",
            runOut + "/rec-a.summary.json",
            "--model",
            "models/birdcall");
    JsonNode plan = json.readTree(runOut.resolve(InferOrchestrateTool.PLAN_JSON).toFile());
    assertEquals(3, plan.get("runs").size());
    assertEquals(a, strings(plan.get("runs").get(0).get("args")));
    assertEquals(
        runOut + "/telemetry/rec-b.summary.json",
        plan.get("runs").get(1).get("resume_summary").asText());
    assertTrue(plan.get("runs").get(2).get("resume_summary").isNull());
    assertEquals("in_progress", plan.get("runs").get(2).get("chunk_status").asText());
    assertEquals(3, plan.get("runs").get(2).get("chunks").asInt());
    assertEquals(
        List.of(
            "infer",
            "aggregate",
            "--input",
            runOut.toString(),
            "--output-dir",
            runOut.toString(),
            "--bucket-minutes",
            "5"),
        strings(plan.get("aggregate").get("args")));

    List<String> csv = Files.readAllLines(runOut.resolve(InferOrchestrateTool.PLAN_CSV));
    assertEquals("recording_id,manifest,chunks,chunk_status,resume_summary,command", csv.get(0));
    assertEquals(4, csv.size());
    assertEquals(
        "rec-a,"
            + manifests
            + "/rec-a.csv,4,completed,"
            + runOut
            + "/rec-a.summary.json,beamline infer run --manifest '"
            + manifests
            + "/rec-a.csv' --output-dir "
            + runOut
            + " --resume-summary "
            + runOut
            + "/rec-a.summary.json --model models/birdcall",
        csv.get(1));
    assertThat(csv.get(3), containsString("rec-c,"));
    assertThat(csv.get(3), containsString(",3,in_progress,,"));
    // The printed plan: one row per manifest, then the aggregation.
    assertThat(r.out(), containsString("rec-b.csv"));
    assertThat(r.out(), containsString("then: beamline infer aggregate --input " + runOut));
  }

  @Test
  void sparkRunnerIsPassedOnAndApplyNeedsTheCommandLine() throws Exception {
    Path c = dir.resolve("c");
    writeManifest(c, "rec-a", 1, "completed");
    run("--directory=" + c, "--inferRunner=SparkRunner", "--inferSparkMaster=local[2]");
    JsonNode plan = json.readTree(c.resolve(InferOrchestrateTool.PLAN_JSON).toFile());
    List<String> args = strings(plan.get("runs").get(0).get("args"));
    assertEquals(
        List.of("--runner=SparkRunner", "--spark-master=local[2]"),
        args.subList(args.size() - 2, args.size()));
    assertThat(
        plan.get("runs").get(0).get("command").asText(),
        containsString("'--spark-master=local[2]'"));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> run("--directory=" + c, "--apply"));
    assertThat(e.getMessage(), containsString("beamline infer orchestrate DIR --apply"));
  }

  @Test
  void badInputsAreOneLineUserErrors() throws Exception {
    assertThat(
        assertThrows(UserInputException.class, () -> run("--directory=" + dir.resolve("nope")))
            .getMessage(),
        containsString("directory not found"));
    assertThat(
        assertThrows(UserInputException.class, () -> run("--directory=" + dir)).getMessage(),
        containsString("no manifest directory " + dir.resolve("manifests")));
    Path c = dir.resolve("c");
    writeManifest(c, "rec-a", 1, "completed");
    assertThrows(
        UserInputException.class, () -> run("--directory=" + c, "--inferRunner=FlinkRunner"));
    assertThrows(UserInputException.class, () -> run("--directory=" + c, "--slurmPartition=gpu"));
    assertThrows(
        UserInputException.class,
        () -> run("--directory=" + c, "--slurmScript=" + dir.resolve("s.sh"), "--slurmTime=soon"));
    Files.writeString(c.resolve("manifests").resolve("rec-a.csv"), "a,b\n1,2\n");
    assertThat(
        assertThrows(UserInputException.class, () -> run("--directory=" + c)).getMessage(),
        containsString("lacks column(s) recording_id, chunk_id, source_path, start_s, end_s"));
  }

  @Test
  void manifestRowsOutsideTheDatasetOrMissingFilesAreRefusedBeforePlanning() throws Exception {
    Path c = chunkDir();
    Path manifest = c.resolve("manifests").resolve("rec-a.csv");
    String text = Files.readString(manifest);
    // A completed recording whose chunk file went missing: the dataset is broken.
    Files.delete(c.resolve("chunks/rec-a/rec-a_3000_6000.wav"));
    String msg =
        assertThrows(
                UserInputException.class,
                () -> run("--directory=" + c, "--allowPartialChunks=true"))
            .getMessage();
    assertThat(msg, containsString("rec-a.csv line 3: chunk file"));
    assertThat(msg, containsString("rec-a_3000_6000.wav not found;"));
    // A row that names a file outside the dataset, whatever the chunking status.
    Files.writeString(
        manifest, text.replace("chunks/rec-a/rec-a_0_3000.wav", "../../../etc/hostname"));
    msg =
        assertThrows(
                UserInputException.class,
                () -> run("--directory=" + c, "--allowPartialChunks=true"))
            .getMessage();
    assertThat(msg, containsString("rec-a.csv line 2: chunk path ../../../etc/hostname escapes"));
  }

  // ---- SLURM ----

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  record Bash(int code, String out, String err) {}

  static Bash bash(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("SLURM_ARRAY_TASK_ID");
    pb.environment().remove("SLURM_ARRAY_JOB_ID");
    pb.environment().remove("SLURM_CPUS_PER_TASK");
    pb.environment().putAll(env);
    Path outFile = Files.createTempFile("bash", ".out");
    Path errFile = Files.createTempFile("bash", ".err");
    pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bash finished");
    Bash b =
        new Bash(
            p.exitValue(),
            Files.readString(outFile, StandardCharsets.UTF_8),
            Files.readString(errFile, StandardCharsets.UTF_8));
    Files.delete(outFile);
    Files.delete(errFile);
    return b;
  }

  @Test
  void writesASlurmArrayScriptThatBashAccepts() throws Exception {
    Path c = chunkDir();
    Files.delete(c.resolve("manifests").resolve("rec-c.csv"));
    Files.delete(c.resolve("manifests").resolve("rec-c.chunk_status.json"));
    Files.delete(c.resolve("manifests").resolve("rec-d.chunk_status.json"));
    Path script = dir.resolve("jobs").resolve("infer.sh");
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    // With a log directory the runs' summaries are there: that is where RESUMES look.
    Files.writeString(logs.resolve("rec-a.summary.json"), "{}");
    Files.writeString(c.resolve("rec-b.summary.json"), "{}");
    Result r =
        run(
            "--directory=" + c,
            "--includeExisting",
            "--slurmResumeCompleted",
            "--stubRunner",
            "--slurmScript=" + script,
            "--slurmLogDir=" + logs,
            "--slurmPartition=gpu",
            "--slurmGres=gpu:1",
            "--slurmTime=02:00:00",
            "--slurmAccount=pi-fresh",
            "--slurmJar=/opt/beamline/beamline.jar",
            "--runArgs=--model /models/bird call");
    assertEquals(0, r.code());
    assertThat(r.out(), containsString("submit it with: sbatch " + script));
    assertThat(r.out(), not(containsString("nothing was run")));
    String text = Files.readString(script);
    List<String> sbatch =
        text.lines().filter(l -> l.startsWith("#SBATCH ")).map(l -> l.substring(8)).toList();
    assertEquals(
        List.of(
            "--job-name=beamline-infer",
            "--array=0-1",
            "--output=" + logs + "/%A_%a.out",
            "--time=02:00:00",
            "--cpus-per-task=4",
            "--mem=16G",
            "--partition=gpu",
            "--account=pi-fresh",
            "--gres=gpu:1"),
        sbatch);
    assertThat(text, containsString("\"$JAVA\" -jar \"$BEAMLINE_JAR\""));
    assertThat(text, containsString("--dependency=afterok:\"$SLURM_ARRAY_JOB_ID\""));
    assertThat(text, containsString("bash '$SCRIPT' aggregate"));
    assertTrue(Files.isExecutable(script));
    assertTrue(Files.isDirectory(logs), "SLURM needs the log directory before a task starts");
    Path list = script.resolveSibling("infer.sh.manifests.txt");
    assertEquals(
        List.of(
            c.resolve("manifests/rec-a.csv").toString(),
            c.resolve("manifests/rec-b.csv").toString()),
        Files.readAllLines(list));

    assertEquals(0, bash(Map.of(), "-n", script.toString()).code(), "bash -n accepts the script");

    Bash outside = bash(Map.of(), script.toString());
    assertEquals(2, outside.code());
    assertThat(outside.err(), containsString("sbatch " + script));

    // Task 0 runs rec-a with its resume summary; printf stands in for the jar to show the words.
    Bash task0 =
        bash(
            Map.of("SLURM_ARRAY_TASK_ID", "0", "BEAMLINE_CMD", "printf [%s]\\n"),
            script.toString());
    assertEquals(0, task0.code(), task0.err());
    assertThat(
        task0.out(),
        containsString(
            "[infer]\n[run]\n[--manifest]\n["
                + c.resolve("manifests/rec-a.csv")
                + "]\n[--output-dir]\n["
                + c
                + "]\n[--log-dir]\n["
                + logs
                + "]\n[--resume-summary]\n["
                + logs.resolve("rec-a.summary.json")
                + "]\n[--stub-runner]\n[--model]\n[/models/bird]\n[call]\n"));
    assertThat(task0.out(), containsString("resuming rec-a from"));
    assertThat(
        text,
        containsString(
            "RESUMES=("
                + logs.resolve("rec-a.summary.json")
                + " "
                + logs.resolve("rec-b.summary.json")
                + ")"));
    assertThat(
        text,
        containsString(
            "TELEMETRY=(" + logs.resolve("rec-a.jsonl") + " " + logs.resolve("rec-b.jsonl") + ")"));

    // Recording rec-b was re-chunked since: its task refuses to run.
    Files.writeString(
        c.resolve("manifests/rec-b.chunk_status.json"), "{\"status\": \"in_progress\"}");
    Bash task1 =
        bash(
            Map.of("SLURM_ARRAY_TASK_ID", "1", "BEAMLINE_CMD", "printf [%s]\\n"),
            script.toString());
    assertEquals(3, task1.code());
    assertThat(task1.err(), containsString("recording rec-b has chunk status 'in_progress'"));
    assertThat(task1.out(), not(containsString("[infer]")));

    Bash task5 = bash(Map.of("SLURM_ARRAY_TASK_ID", "5"), script.toString());
    assertEquals(2, task5.code());
    assertThat(task5.err(), containsString("no manifest on line 6"));

    Bash agg = bash(Map.of("BEAMLINE_CMD", "printf [%s]\\n"), script.toString(), "aggregate");
    assertEquals(0, agg.code(), agg.err());
    assertThat(
        agg.out(),
        containsString(
            "[infer]\n[aggregate]\n[--input]\n[" + c + "]\n[--output-dir]\n[" + c + "]"));
  }

  @Test
  void sparkScriptsRunSparkSubmitWithTheJava17Flags() throws Exception {
    Path c = dir.resolve("c");
    writeManifest(c, "rec-a", 1, "completed");
    Path script = dir.resolve("spark.sh");
    run(
        "--directory=" + c,
        "--slurmScript=" + script,
        "--inferRunner=SparkRunner",
        "--inferSparkMaster=spark://head:7077");
    String text = Files.readString(script);
    assertThat(text, containsString("#SBATCH --array=0-0"));
    assertThat(text, containsString("spark-submit --master \"$SPARK_MASTER\""));
    assertThat(text, containsString("--class io.beamline.runners.Beamline"));
    assertThat(text, containsString("SPARK_MASTER=${SPARK_MASTER:-spark://head:7077}"));
    assertThat(text, containsString("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));
    assertThat(text, containsString("ARGS+=(--runner=SparkRunner)"));
    assertEquals(0, bash(Map.of(), "-n", script.toString()).code());
  }

  @Test
  void sparkInsideATaskUsesTheCpusSlurmAllocatedNotTheWholeNode() throws Exception {
    Path c = dir.resolve("c");
    writeManifest(c, "rec-a", 1, "completed");
    Path script = dir.resolve("spark.sh");
    run("--directory=" + c, "--slurmScript=" + script, "--inferRunner=SparkRunner");
    // spark-submit, as found on the PATH, prints the arguments the task gives it.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path submit = bin.resolve("spark-submit");
    Files.writeString(submit, "#!/bin/sh\nprintf '[%s]\\n' \"$@\"\n");
    submit.toFile().setExecutable(true);
    String path = bin + java.io.File.pathSeparator + System.getenv("PATH");
    Bash task =
        bash(
            Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_CPUS_PER_TASK", "3", "PATH", path),
            script.toString());
    assertEquals(0, task.code(), task.err());
    assertThat(task.out(), containsString("[--master]\n[local[3]]"));
    // Outside an allocation that names CPUs it falls back to every core.
    Bash byHand = bash(Map.of("SLURM_ARRAY_TASK_ID", "0", "PATH", path), script.toString());
    assertEquals(0, byHand.code(), byHand.err());
    assertThat(byHand.out(), containsString("[--master]\n[local[*]]"));
  }

  @Test
  void exitStatusesOfTheRunsAndTheAggregationPropagateOutOfTheScript() throws Exception {
    Path c = dir.resolve("c");
    writeManifest(c, "rec-a", 2, "completed");
    Path script = dir.resolve("exit.sh");
    assertEquals(0, run("--directory=" + c, "--slurmScript=" + script).code());
    assertThat(Files.readString(script), containsString("BUNDLE=1"));
    for (int code : new int[] {3, 1, 2}) {
      Path cmd = dir.resolve("exit" + code + ".sh");
      Files.writeString(cmd, "echo \"ran $*\"\nexit " + code + "\n");
      Map<String, String> env = Map.of("SLURM_ARRAY_TASK_ID", "0", "BEAMLINE_CMD", "bash " + cmd);
      Bash task = bash(env, script.toString());
      assertEquals(code, task.code(), task.err());
      assertThat(task.out(), containsString("ran infer run --manifest"));
      assertThat(task.out(), not(containsString("task 0: done")));
      assertThat(
          task.err(),
          containsString(
              code == 3
                  ? "some chunks of rec-a failed (exit 3"
                  : "beamline infer run failed for rec-a (exit " + code + ")"));
      Bash agg = bash(Map.of("BEAMLINE_CMD", "bash " + cmd), script.toString(), "aggregate");
      assertEquals(code, agg.code(), agg.err());
      assertThat(agg.err(), containsString("infer aggregate failed (exit " + code + ")"));
    }
    Path ok = dir.resolve("ok.sh");
    Files.writeString(ok, "exit 0\n");
    Bash done =
        bash(Map.of("SLURM_ARRAY_TASK_ID", "0", "BEAMLINE_CMD", "bash " + ok), script.toString());
    assertEquals(0, done.code(), done.err());
    assertThat(
        done.out(), containsString("task 0: done; telemetry " + c + "/telemetry/rec-a.jsonl"));

    // Without the bundle, task 0 submits no aggregation job.
    assertEquals(
        0, run("--directory=" + c, "--slurmScript=" + script, "--slurmBundle=false").code());
    assertThat(Files.readString(script), containsString("BUNDLE=0"));
  }

  @Test
  void readsTheSeedsChunkStatusLayoutAndManifestDirUnderTheDataset() throws Exception {
    Path ds = dir.resolve("bogus");
    Path manifests = ds.resolve("manifests");
    writeManifest(ds, "rec-a", 2, null);
    writeManifest(ds, "rec-b", 3, null);
    Files.createDirectories(ds.resolve("artifacts/chunks/rec-a"));
    Files.createDirectories(ds.resolve("artifacts/chunks/rec-b"));
    Files.createDirectories(ds.resolve("artifacts/chunks/rec-z"));
    Files.writeString(
        ds.resolve("artifacts/chunks/rec-a/.chunk_status.json"), "{\"status\": \"completed\"}");
    Files.writeString(
        ds.resolve("artifacts/chunks/rec-b/.chunk_status.json"), "{\"status\": \"in_progress\"}");
    Files.writeString(
        ds.resolve("artifacts/chunks/rec-z/.chunk_status.json"),
        "{\"status\": \"failed\", \"reason\": \"bad header\"}");
    UserInputException e =
        assertThrows(
            UserInputException.class, () -> run("--directory=" + ds, "--manifestDir=manifests"));
    assertEquals(
        "recordings not completely chunked: rec-b (in_progress), rec-z (failed: bad header);"
            + " finish 'beamline infer chunk' for them or pass --allow-partial-chunks",
        e.getMessage());

    // --chunks-dir elsewhere: <dir>/<recording>/.chunk_status.json, relative to the dataset.
    Path other = ds.resolve("status");
    Files.createDirectories(other.resolve("rec-a"));
    Files.writeString(other.resolve("rec-a/.chunk_status.json"), "{\"status\": \"completed\"}");
    Files.writeString(other.resolve("rec-b.chunk_status.json"), "{\"status\": \"completed\"}");
    Path script = dir.resolve("s.sh");
    Result r =
        run(
            "--directory=" + ds,
            "--manifestDir=" + manifests,
            "--chunksDir=status",
            "--slurmScript=" + script);
    assertEquals(0, r.code(), r.out());
    assertThat(
        Files.readString(script),
        containsString(
            "STATUS_FILES=("
                + other.resolve("rec-a/.chunk_status.json")
                + " "
                + other.resolve("rec-b.chunk_status.json")
                + ")"));
    // The script checks the status where it was found.
    Bash task =
        bash(
            Map.of("SLURM_ARRAY_TASK_ID", "0", "BEAMLINE_CMD", "printf [%s]\\n"),
            script.toString());
    assertEquals(0, task.code(), task.err());
    Files.writeString(other.resolve("rec-a/.chunk_status.json"), "{\"status\": \"failed\"}");
    task =
        bash(
            Map.of("SLURM_ARRAY_TASK_ID", "0", "BEAMLINE_CMD", "printf [%s]\\n"),
            script.toString());
    assertEquals(3, task.code());
    assertThat(task.err(), containsString("recording rec-a has chunk status 'failed'"));

    assertThat(
        assertThrows(UserInputException.class, () -> run("--directory=" + ds, "--manifestDir=nope"))
            .getMessage(),
        containsString("no manifest directory " + ds.resolve("nope")));
    assertThat(
        assertThrows(UserInputException.class, () -> run("--directory=" + ds, "--chunksDir=nope"))
            .getMessage(),
        containsString("chunks directory not found: " + ds.resolve("nope")));
  }

  @Test
  void dataladAndSlurmFlagCombinationsAreOneLineErrorsThatWriteNothing() throws Exception {
    Path c = dir.resolve("c");
    writeManifest(c, "rec-a", 1, "completed");
    for (String[] bad :
        new String[][] {
          {"--slurmResumeCompleted", "only apply with --slurm-script"},
          {"--slurmBundle", "only apply with --slurm-script"},
          {"--recordDatalad", "add --apply or drop it"},
          {"--recordDatalad --noRecordDatalad --apply", "contradict each other"},
          {"--recordDatalad --apply --slurmScript=" + dir.resolve("s.sh"), "cannot wrap SLURM"},
          {"--recordDatalad --apply", "--record-datalad needs"}
        }) {
      List<String> args = new ArrayList<>(List.of("--directory=" + c));
      args.addAll(List.of(bad[0].split(" ")));
      UserInputException e =
          assertThrows(UserInputException.class, () -> run(args.toArray(new String[0])), bad[0]);
      assertThat(e.getMessage(), containsString(bad[1]));
      assertFalse(Files.exists(c.resolve(InferOrchestrateTool.PLAN_CSV)), bad[0]);
    }
  }
}
