package io.beamline.pipelines.constellation;

import io.beamline.io.webdataset.NpyArray;
import io.beamline.io.webdataset.ShardWriter;
import io.beamline.io.webdataset.WebDatasetSample;
import io.beamline.transforms.sync.SessionGrid;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;

/** The WebDataset samples: one per window of the session, holding every stream's share of it. */
final class WindowSamples {
  private WindowSamples() {}

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

  /**
   * {@code KV<window, part>}: a whole-session stream cut into the session's windows, or a window's
   * stream as its window's part.
   */
  static final class CutWindowsFn extends DoFn<AlignedSlice, KV<Long, WindowPart>> {
    private final SessionPlan plan;

    CutWindowsFn(SessionPlan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element AlignedSlice slice, OutputReceiver<KV<Long, WindowPart>> out) {
      AlignedStream s = slice.stream();
      if (!slice.wholeSession()) {
        out.output(KV.of(slice.window(), new WindowPart(s, 0, s.samples(), slice.firstIndex())));
        return;
      }
      SessionGrid grid = plan.grid();
      for (long w = 0; w < grid.windows(); w++) {
        long first = grid.firstIndex(s.rate, w);
        out.output(KV.of(w, new WindowPart(s, first, grid.endIndex(s.rate, w), first)));
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
      out.output(sample(plan, window.getKey(), window.getValue()));
    }
  }

  /** The sample of window {@code w} from its streams' parts. */
  static WebDatasetSample sample(SessionPlan plan, long w, Iterable<WindowPart> windowParts) {
    String key = String.format("%s_%s_%06d", plan.subjectId, plan.sessionId, w);
    List<WindowPart> parts = new ArrayList<>();
    windowParts.forEach(parts::add);
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
    long end = plan.windowEndNs(w);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("key", key);
    meta.put("subject_id", plan.subjectId);
    meta.put("session_id", plan.sessionId);
    meta.put("window", w);
    meta.put("start_s", w * plan.windowNs / 1e9);
    meta.put("end_s", end / 1e9);
    meta.put("streams", streams);
    return sample.withJson("json", SyncReports.json(meta));
  }

  /**
   * Streaming: each window's sample as a shard of its own as the window closes, {@code
   * shard-<window>.tar} ({@code shard-<window>-pane<p>.tar} for a late pane), written under a
   * temporary name and renamed ({@link ShardWriter}); outputs its path. {@code --shard-size}
   * applies to batch, where a shard can wait for the windows it holds.
   */
  static final class WriteWindowShardFn extends DoFn<WebDatasetSample, String> {
    private final SessionPlan plan;
    private final String runId;
    private final String directory;
    private final Windowing windowing;

    WriteWindowShardFn(SessionPlan plan, String runId, String directory, Windowing windowing) {
      this.plan = plan;
      this.runId = runId;
      this.directory = directory;
      this.windowing = windowing;
    }

    @ProcessElement
    public void process(
        @Element WebDatasetSample sample,
        BoundedWindow window,
        PaneInfo pane,
        OutputReceiver<String> out)
        throws IOException {
      long w = windowing.index(plan, window);
      String pattern =
          pane.getIndex() == 0 ? "shard-%06d.tar" : "shard-%06d-pane" + pane.getIndex() + ".tar";
      ShardWriter shards =
          new ShardWriter(Paths.get(directory), pattern, 1, Long.MAX_VALUE, Math.toIntExact(w));
      try {
        shards.write(sample);
        shards.close();
      } catch (IOException | RuntimeException e) {
        shards.abort();
        throw e;
      }
      LiveSession.outputWritten(plan, runId, w);
      out.output(shards.shards().get(0).toString());
    }
  }
}
