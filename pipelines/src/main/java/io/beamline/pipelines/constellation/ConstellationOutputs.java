package io.beamline.pipelines.constellation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.nwb.NwbTimeSeries;
import io.beamline.io.sensors.SampleClock;
import io.beamline.io.webdataset.NpyArray;
import io.beamline.io.webdataset.WebDatasetSample;
import io.beamline.io.zarr.OmeZarrLayout;
import io.beamline.io.zarr.OmeZarrWriter;
import io.beamline.transforms.sync.SessionGrid;
import io.beamline.transforms.sync.StreamSync;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.MicrosInstant;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** The constellation pipeline's output steps: sync report, NWB, OME-Zarr, Parquet, WebDataset. */
final class ConstellationOutputs {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** One row per grid point of every stream; video rows carry no values, only the gap flag. */
  static final Schema ROW_SCHEMA =
      Schema.builder()
          .addStringField("subject_id")
          .addStringField("session_id")
          .addStringField("modality")
          .addStringField("sensor_id")
          .addInt64Field("sample_index")
          .addDoubleField("t_s")
          .addLogicalTypeField("time", new MicrosInstant())
          .addBooleanField("gap")
          .addArrayField("values", Schema.FieldType.FLOAT)
          .build();

  private ConstellationOutputs() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The packet and sample counts of a sync report, in the order both reports write them. */
  static void putCounts(Map<String, Object> m, StreamSync.Report r) {
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

  /** {@code NaN} (a figure that needs more packets) becomes JSON null. */
  static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** The sync figures of one stream, as the report writes them. */
  static Map<String, Object> figures(SessionPlan plan, AlignedStream s) {
    StreamSync.Report r = s.report;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sensor_id", s.sensorId);
    m.put("device_id", s.deviceId);
    m.put("topic", plan.topic(plan.driver(s.sensorId).orElseThrow()));
    m.put("rate_hz", s.rate);
    m.put("channels", s.channels);
    m.put("unit", s.unit);
    putCounts(m, r);
    m.put("clock_offset_ms", finite(r.clockOffsetMs()));
    m.put("alignment_error_ms", finite(r.alignmentErrorMs()));
    m.put("jitter_ms", finite(r.jitterMs()));
    m.put("max_residual_ms", finite(r.maxResidualMs()));
    m.put("drift_ppm", finite(r.driftPpm()));
    m.put("offset_samples", r.offsetSamples());
    return m;
  }

  /** {@code KV<modality, figures as JSON>}. */
  static final class ReportEntryFn extends DoFn<AlignedStream, KV<String, String>> {
    private final SessionPlan plan;

    ReportEntryFn(SessionPlan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element AlignedStream s, OutputReceiver<KV<String, String>> out) {
      out.output(KV.of(s.modality, json(figures(plan, s))));
    }
  }

  /** Gathers every entry into one group, for a single writer. */
  static PTransform<
          PCollection<KV<String, String>>, PCollection<KV<Void, Iterable<KV<String, String>>>>>
      gather() {
    return new PTransform<>() {
      @Override
      public PCollection<KV<Void, Iterable<KV<String, String>>>> expand(
          PCollection<KV<String, String>> input) {
        return input
            .apply("KeyAllToOne", WithKeys.<Void, KV<String, String>>of((Void) null))
            .setCoder(
                KvCoder.of(VoidCoder.of(), KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of())))
            .apply("GroupAll", GroupByKey.create());
      }
    };
  }

  /** Writes {@code sync_report.json}: session fields and one entry per modality, sorted. */
  static final class WriteReportFn extends DoFn<KV<Void, Iterable<KV<String, String>>>, String> {
    private final SessionPlan plan;
    private final String path;

    WriteReportFn(SessionPlan plan, String path) {
      this.plan = plan;
      this.path = path;
    }

