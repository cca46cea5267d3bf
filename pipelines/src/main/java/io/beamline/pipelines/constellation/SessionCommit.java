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
    Path rawStage = staging(rawDir(o), runId);
    Path goldStage = staging(goldDir(o), runId);
    // The graph has ended: what its writers left under temporary names inside is debris.
    Files.createDirectories(rawStage);
    Files.createDirectories(goldStage);
    AtomicFiles.removeTemporaries(rawStage);
    AtomicFiles.removeTemporaries(goldStage);
    boolean handedOff = false;
    if (o.getTrainingConfig() != null) {
      TrainingHandoff.handOff(
          Paths.get(o.getTrainingConfig()),
          goldStage,
          goldDir(o),
          TrainingHandoff.jobNameFor(runId));
      handedOff = true;
    }
    Map<String, Object> details = SyncReports.sessionDetails(rawStage, goldStage);
    details.put("training_job", handedOff);

    ItemCommits commits = ItemCommits.of(outputDir(o), pipeline, o);
    ItemCommit item = commits.begin(sessionKey(o));
    List<Path> staged = new ArrayList<>();
    CommitRecord record;
    try {
      staged.add(moveInto(rawStage, item.stageDirectory(rawDir(o))));
      staged.add(moveInto(goldStage, item.stageDirectory(goldDir(o))));
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
