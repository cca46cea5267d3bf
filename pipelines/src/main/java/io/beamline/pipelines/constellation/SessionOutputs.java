package io.beamline.pipelines.constellation;

import io.beamline.framework.module.Module;
import io.beamline.framework.module.ModuleConfig;
import io.beamline.framework.module.Port;
import io.beamline.io.failures.Failure;
import io.beamline.io.failures.FailureIO;
import io.beamline.io.nwb.NwbFile;
import io.beamline.io.nwb.NwbIO;
import io.beamline.io.nwb.NwbTimeSeries;
import io.beamline.io.sensors.SensorDriver;
import io.beamline.io.webdataset.WebDatasetIO;
import io.beamline.io.webdataset.WebDatasetSample;
import io.beamline.io.webdataset.WebDatasetSampleCoder;
import io.beamline.io.zarr.OmeZarrIO;
import io.beamline.io.zarr.OmeZarrLayout;
import io.beamline.io.zarr.OmeZarrWriter;
import io.beamline.pipelines.constellation.WindowSamples.WindowPart;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * {@code session-outputs}: everything a session's aligned streams and rejected records become, in
 * batch and streaming alike. Under the raw directory: the sync report(s), {@code
 * timeseries/*.parquet} (one row per grid point), {@code failures/}; under the gold directory the
 * WebDataset shards, one sample per window. On the whole session (batch) also the NWB file (one
 * TimeSeries per time-series modality) and the video as an OME-Zarr image ({@link OmeZarrIO}). Per
 * event-time window ({@code --streaming}) each window's report, rows and sample are written as the
 * window closes; whole-session files need the whole session and are not written.
 */
final class SessionOutputs extends Module<SessionOutputs.Config, PCollectionTuple, PDone> {
  private static final long serialVersionUID = 1L;

  static final Port STREAMS = AlignStreams.STREAMS;
  static final Port FAILURES = SessionSource.FAILURES;

  /**
   * @param plan the session
   * @param runId the run whose progress line counts the files written
   * @param raw directory of the raw set (NWB, OME-Zarr, Parquet, reports, failures)
   * @param gold directory of the gold set (WebDataset shards)
   * @param baseName {@code <subject>_<session>}, the stem of the NWB and video files
   * @param shardSize WebDataset samples per shard
   * @param windowing the whole session or event-time windows
   * @param nwbHeader the NWB file's session metadata
   */
  record Config(
      SessionPlan plan,
      String runId,
      String raw,
      String gold,
      String baseName,
      int shardSize,
      Windowing windowing,
      NwbFile nwbHeader)
      implements ModuleConfig<SessionOutputs> {
    Config {
      if (plan == null || runId == null || raw == null || gold == null || baseName == null) {
        throw new IllegalArgumentException(
            "session-outputs needs plan, runId, raw, gold, baseName");
      }
      if (shardSize < 1) {
        throw new IllegalArgumentException("shardSize must be >= 1, got " + shardSize);
      }
      if (windowing == null || nwbHeader == null) {
        throw new IllegalArgumentException("session-outputs needs windowing and nwbHeader");
      }
    }

    @Override
    public SessionOutputs toModule() {
      return new SessionOutputs(this);
    }
  }

  private SessionOutputs(Config config) {
    super("session-outputs", config);
  }

  @Override
  public List<Port> inputs() {
    return List.of(STREAMS, FAILURES);
  }

  @Override
  public List<Port> outputs() {
    return List.of();
  }

  @Override
  public PDone expand(PCollectionTuple in) {
    Config c = config();
    SessionPlan plan = c.plan();
    Path raw = Paths.get(c.raw());
    boolean session = !c.windowing().eventTime();
    PCollection<AlignedSlice> streams = in.get(STREAMS.<AlignedSlice>tag());
    List<PCollection<Failure>> failures = new ArrayList<>();
    failures.add(in.get(FAILURES.<Failure>tag()));
    // Only for the progress line (batch): each file (or image) the writers finish.
    List<PCollection<String>> written = new ArrayList<>();

    // One group per window (batch: the whole session, Windowing.SESSION) feeds the sync report
    // and the Parquet table.
    PCollection<KV<Long, Iterable<AlignedSlice>>> byWindow =
        streams
            .apply(
                "KeyStreamsByWindow",
                WithKeys.of(AlignedSlice::window).withKeyType(TypeDescriptors.longs()))
            .setCoder(KvCoder.of(VarLongCoder.of(), streams.getCoder()))
            .apply("GatherStreams", GroupByKey.create());
    if (session) {
      written.add(
          byWindow
              .apply(
                  "WriteSyncReport",
                  ParDo.of(
                      new SyncReports.WriteSessionReportFn(
                          plan, raw.resolve(SyncReports.SESSION_REPORT).toString())))
              .setCoder(StringUtf8Coder.of()));
    } else {
      byWindow
          .apply(
              "WriteWindowReports",
              ParDo.of(
                  new SyncReports.WriteWindowReportFn(
                      plan, c.runId(), raw.resolve(SyncReports.WINDOWS_DIR).toString())))
          .setCoder(StringUtf8Coder.of());
    }

    PCollection<String> tables =
        byWindow
            .apply(
                "WriteTimeSeriesParquet",
                ParDo.of(
                    new TimeSeriesRows.WriteFileFn(
                        plan, c.runId(), raw.resolve("timeseries").toString())))
            .setCoder(StringUtf8Coder.of());
    if (session) {
      written.add(tables);
    }

    PCollection<WebDatasetSample> samples =
        streams
            .apply("CutWindows", ParDo.of(new WindowSamples.CutWindowsFn(plan)))
            .setCoder(KvCoder.of(VarLongCoder.of(), SerializableCoder.of(WindowPart.class)))
            .apply("GatherWindows", GroupByKey.create())
            .apply("ToWebDatasetSamples", ParDo.of(new WindowSamples.ToSampleFn(plan)))
            .setCoder(WebDatasetSampleCoder.of());
    if (session) {
      written.add(
          samples
              .apply("SamplesToSession", Window.into(new GlobalWindows()))
              .apply(
                  "WriteShards",
                  WebDatasetIO.write().to(c.gold()).withMaxSamplesPerShard(c.shardSize())));
    } else {
      samples
          .apply(
              "WriteWindowShards",
              ParDo.of(
                  new WindowSamples.WriteWindowShardFn(plan, c.runId(), c.gold(), c.windowing())))
          .setCoder(StringUtf8Coder.of());
    }

    if (session) {
      written.add(
          streams
              .apply("ToNwbSeries", ParDo.of(new ToNwbSeriesFn()))
              .setCoder(SerializableCoder.of(NwbTimeSeries.class))
              .apply(
                  "WriteNwb",
                  NwbIO.write(c.nwbHeader()).to(raw.resolve(c.baseName() + ".nwb").toString())));
      for (SensorDriver video : videoDriver(plan)) {
        PCollectionTuple image =
            streams
                .apply("VideoFrames", ParDo.of(new VideoFramesFn(video.sensorId())))
                .setCoder(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of()))
                .apply(
                    "WriteVideoZarr",
                    OmeZarrIO.write(layout(video))
                        .withTimePoints(plan.grid().samples(video.sampleRate()))
                        .to(raw.resolve(c.baseName() + "_video.zarr").toString()));
        written.add(image.get(OmeZarrIO.ROOT));
        failures.add(image.get(OmeZarrIO.FAILURES));
      }
    }

    PCollectionList.of(failures)
        .apply("AllFailures", Flatten.pCollections())
        // Streaming: a file of each window's rejected records (if any) as the window closes.
        .apply(
            session ? "FailuresToSession" : "FailuresByWindow",
            session ? Window.<Failure>into(new GlobalWindows()) : c.windowing().<Failure>windows())
        .apply(
            "WriteRejectedRecords",
            FailureIO.write().to(raw.resolve("failures").toString()).withPrefix("rejected"));
    if (session) {
      PCollectionList.of(written)
          .apply("AllWritten", Flatten.pCollections())
          .apply("CountWritten", ParDo.of(new CountWrittenFn(c.runId())));
    }
    return PDone.in(in.getPipeline());
  }

  /**
   * The session's video sensor (byte payload), if any: the one stream written as {@code
   * <subject>_<session>_video.zarr} (the standard drivers have exactly one).
   */
  private static List<SensorDriver> videoDriver(SessionPlan plan) {
    return plan.drivers.stream()
        .filter(d -> d.payload() == SensorDriver.Payload.UINT8)
        .limit(1)
        .toList();
  }

  /** The image layout of a video sensor: its frame size and rate, three channels. */
  private static OmeZarrLayout layout(SensorDriver video) {
    int h = Integer.parseInt(video.meta().getOrDefault("height", "0"));
    int w = Integer.parseInt(video.meta().getOrDefault("width", "0"));
    return OmeZarrLayout.of(3, h, w).withFrameRate(video.sampleRate());
  }

  /** One NWB TimeSeries per time-series modality (video goes to OME-Zarr). */
  static final class ToNwbSeriesFn extends DoFn<AlignedSlice, NwbTimeSeries> {
    @ProcessElement
    public void process(@Element AlignedSlice slice, OutputReceiver<NwbTimeSeries> out) {
      AlignedStream s = slice.stream();
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
   * The frames of one video stream as {@code KV<t, planar (c, y, x) pixels>}, for {@link
   * OmeZarrIO}; frames that were lost are not emitted (they read as the fill value 0; the Parquet
   * table flags them).
   */
  static final class VideoFramesFn extends DoFn<AlignedSlice, KV<Long, byte[]>> {
    private final String sensorId;

    VideoFramesFn(String sensorId) {
      this.sensorId = sensorId;
    }

    @ProcessElement
    public void process(@Element AlignedSlice slice, OutputReceiver<KV<Long, byte[]>> out) {
      AlignedStream s = slice.stream();
      if (!s.isVideo() || !s.sensorId.equals(sensorId)) {
        return;
      }
      int h = s.frameHeight();
      int w = s.frameWidth();
      int frameBytes = h * w * 3;
      for (int k = 0; k < s.samples(); k++) {
        if (!s.gap[k]) {
          byte[] frame = Arrays.copyOfRange(s.bytes, k * frameBytes, (k + 1) * frameBytes);
          out.output(KV.of(slice.firstIndex() + k, OmeZarrWriter.planar(frame, h, w, 3)));
        }
      }
    }
  }

  /** Counts the files the writers finished, for the progress line. */
  static final class CountWrittenFn extends DoFn<String, Void> {
    private final String runId;

    CountWrittenFn(String runId) {
      this.runId = runId;
    }

    @ProcessElement
    public void process(@Element String file) {
      ConstellationConsole.progress(runId).written.incrementAndGet();
    }
  }
}