    @ProcessElement
    public void process(
        @Element KV<Void, Iterable<KV<String, String>>> all, OutputReceiver<String> out)
        throws IOException {
      Map<String, Object> modalities = new TreeMap<>();
      for (KV<String, String> e : all.getValue()) {
        modalities.put(e.getKey(), JSON.readTree(e.getValue()));
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

  /** One NWB TimeSeries per time-series modality (video goes to OME-Zarr). */
  static final class ToNwbSeriesFn extends DoFn<AlignedStream, NwbTimeSeries> {
    @ProcessElement
    public void process(@Element AlignedStream s, OutputReceiver<NwbTimeSeries> out) {
      if (s.isVideo() || s.samples() == 0) {
        return;
      }
      out.output(
          NwbTimeSeries.ofRate(s.modality, s.floats, s.channels, s.unit, 0.0, s.rate)
              .withDescription(
                  s.modality + " from " + s.deviceId + ", " + s.channels + " channel(s)")
              .withComments(
                  "Resampled onto the session grid by Beamline constellation; NaN marks "
                      + s.report.gapSamples()
                      + " sample(s) lost in transit (see sync_report.json)"));
    }
  }

  /**
   * Writes the video stream as an OME-Zarr image ({@code t, c, z, y, x}), frames that were lost
   * left unwritten (they read as the fill value 0; the Parquet table flags them). The image is
   * built under a temporary name and renamed into place.
   */
  static final class WriteVideoFn extends DoFn<AlignedStream, String> {
    private final String root;
    private final String sessionStart;

    WriteVideoFn(String root, String sessionStart) {
      this.root = root;
      this.sessionStart = sessionStart;
    }

    @ProcessElement
    public void process(@Element AlignedStream s, OutputReceiver<String> out) throws IOException {
      if (!s.isVideo()) {
        return;
      }
      int h = s.frameHeight();
      int w = s.frameWidth();
      OmeZarrLayout layout = OmeZarrLayout.of(3, h, w).withFrameRate(s.rate);
      Path target = Paths.get(root);
      Files.createDirectories(target.getParent());
      Path tmp = AtomicFiles.temporarySibling(target);
      try {
        int frameBytes = h * w * 3;
        for (int k = 0; k < s.samples(); k++) {
          if (!s.gap[k]) {
            byte[] frame = Arrays.copyOfRange(s.bytes, k * frameBytes, (k + 1) * frameBytes);
            OmeZarrWriter.writeFrameChunks(tmp, layout, k, OmeZarrWriter.planar(frame, h, w, 3));
          }
        }
        OmeZarrWriter.writeMetadata(tmp, layout, s.samples());
        // A retried bundle finds its earlier image: replaced as a whole, never merged.
        AtomicFiles.replaceDirectory(tmp, target);
      } catch (IOException | RuntimeException e) {
        AtomicFiles.deleteTree(tmp);
        throw e;
      }
      out.output(root);
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
    Path report = raw.resolve("sync_report.json");
    List<JsonNode> streams = new ArrayList<>();
    boolean batch = Files.isRegularFile(report);
    if (batch) {
      JSON.readTree(report.toFile()).get("modalities").forEach(streams::add);
    } else {
      Path windows = raw.resolve(ConstellationPipeline.SYNC_WINDOWS_DIR);
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
    long shards = 0;
    if (Files.isDirectory(gold)) {
      try (Stream<Path> s = Files.list(gold)) {
        shards = s.filter(f -> f.getFileName().toString().endsWith(".tar")).count();
      }
    }
    d.put("shards", shards);
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

  /** One Parquet row per grid point. */
  static final class ToRowsFn extends DoFn<AlignedStream, Row> {
    private final SessionPlan plan;

    ToRowsFn(SessionPlan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element AlignedStream s, OutputReceiver<Row> out) {
      Instant start = plan.sessionStart();
      List<Float> none = List.of();
      for (int k = 0; k < s.samples(); k++) {
        long ns = SampleClock.timestampNs(0, k, s.rate);
        List<Float> values = none;
        if (!s.isVideo()) {
          Float[] v = new Float[s.channels];
          for (int c = 0; c < s.channels; c++) {
            v[c] = s.floats[k * s.channels + c];
          }
          values = Arrays.asList(v);
        }
        out.output(
            Row.withSchema(ROW_SCHEMA)
                .addValues(
                    plan.subjectId,
                    plan.sessionId,
                    s.modality,
                    s.sensorId,
                    (long) k,
                    ns / 1e9,
                    start.plusNanos(ns).truncatedTo(ChronoUnit.MICROS),
                    s.gap[k],
                    values)
                .build());
      }
    }
  }

  /** One stream's share of one window. */
  static final class WindowPart implements Serializable {
    private static final long serialVersionUID = 1L;

    final String modality;
    final String sensorId;
    final String unit;
    final double rate;
    final int channels;
    final int height;
    final int width;
    final long firstIndex;
    final int samples;
    final long gapSamples;
    final float[] floats;
    final byte[] bytes;

    WindowPart(AlignedStream s, long first, long end) {
      this(s, first, end, first);
    }

    /** Samples {@code [first, end)} of {@code s}, which starts at session grid index {@code at}. */
    WindowPart(AlignedStream s, long first, long end, long at) {
      this.modality = s.modality;
      this.sensorId = s.sensorId;
      this.unit = s.unit;
      this.rate = s.rate;
      this.channels = s.channels;
      this.height = s.frameHeight();
      this.width = s.frameWidth();
      this.firstIndex = at;
      this.samples = (int) (end - first);
      long gaps = 0;
      for (long k = first; k < end; k++) {
        if (s.gap[(int) k]) {
          gaps++;
        }
      }
      this.gapSamples = gaps;
      int from = (int) (first * s.channels);
      int to = (int) (end * s.channels);
      this.floats = s.floats == null ? null : Arrays.copyOfRange(s.floats, from, to);
      this.bytes = s.bytes == null ? null : Arrays.copyOfRange(s.bytes, from, to);
    }
  }

  /** Cuts each stream into the session's windows: {@code KV<window, part>}. */
  static final class CutWindowsFn extends DoFn<AlignedStream, KV<Long, WindowPart>> {
    private final SessionPlan plan;

    CutWindowsFn(SessionPlan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element AlignedStream s, OutputReceiver<KV<Long, WindowPart>> out) {
      SessionGrid grid = plan.grid();
      for (long w = 0; w < grid.windows(); w++) {
        out.output(
            KV.of(w, new WindowPart(s, grid.firstIndex(s.rate, w), grid.endIndex(s.rate, w))));
      }
    }
  }

  /**
   * One WebDataset sample per window: {@code <key>.<modality>.npy} per stream (float32 {@code
   * samples x channels} with NaN at gaps; video uint8 {@code frames x height x width x 3}) and
   * {@code <key>.json} with the window's times and per-stream gap counts.
   */
  static final class ToSampleFn extends DoFn<KV<Long, Iterable<WindowPart>>, WebDatasetSample> {
    private final SessionPlan plan;

    ToSampleFn(SessionPlan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, Iterable<WindowPart>> window, OutputReceiver<WebDatasetSample> out) {
      long w = window.getKey();
      String key = String.format("%s_%s_%06d", plan.subjectId, plan.sessionId, w);
      List<WindowPart> parts = new ArrayList<>();
      window.getValue().forEach(parts::add);
      parts.sort(Comparator.comparing((WindowPart p) -> p.modality));
      WebDatasetSample sample = WebDatasetSample.of(key);
      Map<String, Object> streams = new LinkedHashMap<>();
      for (WindowPart p : parts) {
        NpyArray array =
            p.bytes != null
                ? NpyArray.uint8(p.bytes, p.samples, p.height, p.width, 3)
                : NpyArray.float32(p.floats, p.samples, p.channels);
        sample = sample.withNpy(p.modality + ".npy", array);
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("sensor_id", p.sensorId);
        one.put("rate_hz", p.rate);
        one.put("unit", p.unit);
        one.put("first_index", p.firstIndex);
        one.put("samples", p.samples);
        one.put("gap_samples", p.gapSamples);
        streams.put(p.modality, one);
      }
      long end = Math.min(plan.durationNs, (w + 1) * plan.windowNs);
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("key", key);
      meta.put("subject_id", plan.subjectId);
      meta.put("session_id", plan.sessionId);
      meta.put("window", w);
      meta.put("start_s", w * plan.windowNs / 1e9);
      meta.put("end_s", end / 1e9);
      meta.put("streams", streams);
      out.output(sample.withJson("json", json(meta)));
    }
  }
}
