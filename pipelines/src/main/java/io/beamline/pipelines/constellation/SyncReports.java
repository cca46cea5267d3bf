package io.beamline.pipelines.constellation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.json.Json;
import io.beamline.transforms.sync.StreamSync;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;

/**
 * The sync reports, written and read here: {@code sync_report.json} (batch: session fields and one
 * entry per modality) or {@code sync_windows/window-<w>.jsonl} (streaming: one line per stream per
 * window), and the figures a session's commit records, read back from them.
 */
final class SyncReports {
  private SyncReports() {}

  /** Streaming: directory (under the session's raw directory) of the per-window sync reports. */
  static final String WINDOWS_DIR = "sync_windows";

  /** Batch: the session's sync report, in the session's raw directory. */
  static final String SESSION_REPORT = "sync_report.json";

  /** Indented, keys sorted: the constellation's JSON files. */
  static final ObjectMapper JSON = Json.SORTED;

  /** One JSON object per line (the report's mapper without indentation). */
  private static final ObjectWriter LINE =
      JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The sync figures of one aligned stream (of the session or of one window), typed: what the
   * report writers make of each aligned slice they are given.
   */
  record StreamFigures(
      long window,
      long pane,
      long firstIndex,
      String modality,
      String sensorId,
      String deviceId,
      String unit,
      double rate,
      int channels,
      StreamSync.Report report)
      implements Serializable {

    static StreamFigures of(AlignedSlice slice) {
      AlignedStream s = slice.stream();
      return new StreamFigures(
          slice.window(),
          slice.pane(),
          slice.firstIndex(),
          s.modality,
          s.sensorId,
          s.deviceId,
          s.unit,
          s.rate,
          s.channels,
          s.report);
    }

    /** The entry of {@code sync_report.json}. */
    Map<String, Object> sessionEntry(SessionPlan plan) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sensor_id", sensorId);
      m.put("device_id", deviceId);
      m.put("topic", plan.topic(plan.driver(sensorId).orElseThrow()));
      m.put("rate_hz", rate);
      m.put("channels", channels);
      m.put("unit", unit);
      putCounts(m);
      m.put("clock_offset_ms", finite(report.clockOffsetMs()));
      m.put("alignment_error_ms", finite(report.alignmentErrorMs()));
      m.put("jitter_ms", finite(report.jitterMs()));
      m.put("max_residual_ms", finite(report.maxResidualMs()));
      m.put("drift_ppm", finite(report.driftPpm()));
      m.put("offset_samples", report.offsetSamples());
      return m;
    }

