package io.beamline.pipelines.regions;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a regions run prints in the driver: the seed's header before the regions start, and after
 * the run the summary table of {@code regions_summary.json} with each failed region's error and
 * failure record. (The per-region banners come from the workers, {@link ProcessRegionFn} and {@link
 * RegionProgress}.)
 */
final class RegionsConsole {
  private RegionsConsole() {}

  /** The seed's header (range, filename, leadfield), as its orchestrator prints it. */
  static void header(PrintStream out, RegionsOptions o, String anatomy, Path outputDir) {
    String bar = "=".repeat(80);
    out.println(
        String.join(
            "\n",
            bar,
            "DEEPSIF DATA GENERATION PIPELINE",
            bar,
            "Start Region: " + o.getStartRegion(),
            "End Region: " + o.getEndRegion(),
            "Total Regions: " + (o.getEndRegion() - o.getStartRegion()),
            "Filename: " + o.getFilename(),
            "Leadfield: " + anatomy,
            "Output: " + outputDir,
            bar));
    out.flush();
  }

  /**
   * Prints the summary of {@code outputDir}'s {@code regions_summary.json} when run {@code runId}
   * wrote it (a run that ended before its tables prints none).
   */
  static void summary(PrintStream out, Path outputDir, String runId) throws IOException {
    Path json = outputDir.resolve(RegionsTables.SUMMARY_JSON);
    if (Files.isRegularFile(json)
        && Files.readString(json).contains("\"run_id\" : \"" + runId + "\"")) {
      out.print(summaryText(json));
      out.flush();
    }
  }

  /**
   * The final summary of {@code regions_summary.json}: counts of succeeded, failed and skipped
   * regions, a table with one line per region (label, status, spikes, seconds), then each failed
   * region with its error and the path of its failure record.
   */
  static String summaryText(Path json) throws IOException {
    JsonNode n = Json.MAPPER.readTree(json.toFile());
    Path root = json.toAbsolutePath().getParent();
    StringBuilder b = new StringBuilder();
    String bar = "#".repeat(80);
    b.append(bar).append('\n');
    b.append(
        String.format(
            Locale.ROOT,
            "# Summary: regions %d..%d: %d succeeded, %d failed, %d skipped (%.2f s)%n",
            n.get("start_region").asInt(),
            n.get("end_region").asInt() - 1,
            n.get("succeeded").size(),
            n.get("failed").size(),
            n.get("skipped").size(),
            n.get("total_seconds").asDouble()));
    b.append(bar).append('\n');
    int labelWidth = 5;
    for (JsonNode r : n.get("regions")) {
      labelWidth = Math.max(labelWidth, r.get("label").asText().length());
    }
    String row = "%6s  %-" + labelWidth + "s  %-9s  %6s  %9s%n";
    b.append(String.format(Locale.ROOT, row, "region", "label", "status", "spikes", "seconds"));
    for (JsonNode r : n.get("regions")) {
      b.append(
          String.format(
              Locale.ROOT,
              row,
              r.get("region").asInt(),
              r.get("label").asText().isEmpty() ? "-" : r.get("label").asText(),
              r.get("status").asText(),
              r.get("spikes").asInt(),
              String.format(Locale.ROOT, "%.2f", r.get("seconds").asDouble())));
    }
    for (JsonNode f : n.get("failed")) {
      b.append("\u2717 region ")
          .append(f.get("region").asInt())
          .append(": ")
          .append(f.get("error").asText())
          .append('\n')
          .append("  failure record: ")
          .append(root.resolve(f.get("record").asText()))
          .append('\n');
    }
    b.append("summary: ").append(json).append('\n');
    return b.toString();
  }
}
