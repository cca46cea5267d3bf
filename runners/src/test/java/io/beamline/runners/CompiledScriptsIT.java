package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.backend.Backend;
import io.beamline.framework.backend.Backends;
import io.beamline.framework.backend.Compiled;
import io.beamline.framework.backend.RunHandle;
import io.beamline.framework.backend.SlurmResources;
import io.beamline.framework.run.RunLock;
import io.beamline.framework.run.Runs;
import io.beamline.pipelines.demo.DemoPipeline;
import io.beamline.pipelines.demo.DemoPipeline.DemoOptions;
import io.beamline.runners.ShadedJarIT.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts {@code beamline compile} writes, run as users run them against the packaged jar: the
 * direct script, the {@code spark-submit} script (to a {@code local[1]} master, through the jar's
 * own SparkSubmit), and a {@code spark-submit} run handle that is cancelled.
 */
class CompiledScriptsIT {
  @TempDir Path dir;

  private Path compile(String runId, String... flags) throws Exception {
    List<String> cmd = new ArrayList<>(ShadedJarIT.jar("compile", "demo"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("--output-dir", dir.toString(), "--run-id", runId));
    Proc p = ShadedJarIT.exec(dir, cmd);
    assertEquals(0, p.code(), p.err());
    assertThat(p.out(), containsString("compiled run " + runId));
    return dir.resolve("runs").resolve(runId);
  }

  private Proc script(Path script, String... env) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("env"));
    cmd.addAll(List.of(env));
    cmd.addAll(List.of("bash", script.toString()));
    return ShadedJarIT.exec(dir, cmd);
  }

  @Test
  void theDirectAndSparkSubmitScriptsRunIntoTheirWorkingDirectories() throws Exception {
    Path direct = compile("d1", "--sensors", "2", "--seconds", "2");
    assertTrue(Files.isRegularFile(direct.resolve("plan.png")));
    Proc d = script(direct.resolve(Backend.DIRECT.scriptName()));
    assertEquals(0, d.code(), d.err());
    assertEquals("succeeded", Runs.readManifest(direct).get("status"));
    assertEquals("DirectRunner", Runs.readManifest(direct).get("runner"));

    Path submit = compile("s1", "--sensors", "2", "--seconds", "2");
    Proc missing = script(submit.resolve(Backend.SPARK_SUBMIT.scriptName()));
    assertTrue(missing.code() != 0);
    assertThat(missing.err(), containsString("set SPARK_MASTER"));
    Proc s = script(submit.resolve(Backend.SPARK_SUBMIT.scriptName()), "SPARK_MASTER=local[1]");
    assertEquals(0, s.code(), s.err());
    Map<String, Object> m = Runs.readManifest(submit);
    assertEquals("succeeded", m.get("status"));
    assertEquals("SparkRunner", m.get("runner"));
    assertThat(Files.readString(submit.resolve("options.json")), containsString("local[1]"));
    assertTrue(Files.isRegularFile(submit.resolve("run.log")));
  }

  @Test
  void aSparkSubmitHandleReportsItsRunAndCancelsIt() throws Exception {
    DemoOptions options =
        PipelineOptionsFactory.fromArgs(
                "--outputDir=" + dir, "--runId=h1", "--sensors=64", "--seconds=3600")
            .as(DemoOptions.class);
    Compiled<DemoOptions> c =
        Backends.compile(
            new DemoPipeline(), options, ShadedJarIT.JAR.toString(), SlurmResources.DEFAULT);
    RunHandle run = Backends.run(c, Backend.SPARK_SUBMIT, Map.of("SPARK_MASTER", "local[1]"));
    Instant until = Instant.now().plusSeconds(240);
    while (!run.status().equals("running") && Instant.now().isBefore(until)) {
      Thread.sleep(500);
    }
    assertEquals("running", run.status());
    run.cancel();
    assertEquals(RunLock.KILLED, run.waitFor(Duration.ofMinutes(2)));
    assertEquals(c.workingDir().resolve("run.log"), run.log());
    assertTrue(Files.isRegularFile(c.workingDir().resolve("run-spark-submit.out")));
  }
}
