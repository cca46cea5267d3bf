package io.beamline.pipelines.infer.orchestrate;

import static io.beamline.framework.backend.Launch.shellLine;

import io.beamline.io.files.AtomicFiles;
import io.beamline.io.json.Json;
import io.beamline.pipelines.infer.formats.Csv;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The plan of {@code beamline infer orchestrate} as shown and kept: a table on the console, and
 * {@code orchestrate_plan.csv} and {@code orchestrate_plan.json} under the run output directory.
 */
final class PlanReport {
  private PlanReport() {}

  /** Prints one line per planned run and the aggregation that follows them. */
  static void print(List<PlannedRun> rows, List<String> aggregate, PrintWriter out) {
    int w = Math.max(8, rows.stream().mapToInt(r -> r.recording().id().length()).max().orElse(0));
    String fmt = "%-" + w + "s  %6s  %-11s  %-6s  %s%n";
    out.printf(Locale.ROOT, fmt, "manifest", "chunks", "status", "resume", "command");
    for (PlannedRun r : rows) {
      List<String> cmd = new ArrayList<>(List.of("beamline"));
      cmd.addAll(r.args());
      out.printf(
          Locale.ROOT,
          fmt,
          r.recording().id() + ".csv",
          r.recording().chunks(),
          r.recording().status(),
          r.resumeSummary() == null ? "no" : "yes",
          shellLine(cmd));
    }
    List<String> agg = new ArrayList<>(List.of("beamline"));
    agg.addAll(aggregate);
    out.println("then: " + shellLine(agg));
  }

  /** Writes the plan files under {@code runOut}; {@code dir} is the directory given. */
  static void write(Path runOut, Path dir, List<PlannedRun> rows, List<String> aggregate)
      throws Exception {
    StringBuilder csv =
        new StringBuilder("recording_id,manifest,chunks,chunk_status,resume_summary,command\n");
    List<Map<String, Object>> json = new ArrayList<>();
    for (PlannedRun r : rows) {
      List<String> cmd = new ArrayList<>(List.of("beamline"));
      cmd.addAll(r.args());
      csv.append(Csv.field(r.recording().id()))
          .append(',')
          .append(Csv.field(r.recording().manifest().toString()))
          .append(',')
          .append(r.recording().chunks())
          .append(',')
          .append(Csv.field(r.recording().status()))
          .append(',')
          .append(r.resumeSummary() == null ? "" : Csv.field(r.resumeSummary().toString()))
          .append(',')
          .append(Csv.field(shellLine(cmd)))
          .append('\n');
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("recording_id", r.recording().id());
      m.put("manifest", r.recording().manifest().toString());
      m.put("chunks", r.recording().chunks());
      m.put("chunk_status", r.recording().status());
      m.put("resume_summary", r.resumeSummary() == null ? null : r.resumeSummary().toString());
      m.put("args", r.args());
      m.put("command", shellLine(cmd));
      json.add(m);
    }
    Map<String, Object> plan = new LinkedHashMap<>();
    plan.put("created_utc", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    plan.put("directory", dir.toString());
    plan.put("run_output_dir", runOut.toString());
    plan.put("runs", json);
    plan.put("aggregate", Map.of("args", aggregate));
    AtomicFiles.writeString(runOut.resolve(InferOrchestrateTool.PLAN_CSV), csv.toString());
    AtomicFiles.writeString(
        runOut.resolve(InferOrchestrateTool.PLAN_JSON),
        Json.PRETTY.writeValueAsString(plan) + "\n");
  }
}
