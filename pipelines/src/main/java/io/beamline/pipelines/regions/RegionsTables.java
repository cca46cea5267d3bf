package io.beamline.pipelines.regions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.mat.MatFileException;
import io.beamline.io.parquet.ParquetTableIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/**
 * The tables and summaries of the regions pipeline, all derived from commit records ({@link
 * ItemCommits}) once every region of the run has ended, never written ahead of them:
 *
 * <ul>
 *   <li>{@code spike_clips/nmm_<f>.parquet}: one row per clip of every committed region of the
 *       spike folder, whichever run or batch committed it ({@link RegionsPipeline#SPIKE_CLIPS});
 *   <li>{@code region_summary/nmm_<f>.parquet}: one row per region with a record, succeeded or
 *       failed ({@link RegionsPipeline#REGION_SUMMARY});
 *   <li>{@code regions_summary.json}: the run's own regions (succeeded, failed with the error and
 *       the failure record, skipped), read by {@link #summaryText} for the final console summary.
 * </ul>
 *
 * <p>Each file is replaced atomically, so a reader sees the previous version or the new one; a run
 * killed before this step leaves them as the previous run derived them, and the next run derives
 * them again from what is committed.
 */
final class RegionsTables {
  static final String SUMMARY_JSON = "regions_summary.json";

  private RegionsTables() {}

