package io.beamline.framework.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class DirectTuningTest {
  private static DirectOptions tuned(Map<String, String> env, int cores, String... args) {
    PipelineOptions options = PipelineOptionsFactory.fromArgs(args).create();
    DirectTuning.apply(options, List.of(args), env, cores);
    return options.as(DirectOptions.class);
  }

  @Test
  void productionRunsTurnTheChecksOffAndUseTheCores() {
    DirectOptions o = tuned(Map.of(), 2);
    assertFalse(o.isEnforceImmutability());
    assertFalse(o.isEnforceEncodability());
    // A worker per core, and the runner's monitor, which takes a thread of the same pool.
    assertEquals(3, o.getTargetParallelism());
    assertEquals(2, tuned(Map.of(), 0).getTargetParallelism());
  }

  @Test
  void theTestEnvironmentKeepsTheChecks() {
    DirectOptions o = tuned(Map.of(DirectTuning.CHECKS_ENV, "true"), 8);
    assertTrue(o.isEnforceImmutability());
    assertTrue(o.isEnforceEncodability());
    assertEquals(9, o.getTargetParallelism());
    assertFalse(tuned(Map.of(DirectTuning.CHECKS_ENV, "false"), 2).isEnforceImmutability());
  }

  @Test
  void theBuildSetsTheTestEnvironment() {
    // surefire and failsafe set it (root pom), so every test run keeps the checks on.
    assertTrue(DirectTuning.checksOn(System.getenv()), DirectTuning.CHECKS_ENV + " is not set");
  }

  @Test
  void flagsTheUserGaveWin() {
    DirectOptions o =
        tuned(
            Map.of(DirectTuning.CHECKS_ENV, "true"),
            2,
            "--enforceImmutability=false",
            "--targetParallelism=5");
    assertFalse(o.isEnforceImmutability());
    assertTrue(o.isEnforceEncodability());
    assertEquals(5, o.getTargetParallelism());
    assertTrue(tuned(Map.of(), 2, "--enforceEncodability=true").isEnforceEncodability());
  }

  @Test
  void otherRunnersAreLeftAlone() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=SparkRunner").create();
    DirectTuning.apply(options, List.of("--runner=SparkRunner"), Map.of(), 2);
    DirectOptions o = options.as(DirectOptions.class);
    assertTrue(o.isEnforceImmutability());
    assertTrue(o.isEnforceEncodability());
  }
}
