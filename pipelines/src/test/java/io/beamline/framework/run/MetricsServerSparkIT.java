package io.beamline.framework.run;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live metrics endpoint on the SparkRunner (local[2]), scraped while the run executes. */
class MetricsServerSparkIT {
  @TempDir Path dir;

  @Test
  void servesTheRunsMetricsLiveOnTheSparkRunner() throws Exception {
    // The window summary shares the gate's Spark stage, so only the source's counters (an
    // earlier, finished stage) can be seen while the gate holds.
    LiveMetricsCheck.check(dir, "SparkRunner", false);
  }
}
