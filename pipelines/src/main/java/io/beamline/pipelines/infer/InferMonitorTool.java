package io.beamline.pipelines.infer;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.RunLock;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import io.beamline.pipelines.infer.formats.TelemetryLog.Attempt;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/**
 * {@code beamline infer monitor TELEMETRY}: per-worker success, failure and retry totals of {@code
 * beamline infer run}'s telemetry, with a sparkline of retries over time, as BADC's {@code badc
 * infer monitor} shows them (seed 002).
 *
 * <p>TELEMETRY is a telemetry JSONL file ({@code <output-dir>/telemetry/<manifest>.jsonl}) or a
 * directory of them. Without {@code --follow} it prints the totals once and exits; with it, it
 * re-reads what was appended every {@code --interval-s} seconds and prints the table again when
 * something changed, until interrupted (Ctrl-C). A last line still being written is held back until
 * its newline arrives; complete lines that are not telemetry objects are counted and skipped.
 *
 * <p>Counts are per chunk ({@code recording_id, chunk_id}), whatever the number of runs that
 * attempted it: a worker's successes (failures) are the chunks whose latest attempt succeeded
 * (failed) on it, so they never exceed the chunks; its retries are retry attempts. When the output
 * directory's {@code runs/} is found above TELEMETRY, each run named in the telemetry is listed
 * with its status ({@code RunLock#status}: a run whose process died is {@code killed}), and a chunk
 * whose latest attempt was a retry in a run that is no longer running is {@code interrupted}.
 *
 * <pre>{@code
 * beamline infer monitor out/telemetry/rec-a.jsonl
 * beamline infer monitor out/telemetry --follow --interval-s 1
 * }</pre>
 */
public final class InferMonitorTool implements BeamlineTool<InferMonitorTool.InferMonitorOptions> {

  /** Sparkline levels, lowest first. */
  static final String LEVELS = "▁▂▃▄▅▆▇█";

  /** Options of {@code beamline infer monitor}. */
  public interface InferMonitorOptions extends BeamlineToolOptions {
    @Description("Telemetry JSONL file of 'beamline infer run', or a directory of them")
    @Validation.Required
    String getTelemetry();

    void setTelemetry(String value);

    @Description("Keep reading as the telemetry grows and re-print the totals, until interrupted")
    @Default.Boolean(false)
    boolean getFollow();

    void setFollow(boolean value);

    @Description("Seconds between reads with --follow, > 0")
    @Default.Double(2.0)
    double getIntervalS();

    void setIntervalS(double value);

    @Description("Number of time buckets (characters) in the retry sparkline, 1-200")
    @Default.Integer(40)
    int getSparklineWidth();

    void setSparklineWidth(int value);
  }

  @Override
  public List<String> commandPath() {
    return List.of("infer", "monitor");
  }

  @Override
  public String summary() {
    return "Per-worker success/failure/retry totals and a retry sparkline from infer run's"
        + " telemetry; --follow re-prints them live";
  }

  @Override
  public Class<InferMonitorOptions> optionsClass() {
    return InferMonitorOptions.class;
  }

  @Override
  public String positional() {
    return "telemetry";
  }

  @Override
  public int run(InferMonitorOptions o, PrintWriter out, PrintWriter err) throws Exception {
    if (!(o.getIntervalS() > 0) || !Double.isFinite(o.getIntervalS())) {
      throw new UserInputException("--interval-s must be a number > 0, got " + o.getIntervalS());
    }
    if (o.getSparklineWidth() < 1 || o.getSparklineWidth() > 200) {
      throw new UserInputException(
          "--sparkline-width must be in [1, 200], got " + o.getSparklineWidth());
    }
    Path root = Paths.get(o.getTelemetry()).toAbsolutePath().normalize();
    TelemetryLog tail = new TelemetryLog(root);
    if (!o.getFollow()) {
      if (!Files.exists(root)) {
        throw new UserInputException(
            "telemetry not found: "
                + o.getTelemetry()
                + "; give the telemetry JSONL of 'beamline infer run' (<output-dir>/telemetry/)"
                + " or its directory");
      }
      tail.poll();
      if (tail.attempts().isEmpty() && tail.malformed() > 0) {
        throw new UserInputException(
            "not infer run telemetry: "
                + o.getTelemetry()
                + ": none of its "
                + tail.malformed()
                + " lines is an attempt record; give the telemetry JSONL of 'beamline infer run'"
                + " (<output-dir>/telemetry/<manifest>.jsonl) or its directory");
      }
      out.print(render(tail, true, o.getSparklineWidth(), runStatuses(root)));
      out.flush();
      return 0;
    }
    long intervalMs = Math.max(1, Math.round(o.getIntervalS() * 1000));
    boolean first = true;
    boolean clear = System.console() != null;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        boolean changed = tail.poll();
        if (first || changed) {
          if (clear) {
            out.print("\033[H\033[2J");
          }
          out.print(render(tail, false, o.getSparklineWidth(), runStatuses(root)));
          out.println(
              "following "
                  + root
                  + " every "
                  + o.getIntervalS()
                  + " s; updated "
                  + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                  + "; Ctrl-C to stop");
          out.flush();
          first = false;
        }
        Thread.sleep(intervalMs);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Totals of one worker. */
  static final class WorkerTotals {
    long successes;
    long failures;
    long retries;
  }

  /**
   * The status of a run by its id ({@link RunLock#status} in the {@code runs/} directory found at
   * or above {@code telemetry}), or null when there is no such directory or run.
   */
  static Function<String, String> runStatuses(Path telemetry) {
    Path runs = null;
    for (Path d = Files.isDirectory(telemetry) ? telemetry : telemetry.getParent();
        d != null;
        d = d.getParent()) {
      if (Files.isDirectory(d.resolve("runs"))) {
        runs = d.resolve("runs");
        break;
      }
    }
    Path found = runs;
    return id -> {
      if (found == null || id == null || !id.matches("[A-Za-z0-9_.-]+")) {
        return null;
      }
      return RunLock.status(found.resolve(id));
    };
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
