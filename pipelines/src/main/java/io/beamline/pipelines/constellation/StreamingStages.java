package io.beamline.pipelines.constellation;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.beamline.io.files.AtomicFiles;
import io.beamline.io.sensors.SampleClock;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCodec;
import io.beamline.transforms.sync.StreamSync;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Paths;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.CustomTimestampPolicyWithLimitedDelay;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Duration;
import org.joda.time.Instant;

/** The stages of {@code --streaming}: event time, per-window sync and per-window outputs. */
final class StreamingStages {
  private StreamingStages() {}

  /** One JSON object per line (the report's mapper without indentation). */
  private static final ObjectWriter LINE =
      ConstellationOutputs.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

  /**
   * Event time of a record: the session-timeline time of its packet ({@link
   * StreamingWindows#packetEventTimeMs}), decoded from the value; a record that does not decode or
   * is of another session keeps its Kafka timestamp (the decode stage rejects it).
   */
  static final class PacketTimeFn
      implements SerializableFunction<KafkaRecord<byte[], byte[]>, Instant> {
    private static final long serialVersionUID = 1L;
    private final SessionPlan plan;

    PacketTimeFn(SessionPlan plan) {
      this.plan = plan;
    }

    @Override
    public Instant apply(KafkaRecord<byte[], byte[]> r) {
      try {
        SensorEvent e = SensorEventCodec.decode(r.getKV().getValue());
        Optional<SensorDriver> d = plan.driver(e.sensorId());
        if (d.isPresent()
            && e.subjectId().equals(plan.subjectId)
            && e.sessionId().equals(plan.sessionId)) {
          return new Instant(StreamingWindows.packetEventTimeMs(plan, d.get(), e.seq()));
        }
      } catch (RuntimeException e) {
        // fall through: the decode stage reports it
      }
      return new Instant(r.getTimestamp());
    }
  }

  /** Event-time policy of every topic: packet time, watermark {@code maxDelay} behind it. */
  static final class EventTimePolicy implements TimestampPolicyFactory<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final SessionPlan plan;
    private final Duration maxDelay;

    EventTimePolicy(SessionPlan plan, Duration maxDelay) {
      this.plan = plan;
      this.maxDelay = maxDelay;
    }

