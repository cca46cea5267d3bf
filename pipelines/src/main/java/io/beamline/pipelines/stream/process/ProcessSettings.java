package io.beamline.pipelines.stream.process;

import java.io.Serializable;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A {@code stream process} run resolved from its options once, passed to every stage as a value.
 *
 * @param broker Kafka bootstrap servers ({@code host:port[,...]})
 * @param group the consumer group whose offsets record what is done
 * @param namespace messages of other namespaces are counted and dropped
 * @param outputDir the pipeline's output root ({@code <output-dir>/stream-process})
 * @param commitsDir the output directory commit records live under ({@code --output-dir})
 * @param runId the Beamline run id (commit records name it)
 * @param agent this agent's instance name ({@code process@host-pid})
 * @param token the key of the run's {@link ProcessControl}
 * @param watermarkDelayMs how far the watermark trails the newest STF start
 * @param exitAfterRuns stop after this many runs are closed; 0 never
 */
record ProcessSettings(
    String broker,
    String group,
    String namespace,
    String outputDir,
    String commitsDir,
    String runId,
    String agent,
    String token,
    long watermarkDelayMs,
    int exitAfterRuns)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The name commit records are filed under. */
  static final String PIPELINE = "stream-process";

  ProcessSettings {
    if (broker == null || broker.isBlank()) {
      throw new IllegalArgumentException("broker must be host:port, got " + broker);
    }
    if (watermarkDelayMs < 0) {
      throw new IllegalArgumentException("watermarkDelayMs must be >= 0, got " + watermarkDelayMs);
    }
    if (exitAfterRuns < 0) {
      throw new IllegalArgumentException("exitAfterRuns must be >= 0, got " + exitAfterRuns);
    }
  }

  /** The pipeline's output root. */
  Path root() {
    return Paths.get(outputDir);
  }

  /** The commit records of this pipeline. */
  io.beamline.framework.run.ItemCommits commits() {
    return io.beamline.framework.run.ItemCommits.of(Paths.get(commitsDir), PIPELINE);
  }
}
