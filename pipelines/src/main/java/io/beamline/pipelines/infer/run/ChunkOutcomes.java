package io.beamline.pipelines.infer.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.framework.run.Runs;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How an attempt of a chunk ends, on the worker that ran it: committed (raw score file staged and
 * committed with the chunk's record, {@link RunFiles#succeededDetails}; the chunks of a batch that
 * scored are committed together), retried, or failed for good (failure record, {@link
 * RunFiles#failedDetails}); each with its telemetry line, the final one appended only after the
 * commit or failure record.
 */
final class ChunkOutcomes {
  private final AttemptStage.Config s;
  private final ItemCommits commits;

  ChunkOutcomes(AttemptStage.Config s) {
    this.s = s;
    this.commits = s.paths().commits();
  }

  /** Appends the telemetry line of an attempt of {@code t} that ended with {@code status}. */
  void telemetry(ChunkTask t, Instant start, String worker, String status, String error) {
    TelemetryLog.append(
        s.paths().telemetryFile(t.stem()),
        Attempts.record(t, start, Instant.now(), worker, status, error, s.runId()));
  }

  /** Writes the failure record of {@code t}, then its {@code failed} telemetry line. */
  void failed(ChunkTask t, Instant start, String worker, String error) {
    ItemCommit item = commits.begin(t.itemKey());
    RunFiles.failedDetails(t, s.detector().model(), s.detector().version(), worker, error)
        .forEach(item::detail);
    try {
      item.fail(s.runId(), error);
    } catch (IOException e) {
      throw new UncheckedIOException(
          new IOException(
              "cannot write the failure record of chunk "
                  + t.itemKey()
                  + " in "
                  + commits.directory()
                  + ": "
                  + Runs.oneLine(e)));
    }
    telemetry(t, start, worker, TelemetryLog.FAILED, error);
  }

  /** A chunk of a batch that scored, with its scores. */
  record Scored(ChunkTask task, float[] scores) {}

  /**
   * Stages each chunk's raw score file and commits them with their records together ({@link
   * ItemCommits#commitAll}: the disk syncs of the batch at once), then appends their telemetry
   * lines. When the commit fails, the chunks whose records were written still get their lines and
   * the error names the first chunk that was not committed.
   */
  void succeeded(List<Scored> batch, Instant start, String worker) {
    List<ItemCommit> items = new ArrayList<>();
    Scored current = null;
    try {
      for (Scored c : batch) {
        current = c;
        ChunkTask t = c.task();
        ItemCommit item = commits.begin(t.itemKey());
        items.add(item);
        Files.write(item.stage(s.paths().rawFile(t)), rawScores(t, c.scores(), worker));
        RunFiles.succeededDetails(
                t,
                s.detector().model(),
                s.detector().version(),
                worker,
                s.detector().labels(),
                c.scores(),
                s.minConfidence())
            .forEach(item::detail);
      }
      current = null;
      ItemCommits.commitAll(items, s.runId());
    } catch (IOException e) {
      Scored failed = current;
      for (int i = 0; i < items.size(); i++) {
        ItemCommit item = items.get(i);
        if (item.ended()) {
          telemetry(batch.get(i).task(), start, worker, TelemetryLog.SUCCEEDED, null);
          continue;
        }
        failed = failed == null ? batch.get(i) : failed;
        try {
          item.abandon();
        } catch (IOException | IllegalStateException ignored) {
          // nothing left to discard; the first error is the one to report
        }
      }
      ChunkTask t = (failed == null ? batch.get(0) : failed).task();
      // Innermost message on purpose: it is what the run's one-line error shows.
      throw new UncheckedIOException(
          new IOException(
              "cannot commit chunk "
                  + t.itemKey()
                  + " ("
                  + s.paths().rawFile(t)
                  + "): "
                  + Runs.oneLine(e)
                  + "; make the output directories writable and run again with"
                  + " --resume-completed (committed chunks are kept)"));
    }
    for (Scored c : batch) {
      telemetry(c.task(), start, worker, TelemetryLog.SUCCEEDED, null);
    }
  }

  /** The raw score file: every label's score, model, worker, attempt and run id. */
  private byte[] rawScores(ChunkTask t, float[] scores, String worker)
      throws JsonProcessingException {
    ObjectNode n = Attempts.JSON.createObjectNode();
    n.put("recording_id", t.recordingId());
    n.put("chunk_id", t.chunkId());
    n.put("start_s", t.startS());
    n.put("end_s", t.endS());
    n.put("model", s.detector().model());
    n.put("model_version", s.detector().version());
    n.put("worker", worker);
    n.put("attempt", t.attempt());
    n.put("run_id", s.runId());
    ArrayNode labels = n.putArray("labels");
    s.detector().labels().forEach(labels::add);
    ArrayNode sc = n.putArray("scores");
    for (float f : scores) {
      sc.add(f);
    }
    return (Attempts.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
