package io.beamline.pipelines.stream.process;

import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommit;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.json.Json;
import io.beamline.io.parquet.ParquetTableIO;
import io.beamline.io.swf.StfNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.values.Row;

/**
 * A run's summary, made only from the commit records of its STFs (never ahead of them): once every
 * STF 1..{@code stf_count} has a record (processed or failed), {@code runs/run=<run>/stfs.parquet}
 * (one row per STF, {@link StfSummaries#SCHEMA}) and {@code runs/run=<run>/summary.json} (totals,
 * failed STFs with their reasons) are committed as item {@code run-<run>}.
 */
final class RunSummaries {
  private RunSummaries() {}

  /**
   * A closed run's totals.
   *
   * @param stfCount STFs the run produced ({@code end_run})
   * @param processed STFs processed
   * @param failed STFs failed
   */
  record Totals(long stfCount, long processed, long failed) {}

  /** The item key of {@code run}'s summary. */
  static String item(long run) {
    return "run-" + run;
  }

  /** The directory of {@code run}'s summary. */
  static Path directory(Path root, long run) {
    return root.resolve("runs").resolve("run=" + run);
  }

  /**
   * Records every STF 1..{@code stfCount} of {@code run} that has no commit record as failed with
   * {@code reason} (its window: {@code atMs}, the end of the run); returns how many.
   */
  static long recordMissing(ProcessSettings s, long run, long stfCount, long atMs, String reason)
      throws IOException {
    ItemCommits commits = s.commits();
    long n = 0;
    for (int seq = 1; seq <= stfCount; seq++) {
      String name = StfNames.stf(run, seq);
      if (commits.read(name).isEmpty()) {
        StfSummaries.commit(
            s,
            new StfOutcome(
                run,
                seq,
                name,
                "",
                0,
                0,
                atMs,
                atMs,
                false,
                StfOutcome.FAILED,
                reason,
                false,
                null,
                null));
        n++;
      }
    }
    return n;
  }

  /**
   * Closes {@code run} if every one of its {@code stfCount} STFs is committed: writes and commits
   * its summary (or finds it committed already) and returns the totals; empty while an STF is still
   * missing.
   */
  static Optional<Totals> closeIfComplete(ProcessSettings s, long run, long stfCount)
      throws IOException {
    ItemCommits commits = s.commits();
    Optional<CommitRecord> closed = commits.committed(item(run));
    if (closed.isPresent()) {
      Map<String, Object> d = closed.get().details();
      return Optional.of(
          new Totals(
              StfSummaries.number(d, "stf_count"),
              StfSummaries.number(d, "processed"),
              StfSummaries.number(d, "failed")));
    }
    List<CommitRecord> stfs = new ArrayList<>();
    for (int seq = 1; seq <= stfCount; seq++) {
      Optional<CommitRecord> r = commits.read(StfNames.stf(run, seq));
      if (r.isEmpty()) {
        return Optional.empty();
      }
      stfs.add(r.get());
    }
    List<Row> rows = new ArrayList<>();
    List<Map<String, Object>> failures = new ArrayList<>();
    long processed = 0;
    long tfs = 0;
    long hits = 0;
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (CommitRecord r : stfs) {
      StfOutcome o = StfSummaries.fromRecord(r, null, null);
      rows.add(StfSummaries.row(o));
      start = Math.min(start, o.startMs());
      end = Math.max(end, o.endMs());
      if (o.processed()) {
        processed++;
        tfs += o.tfCount();
        hits += o.hits();
      } else {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("filename", o.filename());
        f.put("reason", o.reason());
        failures.add(f);
      }
    }
    Totals t = new Totals(stfCount, processed, stfCount - processed);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("run", run);
    summary.put("stf_count", t.stfCount());
    summary.put("processed", t.processed());
    summary.put("failed", t.failed());
    summary.put("tf_count", tfs);
    summary.put("hits", hits);
    summary.put("window_start", stfCount == 0 ? null : Instant.ofEpochMilli(start).toString());
    summary.put("window_end", stfCount == 0 ? null : Instant.ofEpochMilli(end).toString());
    summary.put("failed_stfs", failures);
    Path dir = directory(s.root(), run);
    ItemCommit commit = commits.begin(item(run));
    ParquetTableIO.writeFile(
        StfSummaries.SCHEMA, "run_stfs", rows, commit.stage(dir.resolve("stfs.parquet")));
    Files.writeString(commit.stage(dir.resolve("summary.json")), Json.pretty(summary));
    commit
        .detail("stf_count", t.stfCount())
        .detail("processed", t.processed())
        .detail("failed", t.failed())
        .commit(s.runId());
    return Optional.of(t);
  }
}
