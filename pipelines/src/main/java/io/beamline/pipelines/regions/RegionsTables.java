package io.beamline.pipelines.regions;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.framework.run.CommitRecord;
import io.beamline.framework.run.ItemCommits;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.json.Json;
import io.beamline.io.mat.MatFileException;
import io.beamline.io.parquet.ParquetTableIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;

/**
 * The tables and summaries of the regions pipeline, all derived from commit records ({@link
 * ItemCommits}) once every region of the run has ended, never written ahead of them:
 *
 * <ul>
 *   <li>{@code spike_clips/nmm_<f>.parquet}: one row per clip of every committed region of the
 *       spike folder, whichever run or batch committed it ({@link #SPIKE_CLIPS});
 *   <li>{@code region_summary/nmm_<f>.parquet}: one row per region with a record, succeeded or
 *       failed ({@link #REGION_SUMMARY});
 *   <li>{@code regions_summary.json}: the run's own regions (succeeded, failed with the error and
 *       the failure record, skipped), read by {@link RegionsConsole#summaryText} for the final
 *       console summary.
 * </ul>
 *
 * <p>Each file is replaced atomically, so a reader sees the previous version or the new one; a run
 * killed before this step leaves them as the previous run derived them, and the next run derives
 * them again from what is committed.
 */
final class RegionsTables {
  static final String SUMMARY_JSON = "regions_summary.json";

  /** Clip index table: one row per {@code nmm_<k>.mat} of a committed region. */
  static final Schema SPIKE_CLIPS =
      Schema.builder()
          .addInt32Field("region")
          .addInt32Field("iteration")
          .addInt32Field("clip")
          .addInt32Field("spike_time")
          .addInt32Field("clip_start")
          .addDoubleField("alpha")
          .addStringField("file")
          .build();

  /**
   * One row per region with a record: {@code status} succeeded or failed (with the {@code error}),
   * and the run that recorded it.
   */
  static final Schema REGION_SUMMARY =
      Schema.builder()
          .addInt32Field("region")
          .addStringField("label")
          .addStringField("status")
          .addNullableField("error", Schema.FieldType.STRING)
          .addInt32Field("spikes")
          .addDoubleField("seconds")
          .addStringField("run_id")
          .build();

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
  static final class DeriveTablesFn extends DoFn<RegionsEnded, Void> {
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
    public void process(@Element RegionsEnded ignored) throws Exception {
      String folder = settings.output().spikeFolder();
      Path root = settings.output().rootDir();
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
                Row.withSchema(SPIKE_CLIPS)
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
            Row.withSchema(REGION_SUMMARY)
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
          SPIKE_CLIPS,
          "spike_clips",
          clips,
          root.resolve("spike_clips").resolve(folder + ".parquet"));
      writeParquet(
          REGION_SUMMARY,
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
                ? settings.anatomy().label(region)
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
      ObjectMapper mapper = Json.PRETTY;
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
}
