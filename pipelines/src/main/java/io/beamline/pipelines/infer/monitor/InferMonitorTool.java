package io.beamline.pipelines.infer.monitor;

import io.beamline.framework.BeamlineTool;
import io.beamline.framework.BeamlineToolOptions;
import io.beamline.framework.UserInputException;
import io.beamline.framework.run.RunLock;
import io.beamline.pipelines.infer.formats.TelemetryLog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;
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
      out.print(MonitorReport.render(tail, true, o.getSparklineWidth(), runStatuses(root)));
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
          out.print(MonitorReport.render(tail, false, o.getSparklineWidth(), runStatuses(root)));
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
}
