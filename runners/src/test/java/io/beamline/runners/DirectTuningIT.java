package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.framework.backend.DirectTuning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A production run of the packaged jar (without the tests' {@code BEAMLINE_DIRECT_CHECKS}) has the
 * DirectRunner's immutability and encodability checks off, so no MutationDetectors warnings, and as
 * many worker threads as cores; {@code --enforce-immutability} turns the check back on.
 */
class DirectTuningIT {
  @TempDir Path dir;

  /** Runs a 1 s constellation without Kafka; returns its run directory. */
  private Path constellation(String runId, String... extra) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            ShadedJarIT.jar(
                "constellation",
                "--no-kafka",
                "--duration=1",
                "--subject-id=s1",
                "--session-id=x1",
                "--output-dir=" + dir,
                "--run-id=" + runId));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(dir.resolve(runId + ".out").toFile());
    pb.environment().remove(DirectTuning.CHECKS_ENV);
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    assertEquals(0, p.exitValue(), Files.readString(dir.resolve(runId + ".out")));
    return dir.resolve("runs").resolve(runId);
  }

  @Test
  void productionRunsHaveTheChecksOffAndPrintNoMutationWarnings() throws Exception {
    Path prod = constellation("prod");
    String options = Files.readString(prod.resolve("options.json"));
    assertThat(options, containsString("\"enforceImmutability\" : false"));
    assertThat(options, containsString("\"enforceEncodability\" : false"));
    assertThat(
        options,
        containsString(
            "\"targetParallelism\" : " + (Runtime.getRuntime().availableProcessors() + 1) + ","));
    assertEquals(0, mutationWarnings(prod), "MutationDetectors warnings in a production run");

    Path checked = constellation("checked", "--enforce-immutability");
    assertThat(
        Files.readString(checked.resolve("options.json")),
        containsString("\"enforceImmutability\" : true"));
    // The assertion above is not vacuous: the same run with the check on warns.
    assertTrue(mutationWarnings(checked) > 0, "the same run with the check on warns");
  }

  private static long mutationWarnings(Path runDir) throws Exception {
    return Files.readString(runDir.resolve("run.log"))
        .lines()
        .filter(l -> l.contains("MutationDetectors"))
        .count();
  }
}
