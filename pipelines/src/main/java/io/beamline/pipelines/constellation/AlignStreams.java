package io.beamline.pipelines.constellation;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.sensors.SensorEvent;
import io.beamline.io.sensors.SensorEventCoder;
import io.beamline.transforms.sync.StreamSync;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;

/**
 * {@code align-streams}: places every sensor's packets on the session grid ({@link StreamSync}):
 * per sensor over the whole session (batch), or per sensor per event-time window ({@code
 * --streaming}, {@link StreamingWindows#align}). Lost packets become flagged gaps, never
 * interpolated across. In batch, every sensor of the session yields a stream, even one that lost
 * every packet.
 */
final class AlignStreams
    extends Module<AlignStreams.Config, PCollection<SensorEvent>, PCollection<AlignedSlice>> {
  private static final long serialVersionUID = 1L;

  static final Port EVENTS = SessionSource.EVENTS;
  static final Port STREAMS = Port.of("streams", AlignedSlice.class);

  private static final KvCoder<String, SensorEvent> STREAM_CODER =
      KvCoder.of(StringUtf8Coder.of(), NullableCoder.of(SensorEventCoder.of()));

  /**
   * @param plan the session
   * @param runId the run whose progress line counts the samples synced
   * @param windowing the whole session or event-time windows
   */
  record Config(SessionPlan plan, String runId, Windowing windowing)
      implements ModuleConfig<AlignStreams> {
    Config {
      if (plan == null || runId == null || windowing == null) {
        throw new IllegalArgumentException(
            String.format(
                "align-streams needs plan, runId and windowing, got %s, %s, %s",
                plan, runId, windowing));
      }
    }

    @Override
    public AlignStreams toModule() {
      return new AlignStreams(this);
    }
  }

  private AlignStreams(Config config) {
    super("align-streams", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(EVENTS);
  }

  @Override
  public List<Port> outputs() {
    return List.of(STREAMS);
  }

  @Override
  public PCollection<AlignedSlice> expand(PCollection<SensorEvent> events) {
    Config c = config();
    PCollection<SensorEvent> timed =
        c.windowing().eventTime()
            ? events.apply("EventTimeWindows", c.windowing().<SensorEvent>windows())
            : events;
    PCollection<KV<String, SensorEvent>> keyed =
        timed.apply("KeyBySensor", ParDo.of(new KeyBySensorFn())).setCoder(STREAM_CODER);
    if (!c.windowing().eventTime()) {
      // One empty marker per sensor, so a stream that lost every packet is still reported.
      List<KV<String, SensorEvent>> markers = new ArrayList<>();
      c.plan().drivers.forEach(d -> markers.add(KV.of(d.sensorId(), null)));
      keyed =
          PCollectionList.of(keyed)
              .and(
                  events
                      .getPipeline()
                      .apply("EveryStream", Create.of(markers).withCoder(STREAM_CODER)))
              .apply("WithEveryStream", Flatten.pCollections());
    }
    return keyed
        .apply("GatherStreams", GroupByKey.create())
        .apply("AlignStreams", ParDo.of(new AlignFn(c)))
        .setCoder(SerializableCoder.of(AlignedSlice.class));
  }

  /** Keys events by sensor id (one stream each). */
  static final class KeyBySensorFn extends DoFn<SensorEvent, KV<String, SensorEvent>> {
    @ProcessElement
    public void process(@Element SensorEvent e, OutputReceiver<KV<String, SensorEvent>> out) {
      out.output(KV.of(e.sensorId(), e));
    }
  }

  /** Aligns one sensor's packets of the session, or of one window. */
  static final class AlignFn extends DoFn<KV<String, Iterable<SensorEvent>>, AlignedSlice> {
    private final SessionPlan plan;
    private final String runId;
    private final Windowing windowing;

    AlignFn(Config c) {
      this.plan = c.plan();
      this.runId = c.runId();
      this.windowing = c.windowing();
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<SensorEvent>> stream,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<AlignedSlice> out) {
      SensorDriver d =
          plan.driver(stream.getKey())
              .orElseThrow(
                  () -> new IllegalStateException("no driver for sensor " + stream.getKey()));
      AlignedSlice slice;
      if (windowing.eventTime()) {
        slice =
            alignWindow(plan, d, windowing.index(plan, window), pane.getIndex(), stream.getValue());
        Metrics.counter(ConstellationPipeline.NAMESPACE, "windows_aligned").inc();
      } else {
        slice = alignSession(plan, d, stream.getValue());
      }
      StreamSync.Report r = slice.stream().report;
      Metrics.counter(ConstellationPipeline.NAMESPACE, "packets_dropped_" + d.modality())
          .inc(r.droppedPackets());
      Metrics.counter(ConstellationPipeline.NAMESPACE, "gap_samples_" + d.modality())
          .inc(r.gapSamples());
      ConstellationConsole.Progress progress = ConstellationConsole.progress(runId);
      progress.synced.addAndGet(r.samples() - r.gapSamples());
      if (!windowing.eventTime()) {
        progress.aligned.incrementAndGet();
      }
      out.output(slice);
    }
  }

  /** Sensor {@code d}'s packets {@code events} over the whole session, aligned (batch). */
  static AlignedSlice alignSession(SessionPlan plan, SensorDriver d, Iterable<SensorEvent> events) {
    return new AlignedSlice(
        Windowing.SESSION, 0, 0, stream(d, StreamingWindows.alignSession(plan, d, events)));
  }

  /** Sensor {@code d}'s packets {@code events} of window {@code w} (pane {@code pane}), aligned. */
  static AlignedSlice alignWindow(
      SessionPlan plan, SensorDriver d, long w, long pane, Iterable<SensorEvent> events) {
    StreamingWindows.Aligned a = StreamingWindows.align(plan, d, w, events);
    return new AlignedSlice(w, pane, a.firstIndex(), stream(d, a.result()));
  }

  private static AlignedStream stream(SensorDriver d, StreamSync.Result result) {
    return new AlignedStream(
        d.modality(),
        d.sensorId(),
        d.deviceId(),
        d.unit(),
        d.sampleRate(),
        d.channels(),
        d.meta(),
        result);
  }
}
