package io.beamline.pipelines.infer.chunk;

import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.ItemConfig;
import io.beamline.transforms.audio.Chunker;
import java.io.Serializable;
import java.nio.file.Paths;

/**
 * How and where {@code infer chunk} chunks recordings, resolved once from the options: the settings
 * that {@link ChunkRecordings} chunks with and {@link ReadChunkCommits} reads the commits of.
 *
 * @param recordingsDir the recordings directory, absolute; inputs must really lie inside it
 * @param outputDir the output directory, absolute
 * @param pipeline the pipeline name the commit records are kept under
 * @param runId the run that commits
 * @param chunkSeconds chunk length in seconds, finite and {@code > 0}
 * @param overlapSeconds overlap in seconds, in {@code [0, chunkSeconds)}
 * @param partial what to do with a last partial chunk
 * @param targetRate rate of the chunk files in Hz, in {@code [1, 10^7]}
 */
record ChunkSettings(
    String recordingsDir,
    String outputDir,
    String pipeline,
    String runId,
    double chunkSeconds,
    double overlapSeconds,
    Chunker.Partial partial,
    int targetRate,
    ItemConfig itemConfig)
    implements Serializable {

  ChunkSettings {
    if (recordingsDir == null || outputDir == null || pipeline == null || runId == null) {
      throw new IllegalArgumentException(
          String.format(
              "chunk settings need recordingsDir, outputDir, pipeline and runId, got %s, %s, %s,"
                  + " %s",
              recordingsDir, outputDir, pipeline, runId));
    }
    if (!(chunkSeconds > 0) || !Double.isFinite(chunkSeconds)) {
      throw new IllegalArgumentException(
          String.format("chunkSeconds must be a finite number > 0, got %s", chunkSeconds));
    }
    if (!(overlapSeconds >= 0) || !(overlapSeconds < chunkSeconds)) {
      throw new IllegalArgumentException(
          String.format("overlapSeconds must be in [0, %s), got %s", chunkSeconds, overlapSeconds));
    }
    if (partial == null) {
      throw new IllegalArgumentException("partial must be PAD or DROP, got null");
    }
    if (targetRate < 1 || targetRate > 10_000_000) {
      throw new IllegalArgumentException(
          String.format("targetRate must be in [1, 10000000] Hz, got %d", targetRate));
    }
  }

  /** The chunking of one recording with these settings. */
  RecordingChunks work() {
    return new RecordingChunks(
        Paths.get(recordingsDir),
        Paths.get(outputDir),
        ItemCommits.of(Paths.get(outputDir), pipeline, itemConfig),
        runId,
        chunkSeconds,
        overlapSeconds,
        partial,
        targetRate);
  }
}
