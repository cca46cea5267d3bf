package io.beamline.pipelines.constellation;

import static io.beamline.pipelines.constellation.ConstellationPipeline.goldDir;
import static io.beamline.pipelines.constellation.ConstellationPipeline.outputDir;
import static io.beamline.pipelines.constellation.ConstellationPipeline.rawDir;
import static io.beamline.pipelines.constellation.ConstellationPipeline.sessionKey;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.files.AtomicFiles;
import io.beamline.pipelines.training.TrainingHandoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A session's raw and gold sets as one item of {@link ItemCommits}: the graph writes them to
 * staging directories named after the run, and the commit replaces the session's previous sets as a
 * whole; a failed run's staging sets are discarded.
 *
 * <p>A streaming session ({@code --streaming}) is written live instead: each window's files land in
 * the session's final directories as the window closes, so that they can be read while the session
 * runs. Its run first retires the session's previous sets (record first, then the files: nothing
 * vouches for them while they go), and commits the record after the last window, over the files in
 * place. A streaming run killed mid-session leaves the windows written so far and no record; the
 * next run of the session replaces them.
 */
final class SessionCommit {
  private SessionCommit() {}

  /**
   * Where run {@code runId}'s graph writes the set that will replace {@code finalDir}: a sibling
   * named as a temporary ({@code .<session>.<run-id>.tmp}), so that if the run is killed the next
   * run in the output directory removes it. Named after the run rather than at random because the
   * graph is built before it runs and {@link #commit} must find it again.
   */
  static Path staging(Path finalDir, String runId) {
    return finalDir.resolveSibling(
        "." + finalDir.getFileName() + "." + runId + AtomicFiles.TEMP_SUFFIX);
  }

  /**
   * The directory run {@code runId}'s graph writes the set of {@code finalDir} to: a staging
   * directory ({@link #staging}), or for a live (streaming) session the final directory itself.
   */
  static Path target(Path finalDir, String runId, boolean live) {
    return live ? finalDir : staging(finalDir, runId);
  }

  /**
   * Streaming, before the graph runs: retires the session's previous sets, its commit record first
   * (so that nothing vouches for files while they go), then its raw and gold directories.
   */
  static void retireForLive(ConstellationOptions o, String pipeline) throws IOException {
    ItemCommits commits = ItemCommits.of(outputDir(o), pipeline, o);
    Files.deleteIfExists(commits.recordFile(sessionKey(o)));
    AtomicFiles.deleteTree(rawDir(o));
    AtomicFiles.deleteTree(goldDir(o));
  }

  /** Removes this run's staging sets: committed ones were moved away, what is left failed. */
  static void discardStaged(ConstellationOptions o) throws IOException {
    AtomicFiles.deleteTree(staging(rawDir(o), o.getRunId()));
    AtomicFiles.deleteTree(staging(goldDir(o), o.getRunId()));
  }

  /**
   * Commits the session: the training hand-off is recorded in the staged gold set, then the raw and
   * gold sets replace the session's previous ones as a whole and the commit record {@code
   * commits/constellation/<subject>%2F<session>.json} is written after them ({@link ItemCommits}).
   * A run killed at any instant leaves the session as it was committed before (record and outputs),
   * or, killed inside the commit, without a record (nothing vouches for a half-replaced session; a
   * re-run redoes it), plus temporaries that the next run removes.
   */
  static void commit(ConstellationOptions o, String pipeline) throws Exception {
    String runId = o.getRunId();
    boolean live = o.isStreaming();
    Path rawSet = target(rawDir(o), runId, live);
    Path goldSet = target(goldDir(o), runId, live);
    // The graph has ended: what its writers left under temporary names inside is debris.
    Files.createDirectories(rawSet);
    Files.createDirectories(goldSet);
    AtomicFiles.removeTemporaries(rawSet);
    AtomicFiles.removeTemporaries(goldSet);
    boolean handedOff = false;
    if (o.getTrainingConfig() != null) {
      TrainingHandoff.handOff(
          Paths.get(o.getTrainingConfig()), goldSet, goldDir(o), TrainingHandoff.jobNameFor(runId));
      handedOff = true;
    }
    Map<String, Object> details = SyncReports.sessionDetails(rawSet, goldSet);
    details.put("training_job", handedOff);
    if (live) {
      LiveSession.End end = LiveSession.end(runId);
      details.put("interrupted", end != null && end.interrupted());
    }

    ItemCommits commits = ItemCommits.of(outputDir(o), pipeline, o);
    ItemCommit item = commits.begin(sessionKey(o));
    List<Path> staged = new ArrayList<>();
    CommitRecord record;
    try {
      if (live) {
        item.include(rawSet).include(goldSet);
      } else {
        staged.add(moveInto(rawSet, item.stageDirectory(rawDir(o))));
        staged.add(moveInto(goldSet, item.stageDirectory(goldDir(o))));
      }
      details.forEach(item::detail);
      record = item.commit(runId);
    } catch (IOException | RuntimeException e) {
      for (Path p : staged) {
        AtomicFiles.deleteTree(p);
      }
      throw e;
    }
    ConstellationConsole.stop(runId); // its last line first, then the summary under it
    System.err.println(ConstellationConsole.summary(record, outputDir(o), rawDir(o), goldDir(o)));
    System.err.flush();
  }

  /** Puts {@code from} where {@code to} (an empty staged directory) is; returns {@code to}. */
  private static Path moveInto(Path from, Path to) throws IOException {
    Files.delete(to);
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    return to;
  }
}
