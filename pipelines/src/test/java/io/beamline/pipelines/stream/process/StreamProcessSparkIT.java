package io.beamline.pipelines.stream.process;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks of {@link StreamProcessPipelineIT} with the pipeline on the SparkRunner ({@code
 * local[2]}, which runs it as a streaming job): the same STFs committed once with their status, the
 * same run summary, messages and dead letters, every record acknowledged, and the run ending by
 * itself after {@code --exit-after-runs 1} ({@link StreamingStop}; before it, a Spark streaming job
 * ran until killed).
 */
class StreamProcessSparkIT extends StreamProcessPipelineIT {
  @BeforeAll
  static void runOnce(@TempDir Path dir) throws Exception {
    runOn(dir, List.of("--runner=SparkRunner", "--sparkMaster=local[2]"));
  }
}
