package io.beamline.pipelines.infer.monitor;

import io.beamline.framework.run.RunLock;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import io.beamline.pipelines.infer.formats.TelemetryLog.Attempt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What {@code beamline infer monitor} prints about the telemetry read so far: per-worker totals,
 * chunk outcomes, runs with their status, and a sparkline of retries over time.
 */
final class MonitorReport {
  private MonitorReport() {}

  /** Sparkline levels, lowest first. */
  static final String LEVELS = "▁▂▃▄▅▆▇█";

  /** Totals of one worker. */
  static final class WorkerTotals {
    long successes;
    long failures;
    long retries;
  }

  /** A run's attempts as the telemetry shows them. */
  static final class RunTotals {
    long attempts;
    long succeeded;
    long failed;
    long retrying;
  }

  /**
   * The report: files and attempts read, a per-worker table (chunks whose latest attempt succeeded
   * or failed on that worker, and retry attempts), chunk outcomes, the runs with their status, the
   * retry sparkline. {@code once} also counts a last line that lacks only its newline; {@code
   * runStatus} gives a run's status by id (null when unknown).
   */
  static String render(
      TelemetryLog tail, boolean once, int width, Function<String, String> runStatus) {
    List<Attempt> attempts = new ArrayList<>(tail.attempts());
    if (once) {
      attempts.addAll(tail.completePending());
    }
    // The latest attempt of each chunk: the latest end time, else the later line.
    Map<String, Attempt> latest = new LinkedHashMap<>();
    Map<String, WorkerTotals> workers = new TreeMap<>();
    Map<String, RunTotals> runs = new LinkedHashMap<>();
    for (Attempt a : attempts) {
      WorkerTotals w = workers.computeIfAbsent(a.worker(), k -> new WorkerTotals());
      if ("retrying".equals(a.status())) {
        w.retries++;
      }
      if (a.runId() != null) {
        RunTotals r = runs.computeIfAbsent(a.runId(), k -> new RunTotals());
        r.attempts++;
        switch (a.status()) {
          case "succeeded" -> r.succeeded++;
          case "failed" -> r.failed++;
          case "retrying" -> r.retrying++;
          default -> {}
        }
      }
      if (a.chunkId() != null) {
        String key = (a.recordingId() == null ? "" : a.recordingId()) + "\t" + a.chunkId();
        Attempt before = latest.get(key);
        if (before == null
            || a.time() == null
            || before.time() == null
            || !a.time().isBefore(before.time())) {
          latest.put(key, a);
        }
      }
    }
    Map<String, String> statuses = new LinkedHashMap<>();
    for (String id : runs.keySet()) {
      String st = runStatus.apply(id);
      if (st != null) {
        statuses.put(id, st);
      }
    }
    long done = 0;
    long failed = 0;
    long retrying = 0;
    long interrupted = 0;
    for (Attempt a : latest.values()) {
      WorkerTotals w = workers.get(a.worker());
      switch (a.status()) {
        case "succeeded" -> {
          w.successes++;
          done++;
        }
        case "failed" -> {
          w.failures++;
          failed++;
        }
        case "retrying" -> {
          String st = a.runId() == null ? null : statuses.get(a.runId());
          if (st != null && !st.equals("running")) {
            interrupted++;
          } else {
            retrying++;
          }
        }
        default -> {}
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "telemetry: %s (%d file%s, %d attempt%s, %d chunk%s)%n",
            tail.root(),
            tail.fileCount(),
            tail.fileCount() == 1 ? "" : "s",
            attempts.size(),
            attempts.size() == 1 ? "" : "s",
            latest.size(),
            latest.size() == 1 ? "" : "s"));
    int nameWidth = Math.max(6, workers.keySet().stream().mapToInt(String::length).max().orElse(0));
    String row = "%-" + nameWidth + "s  %9s  %8s  %7s%n";
    b.append(String.format(Locale.ROOT, row, "worker", "successes", "failures", "retries"));
    WorkerTotals total = new WorkerTotals();
    for (Map.Entry<String, WorkerTotals> e : workers.entrySet()) {
      WorkerTotals w = e.getValue();
      b.append(String.format(Locale.ROOT, row, e.getKey(), w.successes, w.failures, w.retries));
      total.successes += w.successes;
      total.failures += w.failures;
      total.retries += w.retries;
    }
    b.append(
        String.format(Locale.ROOT, row, "total", total.successes, total.failures, total.retries));
    b.append(
        String.format(
            Locale.ROOT,
            "chunks: %d succeeded, %d failed, %d awaiting a retry%s%n",
            done,
            failed,
            retrying,
            interrupted == 0
                ? ""
                : ", " + interrupted + " interrupted (their run ended while they were retrying)"));
    if (!statuses.isEmpty()) {
      for (Map.Entry<String, RunTotals> e : runs.entrySet()) {
        RunTotals r = e.getValue();
        String st = statuses.getOrDefault(e.getKey(), "status unknown");
        b.append(
            String.format(
                Locale.ROOT,
                "run %s: %s; %d attempt%s (%d succeeded, %d failed, %d retrying)%s%n",
                e.getKey(),
                st,
                r.attempts,
                r.attempts == 1 ? "" : "s",
                r.succeeded,
                r.failed,
                r.retrying,
                RunLock.KILLED.equals(st) ? "; its process died before the run ended" : ""));
      }
    }
    b.append(sparklineLine(attempts, width));
    int malformed = tail.malformed();
    if (malformed > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "skipped %d line%s that %s not telemetry JSON%n",
              malformed,
              malformed == 1 ? "" : "s",
              malformed == 1 ? "is" : "are"));
    }
    int partial = tail.partialLines() - (once ? tail.completePending().size() : 0);
    if (partial > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "%d file%s end%s in a line still being written (not counted yet)%n",
              partial,
              partial == 1 ? "" : "s",
              partial == 1 ? "s" : ""));
    }
    return b.toString();
  }

  /** {@code retries ▁▁▃█▁ (...)}: retry attempts per time bucket over the telemetry's span. */
  static String sparklineLine(List<Attempt> attempts, int width) {
    List<Instant> times =
        attempts.stream().map(Attempt::time).filter(t -> t != null).sorted().toList();
    if (times.isEmpty()) {
      return "retries  (no timestamps yet)" + System.lineSeparator();
    }
    Instant from = times.get(0);
    Instant to = times.get(times.size() - 1);
    List<Instant> retries =
        attempts.stream()
            .filter(a -> "retrying".equals(a.status()) && a.time() != null)
            .map(Attempt::time)
            .toList();
    long[] counts = bucketCounts(retries, from, to, width);
    long max = 0;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    return String.format(
        Locale.ROOT,
        "retries  %s  (%d bucket%s from %s to %s, at most %d per bucket)%n",
        sparkline(counts),
        counts.length,
        counts.length == 1 ? "" : "s",
        from,
        to,
        max);
  }

  /**
   * Counts {@code times} in {@code width} equal buckets spanning {@code [from, to]} (the last
   * bucket includes {@code to}); a span of zero length is one bucket.
   */
  static long[] bucketCounts(List<Instant> times, Instant from, Instant to, int width) {
    long span = java.time.Duration.between(from, to).toNanos();
    int n = span == 0 ? 1 : width;
    long[] counts = new long[n];
    for (Instant t : times) {
      long off = java.time.Duration.between(from, t).toNanos();
      int i = span == 0 ? 0 : (int) Math.min(n - 1, Math.max(0, (double) off * n / span));
      counts[i]++;
    }
    return counts;
  }

  /**
   * One character per bucket: {@code ▁} for none, else the level {@code ceil(7 * count / max)}, so
   * the busiest bucket is {@code █}.
   */
  static String sparkline(long[] counts) {
    long max = 0;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    StringBuilder b = new StringBuilder();
    for (long c : counts) {
      int level = max == 0 ? 0 : (int) Math.ceil(7.0 * c / max);
      b.append(LEVELS.charAt(level));
    }
    return b.toString();
  }
}
