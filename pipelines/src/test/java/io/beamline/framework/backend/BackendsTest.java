package io.beamline.framework.backend;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.UserInputException;
import io.beamline.framework.run.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {
  @TempDir Path dir;

  private ComposedPipeline.Options options(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("--outputDir=" + dir, "--sensors=3"));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
        .as(ComposedPipeline.Options.class);
  }

  private static boolean dotInstalled() {
    return Stream.of(System.getenv("PATH").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, "dot")));
  }

  private long filesUnder(Path root) throws Exception {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void compilesWithoutRunningThenRunsInTheWorkingDirectory() throws Exception {
    Compiled<ComposedPipeline.Options> c =
        Backends.compile(new ComposedPipeline(), options("--runId=c1"));
    Path work = dir.resolve("runs/c1");
    assertEquals(work, c.workingDir());

    // Compiled: the plan, its picture, the options and every backend's script; nothing ran.
    for (String f :
        List.of(
            "plan.json",
            "plan.dot",
            "options.json",
            "manifest.json",
            "compiled.json",
            "run-direct.sh",
            "run-spark-local.sh",
            "run-spark-submit.sh",
            "run-slurm.sbatch")) {
      assertTrue(Files.isRegularFile(work.resolve(f)), f);
    }
    if (dotInstalled()) {
      assertEquals(work.resolve("plan.png"), c.picture());
      byte[] png = Files.readAllBytes(work.resolve("plan.png"));
      assertEquals((byte) 0x89, png[0]);
      assertEquals('P', png[1]);
    } else {
      assertThat(c.pictureNote(), containsString("dot"));
    }
    assertEquals(0, filesUnder(dir.resolve("composed")), "no transform wrote an output");
    assertFalse(Files.exists(work.resolve("metrics.json")), "no graph executed");
    assertEquals(Runs.COMPILED, Runs.readManifest(work).get("status"));
    assertThat(Files.readString(work.resolve("plan.json")), containsString("checkpoint"));
    assertThat(Files.readString(work.resolve("plan.dot")), containsString("summarise-windows"));
    assertEquals(
        List.of("composed", "--sensors=3", "--outputDir=" + dir, "--runId=c1"), c.command());

    // Then run it: outputs and logs in the working directory.
    RunHandle run = Backends.run(c, Backend.DIRECT);
    assertEquals(work.resolve("run.log"), run.log());
    assertEquals("succeeded", run.waitFor(Duration.ofMinutes(3)));
    Map<String, Object> m = Runs.readManifest(work);
    assertEquals("succeeded", m.get("status"));
    assertEquals("DirectRunner", m.get("runner"));
    assertEquals(c.command(), m.get("command_line"));
    assertTrue(
        Files.isRegularFile(
            dir.resolve("composed/window_stats/window_stats-00000-of-00001.parquet")));
    assertThat(Files.readString(run.log()), containsString("Run c1 of pipeline composed"));
    assertTrue(Files.isRegularFile(work.resolve("metrics.json")));

    // A working directory runs once.
    UserInputException again =
        assertThrows(UserInputException.class, () -> Backends.run(c, Backend.DIRECT));
    assertThat(again.getMessage(), containsString("status succeeded"));
  }

  @Test
  void scriptsHoldTheExactCommandLineOfEachBackend() throws Exception {
    Compiled<ComposedPipeline.Options> c =
        Backends.compile(
            new ComposedPipeline(),
            options("--runId=s1", "--checkpoint=pass"),
            "/opt/beamline/beamline.jar",
            new SlurmResources(8, "32G", "02:00:00", "gpu", "lab"));
    Path work = c.workingDir();
    String direct = Files.readString(c.script(Backend.DIRECT));
    assertThat(direct, containsString("BEAMLINE_JAR=${BEAMLINE_JAR:-/opt/beamline/beamline.jar}"));
    assertThat(
        direct,
        containsString(
            "-jar \"$BEAMLINE_JAR\" composed --sensors=3 --outputDir="
                + dir
                + " --runId=s1 --runner=DirectRunner\n"));
    assertThat(direct, containsString("--add-opens=java.base/java.nio=ALL-UNNAMED"));
    assertThat(
        direct,
        containsString(
            String.join(" ", Launch.heapFlagList())
                + " ${BEAMLINE_HEAP:+\"-Xmx$BEAMLINE_HEAP\"} ${BEAMLINE_JAVA_OPTS:-} -jar"));
    assertThat(
        Files.readString(c.script(Backend.SPARK_LOCAL)),
        containsString("--runner=SparkRunner '--sparkMaster=local[*]'"));
    String submit = Files.readString(c.script(Backend.SPARK_SUBMIT));
    assertThat(
        submit,
        containsString(
            "-cp \"$BEAMLINE_JAR\" org.apache.spark.deploy.SparkSubmit --master \"$SPARK_MASTER\""
                + " --class io.beamline.runners.Beamline --conf"
                + " 'spark.driver.extraJavaOptions=--add-opens"));
    assertThat(submit, containsString("\"$BEAMLINE_JAR\" composed --sensors=3"));
    assertThat(submit, containsString("${SPARK_MASTER:?"));
    String slurm = Files.readString(c.script(Backend.SLURM));
    for (String line :
        List.of(
            "#SBATCH --job-name=beamline-composed",
            "#SBATCH --output=" + work.resolve("slurm-%j.out"),
            "#SBATCH --cpus-per-task=8",
            "#SBATCH --mem=32G",
            "#SBATCH --time=02:00:00",
            "#SBATCH --partition=gpu",
            "#SBATCH --account=lab",
            "CPUS=${SLURM_CPUS_PER_TASK:-8}",
            "  BEAMLINE_HEAP=$((SLURM_MEM_PER_NODE / 2))m")) {
      assertThat(slurm, containsString(line + "\n"));
    }
    assertThat(slurm, containsString("--runner=SparkRunner \"--sparkMaster=local[$CPUS]\"\n"));
    for (Backend b : Backend.values()) {
      Process p = new ProcessBuilder("bash", "-n", c.script(b).toString()).start();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), b + " script parses");
      assertTrue(Files.isExecutable(c.script(b)), b.scriptName());
    }
    assertThat(
        Files.readString(work.resolve("compiled.json")),
        containsString("\"backend\" : \"spark-submit\""));
  }

  @Test
  void aCancelledRunEndsCancelled() throws Exception {
    ComposedPipeline.holding = new CountDownLatch(1);
    Compiled<ComposedPipeline.Options> c =
        Backends.compile(new ComposedPipeline(), options("--runId=k1", "--checkpoint=hold"));
    RunHandle run = Backends.run(c, Backend.DIRECT);
    assertTrue(ComposedPipeline.holding.await(3, TimeUnit.MINUTES), "the run executes");
    assertEquals("running", run.status());
    run.cancel();
    assertEquals("cancelled", run.waitFor(Duration.ofMinutes(1)));
    Map<String, Object> m = Runs.readManifest(c.workingDir());
    assertEquals("cancelled", m.get("status"));
    assertEquals("cancelled on request", m.get("error"));
    assertEquals(0, filesUnder(dir.resolve("composed")));
  }

  @Test
  void aFailingRunEndsFailedWithItsReason() throws Exception {
    Compiled<ComposedPipeline.Options> c =
        Backends.compile(new ComposedPipeline(), options("--runId=f1", "--checkpoint=fail"));
    RunHandle run = Backends.run(c, Backend.DIRECT);
    assertEquals("failed", run.waitFor(Duration.ofMinutes(3)));
    Map<String, Object> m = Runs.readManifest(c.workingDir());
    assertEquals("failed", m.get("status"));
    assertThat((String) m.get("error"), containsString("checkpoint refused row of"));
    assertThat(Files.readString(run.log()), containsString("CheckpointFn"));
  }

  @Test
  void aWorkingDirectoryIsARunDirectory() {
    UserInputException e =
        assertThrows(
            UserInputException.class,
            () -> Backends.compile(new ComposedPipeline(), options(), dir.resolve("elsewhere")));
    assertThat(e.getMessage(), containsString("<output-dir>/runs/<run-id>"));
    Compiled<ComposedPipeline.Options> c =
        Backends.compile(new ComposedPipeline(), options(), dir.resolve("out/runs/w1"));
    assertEquals("w1", c.runId());
    assertEquals(dir.resolve("out/runs/w1"), c.workingDir());
  }

  @Test
  void runsOnSparkWithALocalMasterInThisJvm() throws Exception {
    Compiled<ComposedPipeline.Options> c =
        Backends.compile(new ComposedPipeline(), options("--runId=l1"));
    RunHandle run = Backends.run(c, Backend.SPARK_LOCAL);
    assertEquals("succeeded", run.waitFor(Duration.ofMinutes(5)), run.toString());
    Map<String, Object> m = Runs.readManifest(c.workingDir());
    assertEquals("SparkRunner", m.get("runner"));
    assertThat(
        Files.readString(c.workingDir().resolve("options.json")), containsString("local[*]"));
    assertTrue(
        Files.isRegularFile(
            dir.resolve("composed/window_stats/window_stats-00000-of-00001.parquet")));
  }
}