    @Override
    public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
        TopicPartition tp, Optional<Instant> previousWatermark) {
      return new CustomTimestampPolicyWithLimitedDelay<>(
          new PacketTimeFn(plan), maxDelay, previousWatermark);
    }
  }

  /** One sensor's share of one window, aligned, with the pane it was computed in. */
  static final class WindowSlice implements Serializable {
    private static final long serialVersionUID = 1L;
    final long window;
    final long pane;
    final long firstIndex;
    final AlignedStream stream;

    WindowSlice(long window, long pane, long firstIndex, AlignedStream stream) {
      this.window = window;
      this.pane = pane;
      this.firstIndex = firstIndex;
      this.stream = stream;
    }

    ConstellationOutputs.WindowPart part() {
      return new ConstellationOutputs.WindowPart(stream, 0, stream.samples(), firstIndex);
    }

    /** The window's sync figures for this stream, as one JSON object. */
    Map<String, Object> figures(SessionPlan plan) {
      StreamSync.Report r = stream.report;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("window", window);
      m.put("pane", pane);
      m.put("start_s", window * plan.windowNs / 1e9);
      m.put("end_s", Math.min(plan.durationNs, (window + 1) * plan.windowNs) / 1e9);
      m.put("modality", stream.modality);
      m.put("sensor_id", stream.sensorId);
      m.put("first_index", firstIndex);
      ConstellationOutputs.putCounts(m, r);
      m.put("clock_offset_ms", ConstellationOutputs.finite(r.clockOffsetMs()));
      m.put("jitter_ms", ConstellationOutputs.finite(r.jitterMs()));
      return m;
    }
  }

  /** Window index of an event-time window of the session. */
  static long windowIndex(SessionPlan plan, BoundedWindow window) {
    long startMs = ((IntervalWindow) window).start().getMillis();
    return (startMs - plan.sessionStartNs / 1_000_000L) / (plan.windowNs / 1_000_000L);
  }

  /** Per window, per sensor: {@link StreamingWindows#align} on the window's packets. */
  static final class WindowSyncFn
      extends DoFn<KV<String, Iterable<SensorEvent>>, KV<Long, WindowSlice>> {
    private final SessionPlan plan;
    private final String runId;

    WindowSyncFn(SessionPlan plan, String runId) {
      this.plan = plan;
      this.runId = runId;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<SensorEvent>> stream,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<KV<Long, WindowSlice>> out) {
      SensorDriver d =
          plan.driver(stream.getKey())
              .orElseThrow(
                  () -> new IllegalStateException("no driver for sensor " + stream.getKey()));
      long w = windowIndex(plan, window);
      StreamingWindows.Aligned a = StreamingWindows.align(plan, d, w, stream.getValue());
      StreamSync.Report r = a.result().report();
      Metrics.counter(ConstellationPipeline.NAMESPACE, "packets_dropped_" + d.modality())
          .inc(r.droppedPackets());
      Metrics.counter(ConstellationPipeline.NAMESPACE, "gap_samples_" + d.modality())
          .inc(r.gapSamples());
      Metrics.counter(ConstellationPipeline.NAMESPACE, "windows_aligned").inc();
      ConstellationConsole.progress(runId).synced.addAndGet(r.samples() - r.gapSamples());
      AlignedStream s =
          new AlignedStream(
              d.modality(),
              d.sensorId(),
              d.deviceId(),
              d.unit(),
              d.sampleRate(),
              d.channels(),
              d.meta(),
              a.result());
      out.output(KV.of(w, new WindowSlice(w, pane.getIndex(), a.firstIndex(), s)));
    }
  }

  /**
   * Per window: writes the window's sync report {@code window-<w>.jsonl} (one line per stream; a
   * late pane {@code p} writes {@code window-<w>-pane<p>.jsonl}) atomically, and emits the window's
   * parts for its WebDataset sample.
   */
  static final class WindowOutputsFn
      extends DoFn<
          KV<Long, Iterable<WindowSlice>>, KV<Long, Iterable<ConstellationOutputs.WindowPart>>> {
    private final SessionPlan plan;
    private final String dir;

    WindowOutputsFn(SessionPlan plan, String dir) {
      this.plan = plan;
      this.dir = dir;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, Iterable<WindowSlice>> window,
        PaneInfo pane,
        OutputReceiver<KV<Long, Iterable<ConstellationOutputs.WindowPart>>> out)
        throws IOException {
      List<WindowSlice> slices = new ArrayList<>();
      window.getValue().forEach(slices::add);
      slices.sort(Comparator.comparing((WindowSlice s) -> s.stream.sensorId));
      StringBuilder lines = new StringBuilder();
      List<ConstellationOutputs.WindowPart> parts = new ArrayList<>();
      for (WindowSlice s : slices) {
        lines.append(LINE.writeValueAsString(s.figures(plan))).append('\n');
        parts.add(s.part());
      }
      long w = window.getKey();
      String name =
          pane.getIndex() == 0
              ? String.format("window-%06d.jsonl", w)
              : String.format("window-%06d-pane%d.jsonl", w, pane.getIndex());
      AtomicFiles.writeString(Paths.get(dir, name), lines.toString());
      Metrics.counter(ConstellationPipeline.NAMESPACE, "windows_written").inc();
      out.output(KV.of(w, parts));
    }
  }

  /** One Parquet row per grid point of a window slice (session grid indices). */
  static final class WindowRowsFn extends DoFn<KV<Long, WindowSlice>, Row> {
    private final SessionPlan plan;

    WindowRowsFn(SessionPlan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element KV<Long, WindowSlice> slice, OutputReceiver<Row> out) {
      WindowSlice w = slice.getValue();
      AlignedStream s = w.stream;
      java.time.Instant start = plan.sessionStart();
      List<Float> none = List.of();
      for (int k = 0; k < s.samples(); k++) {
        long index = w.firstIndex + k;
        long ns = SampleClock.timestampNs(0, index, s.rate);
        List<Float> values = none;
        if (!s.isVideo()) {
          Float[] v = new Float[s.channels];
          for (int c = 0; c < s.channels; c++) {
            v[c] = s.floats[k * s.channels + c];
          }
          values = Arrays.asList(v);
        }
        out.output(
            Row.withSchema(ConstellationOutputs.ROW_SCHEMA)
                .addValues(
                    plan.subjectId,
                    plan.sessionId,
                    s.modality,
                    s.sensorId,
                    index,
                    ns / 1e9,
                    start.plusNanos(ns).truncatedTo(ChronoUnit.MICROS),
                    s.gap[k],
                    values)
                .build());
      }
    }
  }
}
