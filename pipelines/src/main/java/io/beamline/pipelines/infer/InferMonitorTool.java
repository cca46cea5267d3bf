package io.beamline.pipelines.infer;

import io.beamline.pipelines.BeamlineTool;
import io.beamline.pipelines.BeamlineToolOptions;
import io.beamline.pipelines.UserInputException;
import io.beamline.pipelines.infer.TelemetryTail.Attempt;
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
    TelemetryTail tail = new TelemetryTail(root);
    if (!o.getFollow()) {
      if (!Files.exists(root)) {
        throw new UserInputException(
            "telemetry not found: "
                + o.getTelemetry()
                + "; give the telemetry JSONL of 'beamline infer run' (<output-dir>/telemetry/)"
                + " or its directory");
      }
      tail.poll();
      out.print(render(tail, true, o.getSparklineWidth()));
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
          out.print(render(tail, false, o.getSparklineWidth()));
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
   * The report: files and attempts read, a per-worker table (attempts that succeeded, failed for
   * good, or will be retried), chunk outcomes (each chunk's latest attempt), the retry sparkline.
   * {@code once} also counts a last line that lacks only its newline.
   */
  static String render(TelemetryTail tail, boolean once, int width) {
    List<Attempt> attempts = new ArrayList<>(tail.attempts());
    if (once) {
      attempts.addAll(tail.completePending());
    }
    Map<String, WorkerTotals> workers = new TreeMap<>();
    Map<String, String> chunkStatus = new LinkedHashMap<>();
    for (Attempt a : attempts) {
      WorkerTotals w = workers.computeIfAbsent(a.worker(), k -> new WorkerTotals());
      switch (a.status()) {
        case "succeeded" -> w.successes++;
        case "failed" -> w.failures++;
        case "retrying" -> w.retries++;
        default -> {}
      }
      if (a.chunkId() != null) {
        chunkStatus.put(a.chunkId(), a.status());
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
            chunkStatus.size(),
            chunkStatus.size() == 1 ? "" : "s"));
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
    long done = chunkStatus.values().stream().filter("succeeded"::equals).count();
    long failed = chunkStatus.values().stream().filter("failed"::equals).count();
    long retrying = chunkStatus.values().stream().filter("retrying"::equals).count();
    b.append(
        String.format(
            Locale.ROOT,
            "chunks: %d succeeded, %d failed, %d awaiting a retry%n",
            done,
            failed,
            retrying));
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
