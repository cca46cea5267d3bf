package io.beamline.pipelines.stream.process;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks of {@link StreamProcessPipelineIT} with {@code --catch-up} (KafkaIO's splittable read
 * on the DirectRunner): the same run, committed once with the same statuses, messages, dead letters
 * and offsets.
 */
class StreamProcessCatchUpIT extends StreamProcessPipelineIT {
  @BeforeAll
  static void runOnce(@TempDir Path dir) throws Exception {
    runOn(dir, List.of("--catchUp=true"));
  }
}