    /** The line of {@code window-<w>.jsonl}. */
    Map<String, Object> windowEntry(SessionPlan plan) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("window", window);
      m.put("pane", pane);
      m.put("start_s", window * plan.windowNs / 1e9);
      m.put("end_s", plan.windowEndNs(window) / 1e9);
      m.put("modality", modality);
      m.put("sensor_id", sensorId);
      m.put("first_index", firstIndex);
      putCounts(m);
      m.put("clock_offset_ms", finite(report.clockOffsetMs()));
      m.put("jitter_ms", finite(report.jitterMs()));
      return m;
    }

    private void putCounts(Map<String, Object> m) {
      StreamSync.Report r = report;
      m.put("samples", r.samples());
      m.put("packets_expected", r.packetsExpected());
      m.put("packets_received", r.packetsReceived());
      m.put("dropped_packets", r.droppedPackets());
      m.put("gaps", r.gaps());
      m.put("missing_samples", r.missingSamples());
      m.put("gap_samples", r.gapSamples());
      m.put("duplicate_packets", r.duplicatePackets());
      m.put("rejected_packets", r.rejectedPackets());
    }
  }

  /** {@code NaN} (a figure that needs more packets) becomes JSON null. */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** The line of {@code window-<w>.jsonl} for one stream's figures, with its newline. */
  static String line(StreamFigures f, SessionPlan plan) {
    try {
      return LINE.writeValueAsString(f.windowEntry(plan)) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code sync_report.json}: session fields and one entry per modality, sorted. */
  static final class WriteSessionReportFn extends DoFn<KV<Long, Iterable<AlignedSlice>>, String> {
    private final SessionPlan plan;
    private final String path;

    WriteSessionReportFn(SessionPlan plan, String path) {
      this.plan = plan;
      this.path = path;
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<AlignedSlice>> all, OutputReceiver<String> out)
        throws IOException {
      Map<String, Object> modalities = new TreeMap<>();
      for (AlignedSlice s : all.getValue()) {
        StreamFigures f = StreamFigures.of(s);
        modalities.put(f.modality(), f.sessionEntry(plan));
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("subject_id", plan.subjectId);
      m.put("session_id", plan.sessionId);
      m.put("session_start", plan.sessionStart().toString());
      m.put("duration_s", plan.durationNs / 1e9);
      m.put("window_s", plan.windowNs / 1e9);
      m.put("windows", plan.grid().windows());
      m.put("seed", plan.seed);
      m.put("fault_injection", plan.faultInjection);
      m.put("modalities", modalities);
      AtomicFiles.writeString(Paths.get(path), json(m));
      out.output(path);
    }
  }

  /**
   * Writes one window's report {@code window-<w>.jsonl} (one line per stream, by sensor id; a late
   * pane {@code p} writes {@code window-<w>-pane<p>.jsonl}) atomically.
   */
  static final class WriteWindowReportFn extends DoFn<KV<Long, Iterable<AlignedSlice>>, String> {
    private final SessionPlan plan;
    private final String runId;
    private final String dir;

    WriteWindowReportFn(SessionPlan plan, String runId, String dir) {
      this.plan = plan;
      this.runId = runId;
      this.dir = dir;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, Iterable<AlignedSlice>> window, PaneInfo pane, OutputReceiver<String> out)
        throws IOException {
      List<StreamFigures> streams = new ArrayList<>();
      window.getValue().forEach(s -> streams.add(StreamFigures.of(s)));
      streams.sort(Comparator.comparing(StreamFigures::sensorId));
      StringBuilder lines = new StringBuilder();
      for (StreamFigures f : streams) {
        lines.append(line(f, plan));
      }
      long w = window.getKey();
      String name =
          pane.getIndex() == 0
              ? String.format("window-%06d.jsonl", w)
              : String.format("window-%06d-pane%d.jsonl", w, pane.getIndex());
      Path file = Paths.get(dir, name);
      AtomicFiles.writeString(file, lines.toString());
      Metrics.counter(ConstellationPipeline.NAMESPACE, "windows_written").inc();
      LiveSession.outputWritten(plan, runId, w);
      out.output(file.toString());
    }
  }

  /**
   * The figures recorded with a session's commit, read from its staged sets: from {@code
   * sync_report.json} (batch) the totals over streams and the worst alignment error, or from the
   * per-window reports (streaming) their count and totals; the shards and the rejected records.
   */
  static Map<String, Object> sessionDetails(Path raw, Path gold) throws IOException {
    Map<String, Object> d = new LinkedHashMap<>();
    long samples = 0;
    long expected = 0;
    long dropped = 0;
    long gaps = 0;
    double worst = Double.NaN;
    String worstStream = null;
    Path report = raw.resolve(SESSION_REPORT);
    List<JsonNode> streams = new ArrayList<>();
    boolean batch = Files.isRegularFile(report);
    if (batch) {
      JSON.readTree(report.toFile()).get("modalities").forEach(streams::add);
    } else {
      Path windows = raw.resolve(WINDOWS_DIR);
      long reported = 0;
      if (Files.isDirectory(windows)) {
        try (Stream<Path> s = Files.list(windows)) {
          for (Path f : s.sorted().toList()) {
            reported++;
            for (String line : Files.readAllLines(f)) {
              if (!line.isBlank()) {
                streams.add(JSON.readTree(line));
              }
            }
          }
        }
      }
      d.put("windows_reported", reported);
    }
    for (JsonNode m : streams) {
      samples += m.path("samples").asLong();
      expected += m.path("packets_expected").asLong();
      dropped += m.path("dropped_packets").asLong();
      gaps += m.path("gap_samples").asLong();
      JsonNode e = m.path("alignment_error_ms");
      if (e.isNumber() && !(e.asDouble() <= worst)) {
        worst = e.asDouble();
        worstStream = m.path("sensor_id").asText();
      }
    }
    d.put("streams", batch ? streams.size() : null);
    d.put("samples", samples);
    d.put("packets_expected", expected);
    d.put("dropped_packets", dropped);
    d.put("gap_samples", gaps);
    d.put("alignment_error_ms_max", Double.isNaN(worst) ? null : worst);
    d.put("alignment_error_worst", worstStream);
    d.put("shards", count(gold, f -> f.getFileName().toString().endsWith(".tar")));
    long rejected = 0;
    Path failures = raw.resolve("failures");
    if (Files.isDirectory(failures)) {
      try (Stream<Path> s = Files.list(failures)) {
        for (Path f : s.filter(Files::isRegularFile).toList()) {
          rejected += Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
        }
      }
    }
    d.put("records_rejected", rejected);
    return d;
  }

  private static long count(Path dir, java.util.function.Predicate<Path> which) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(which).count();
    }
  }
}
