package io.beamline.pipelines.infer.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.pipelines.infer.formats.ChunkManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code infer run} prints: the progress line on stderr while it runs, and at the end the
 * worker table, the throughput, notes about the resume summary and a warning about retried or
 * failed chunks, read from the files the run just wrote.
 */
final class InferRunConsole {
  private InferRunConsole() {}

  /** Prints the worker table, the retry/failure warning and the throughput. */
  static void report(String runId, RunPaths paths, RunPlan plan, double seconds, PrintStream out)
      throws IOException {
    Path dir = paths.summary();
    Map<String, RunFiles.WorkerCounts> workers = new TreeMap<>();
    List<String> flagged = new ArrayList<>();
    int succeeded = 0;
    int failed = 0;
    int processed = 0;
    for (ChunkManifest.Manifest m : plan.manifests()) {
      Path w = RunFiles.workersFile(dir, m.stem());
      if (Files.isRegularFile(w)) {
        RunFiles.readWorkers(w).forEach((k, v) -> workers.merge(k, v, RunFiles.WorkerCounts::plus));
      }
      Map<String, JsonNode> chunks =
          RunFiles.readChunks(RunFiles.summaryFile(dir, m.stem()), "summary");
      Set<String> kept = plan.kept().get(m.stem());
      for (Map.Entry<String, JsonNode> e : chunks.entrySet()) {
        if (kept.contains(e.getKey())) {
          continue;
        }
        processed++;
        JsonNode c = e.getValue();
        boolean ok = RunFiles.succeeded(c);
        if (ok) {
          succeeded++;
        } else {
          failed++;
        }
        int n = c.path("attempts").asInt();
        if (!ok || n > 1) {
          flagged.add(
              e.getKey()
                  + " ("
                  + (ok ? "succeeded" : "failed")
                  + " after "
                  + n
                  + " attempt"
                  + (n == 1 ? "" : "s")
                  + (c.path("last_error").isTextual() ? ": " + c.get("last_error").asText() : "")
                  + ")");
        }
      }
    }
    out.println("infer run " + runId + ": worker summary");
    out.println(
        String.format(
            Locale.ROOT, "  %-12s %10s %10s %10s", "worker", "successes", "failures", "retries"));
    for (Map.Entry<String, RunFiles.WorkerCounts> e : workers.entrySet()) {
      RunFiles.WorkerCounts c = e.getValue();
      out.println(
          String.format(
              Locale.ROOT,
              "  %-12s %10d %10d %10d",
              e.getKey(),
              c.successes(),
              c.failures(),
              c.retries()));
    }
    out.println(
        String.format(
            Locale.ROOT,
            "  chunks: %d processed (%d succeeded, %d failed), %d skipped by resume; %.1f s, %.2f"
                + " chunks/s",
            processed,
            succeeded,
            failed,
            plan.skipped(),
            seconds,
            processed / seconds));
    if (!plan.orphans().isEmpty()) {
      out.println(
          "  note: the resume summary lists "
              + plan.orphans().size()
              + " chunk(s) not in the manifest, ignored: "
              + String.join(", ", plan.orphans().subList(0, Math.min(5, plan.orphans().size())))
              + (plan.orphans().size() > 5 ? ", ..." : ""));
    }
    if (!plan.uncommitted().isEmpty()) {
      out.println(
          "  note: the resume summary marks "
              + plan.uncommitted().size()
              + " chunk(s) succeeded whose outputs are not committed in "
              + paths.output()
              + "; they ran again: "
              + String.join(
                  ", ", plan.uncommitted().subList(0, Math.min(5, plan.uncommitted().size())))
              + (plan.uncommitted().size() > 5 ? ", ..." : ""));
    }
    if (!flagged.isEmpty()) {
      int show = Math.min(10, flagged.size());
      out.println(
          "WARNING: "
              + flagged.size()
              + " chunk(s) retried or failed: "
              + String.join("; ", flagged.subList(0, show))
              + (flagged.size() > show ? "; and " + (flagged.size() - show) + " more" : "")
              + " (see "
              + paths.telemetry()
              + ")");
    }
  }
}
