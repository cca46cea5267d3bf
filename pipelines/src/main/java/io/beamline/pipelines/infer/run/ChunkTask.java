package io.beamline.pipelines.infer.run;

import io.beamline.pipelines.infer.chunk.ChunkAudio;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One chunk of {@code infer run} on its way through the attempts: where it comes from (manifest
 * stem and line order), what the manifest says about it, which attempt comes next, and the attempts
 * before it (so that the chunk's commit record can tell its whole history).
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
 * @param retried the earlier attempts of this run, each failed and retried, in order
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
    String lastError,
    List<Retried> retried)
    implements Serializable {

  public ChunkTask {
    retried = retried == null ? List.of() : List.copyOf(retried);
  }

  /**
   * An attempt that failed and was retried.
   *
   * @param attempt its number, 1-based
   * @param worker the worker it ran on ({@code loader} when it never reached one)
   * @param error its one-line error
   * @param backoffS the backoff waited before it
   */
  public record Retried(int attempt, String worker, String error, double backoffS)
      implements Serializable {}

  /** The item key of this chunk in the commit records: {@code <stem>/<chunk_id>}. */
  String itemKey() {
    return itemKey(stem, chunkId);
  }

  /**
   * The digest of this chunk's content as resume compares it ({@link
   * io.beamline.framework.run.ItemCommits#INPUT_DIGEST}): the manifest's SHA-256 (checked when the
   * chunk is read), else the chunk file's size and modification time, so a chunk re-cut from a
   * changed recording is scored again.
   */
  String inputDigest() {
    if (sha256 != null && !sha256.isEmpty()) {
      return "sha256:" + sha256;
    }
    try {
      Path p = ChunkAudio.resolve(this);
      return "file:" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
    } catch (ChunkAudio.BadChunk | IOException e) {
      // The attempt fails this chunk with the reader's message; nothing committed can match.
      return "unreadable";
    }
  }

  /** The item key of chunk {@code chunkId} of manifest {@code stem}. */
  static String itemKey(String stem, String chunkId) {
    return stem + "/" + chunkId;
  }

  /**
   * The task of the next attempt after this one failed on {@code worker} with {@code error}, to be
   * run after {@code backoffS} seconds.
   */
  ChunkTask retry(double backoffS, String worker, String error) {
    List<Retried> history = new ArrayList<>(retried);
    history.add(new Retried(attempt, worker, error, this.backoffS));
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
        error,
        history);
  }
}