  /** Writes {@code rows} as a Parquet table at {@code target}, atomically. */
  static void writeParquet(Schema schema, String name, Iterable<Row> rows, Path target)
      throws IOException {
    Files.createDirectories(target.getParent());
    Path tmp = AtomicFiles.temporarySibling(target);
    try {
      ParquetTableIO.writeFile(schema, name, rows, tmp);
      AtomicFiles.force(tmp);
      AtomicFiles.moveIntoPlace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Derives the tables and the run's summary from the commit records; runs once per run. */
  static final class DeriveTablesFn extends DoFn<KV<String, Iterable<Integer>>, Void> {
    private final RegionSettings settings;
    private final ItemCommits commits;
    private final String runId;
    private final int start;
    private final int end;

    DeriveTablesFn(RegionSettings settings, ItemCommits commits, String runId, int start, int end) {
      this.settings = settings;
      this.commits = commits;
      this.runId = runId;
      this.start = start;
      this.end = end;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Integer>> ignored) throws Exception {
      String folder = settings.spikeFolder();
      Path root = Paths.get(settings.root);
      RegionWork work = new RegionWork(settings, null);
      TreeMap<Integer, CommitRecord> records = new TreeMap<>();
      for (CommitRecord r : commits.readAll().values()) {
        int region = ProcessRegionFn.region(folder, r.item());
        if (region >= 0) {
          records.put(region, r);
        }
      }
      List<Row> clips = new ArrayList<>();
      List<Row> summary = new ArrayList<>();
      Map<Integer, String> statusOf = new TreeMap<>();
      for (Map.Entry<Integer, CommitRecord> e : records.entrySet()) {
        int region = e.getKey();
        CommitRecord r = e.getValue();
        Map<String, Object> d = r.details();
        String status;
        if (r.succeeded()) {
          if (!commits.outputsPresent(r)) {
            // Changed on disk since its commit: not vouched for, redone by the next run over it.
            continue;
          }
          status = ItemCommits.SUCCEEDED;
          List<RegionWork.Clip> regionClips;
          try {
            regionClips = work.committedClips(region, ints(d.get("iterations")));
          } catch (MatFileException ex) {
            // Replaced by a concurrent batch in the same folder right now: its run derives it.
            continue;
          }
          for (RegionWork.Clip c : regionClips) {
            clips.add(
                Row.withSchema(RegionsPipeline.SPIKE_CLIPS)
                    .addValues(
                        c.region(),
                        c.iteration(),
                        c.clip(),
                        c.spikeTime(),
                        c.clipStart(),
                        c.alpha(),
                        c.file())
                    .build());
          }
        } else {
          status = ItemCommits.FAILED;
        }
        statusOf.put(region, status);
        summary.add(
            Row.withSchema(RegionsPipeline.REGION_SUMMARY)
                .addValues(
                    region,
                    String.valueOf(d.getOrDefault("label", "")),
                    status,
                    r.error(),
                    number(d.get("spikes")).intValue(),
                    number(d.get("seconds")).doubleValue(),
                    r.runId())
                .build());
      }
      clips.sort(
          Comparator.<Row>comparingInt(x -> x.getInt32("region"))
              .thenComparingInt(x -> x.getInt32("clip")));
      writeParquet(
          RegionsPipeline.SPIKE_CLIPS,
          "spike_clips",
          clips,
          root.resolve("spike_clips").resolve(folder + ".parquet"));
      writeParquet(
          RegionsPipeline.REGION_SUMMARY,
          "region_summary",
          summary,
          root.resolve("region_summary").resolve(folder + ".parquet"));
      writeSummaryJson(root, folder, records, statusOf);
    }

    /** {@code regions_summary.json}: this run's regions, from their records. */
    private void writeSummaryJson(
        Path root,
        String folder,
        TreeMap<Integer, CommitRecord> records,
        Map<Integer, String> verified)
        throws IOException {
      List<Integer> succeeded = new ArrayList<>();
      List<Integer> skipped = new ArrayList<>();
      List<Map<String, Object>> failed = new ArrayList<>();
      List<Map<String, Object>> regions = new ArrayList<>();
      double total = 0;
      for (int region = start; region < end; region++) {
        CommitRecord r = records.get(region);
        String record =
            root.relativize(commits.recordFile(ProcessRegionFn.key(folder, region))).toString();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("region", region);
        entry.put(
            "label",
            r == null
                ? (region < settings.labels.length ? settings.labels[region] : "")
                : String.valueOf(r.details().getOrDefault("label", "")));
        String status;
        double seconds = 0;
        int spikes = 0;
        if (r == null || verified.get(region) == null) {
          status = "missing";
        } else if (!runId.equals(r.runId())) {
          status = r.succeeded() ? "skipped" : "missing";
          spikes = number(r.details().get("spikes")).intValue();
        } else {
          status = r.succeeded() ? "succeeded" : "failed";
          seconds = number(r.details().get("seconds")).doubleValue();
          spikes = number(r.details().get("spikes")).intValue();
        }
        entry.put("status", status);
        entry.put("spikes", spikes);
        entry.put("seconds", seconds);
        entry.put("record", record);
        total += seconds;
        switch (status) {
          case "succeeded" -> succeeded.add(region);
          case "skipped" -> skipped.add(region);
          default -> {
            String error = r == null || r.error() == null ? "no record was committed" : r.error();
            entry.put("error", error);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("region", region);
            f.put("error", error);
            f.put("record", record);
            failed.add(f);
          }
        }
        regions.add(entry);
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("run_id", runId);
      json.put("start_region", start);
      json.put("end_region", end);
      json.put("spike_folder", folder);
      json.put("succeeded", succeeded);
      json.put("failed", failed);
      json.put("skipped", skipped);
      json.put("regions", regions);
      json.put("total_seconds", total);
      json.put("records", root.relativize(commits.directory()).toString());
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      AtomicFiles.writeString(root.resolve(SUMMARY_JSON), mapper.writeValueAsString(json) + "\n");
    }
  }

  static List<Integer> ints(Object list) {
    List<Integer> out = new ArrayList<>();
    if (list instanceof List<?> l) {
      for (Object o : l) {
        out.add(number(o).intValue());
      }
    }
    return out;
  }

  static Number number(Object o) {
    return o instanceof Number n ? n : 0;
  }

  /**
   * The final summary of {@code regions_summary.json}: counts of succeeded, failed and skipped
   * regions, a table with one line per region (label, status, spikes, seconds), then each failed
   * region with its error and the path of its failure record.
   */
  static String summaryText(Path json) throws IOException {
    JsonNode n = new ObjectMapper().readTree(json.toFile());
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
