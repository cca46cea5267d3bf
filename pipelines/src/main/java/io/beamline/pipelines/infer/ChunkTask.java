package io.beamline.pipelines.infer;

import java.io.Serializable;

/**
 * One chunk of {@code infer run} on its way through the attempts: where it comes from (manifest
 * stem and line order), what the manifest says about it, and which attempt comes next.
 *
 * @param stem the manifest's file name without {@code .csv}
 * @param order the chunk's position in its manifest, 0-based
 * @param recordingId manifest {@code recording_id}
 * @param chunkId manifest {@code chunk_id}
 * @param startS manifest {@code start_s}
 * @param endS manifest {@code end_s}
 * @param audioPath the chunk's audio as written in the manifest ({@code chunk_path}, else {@code
 *     source_path})
 * @param root the dataset root that relative paths resolve against, absolute
 * @param sha256 manifest {@code sha256}, or empty when the manifest leaves it empty
 * @param attempt the attempt this task is for, 1-based
 * @param backoffS the backoff in seconds waited before this attempt (0 for the first)
 * @param lastError the error of the previous attempt, or null
 */
public record ChunkTask(
    String stem,
    int order,
    String recordingId,
    String chunkId,
    double startS,
    double endS,
    String audioPath,
    String root,
    String sha256,
    int attempt,
    double backoffS,
    String lastError)
    implements Serializable {

  /** The task of the next attempt after this one failed with {@code error}. */
  ChunkTask retry(double backoffS, String error) {
    return new ChunkTask(
        stem,
        order,
        recordingId,
        chunkId,
        startS,
        endS,
        audioPath,
        root,
        sha256,
        attempt + 1,
        backoffS,
        error);
  }
}
