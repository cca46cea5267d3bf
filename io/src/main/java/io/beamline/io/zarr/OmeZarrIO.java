package io.beamline.io.zarr;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import io.beamline.io.failures.Failure;
import java.nio.file.Path;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Writes video frames from Beam into one OME-Zarr (NGFF 0.4) image, see {@link OmeZarrWriter}.
 *
 * <p>Input elements are {@code KV<t, frame>}: the frame index and the planar {@code (c, y, x)}
 * {@code uint8} pixels. Each frame is its own chunk, so workers write frames in parallel and in any
 * order; the chunk bytes depend only on the frame, which keeps DirectRunner and SparkRunner output
 * identical. A final step writes the metadata with {@code t = max index + 1} time points; it runs
 * after every chunk is written.
 *
 * <p>Outputs: {@link #ROOT}, the image's root path (one element); {@link #FAILURES}, one {@link
 * Failure} per frame rejected (negative index, wrong byte count), counted in {@code
 * OmeZarrIO/frames_rejected}. A rejected frame's index is not written and reads as 0 unless a later
 * frame extends the array past it.
 *
 * <pre>{@code
 * PCollectionTuple out =
 *     frames.apply(OmeZarrIO.write(OmeZarrLayout.of(3, 64, 64)).to(rawDir + "/S1_X1_video.zarr"));
 * out.get(OmeZarrIO.FAILURES).apply(FailureIO.write().to(failuresDir));
 * }</pre>
 */
public final class OmeZarrIO {
  /** The image root path, output once all chunks and the metadata are written. */
  public static final TupleTag<String> ROOT = new TupleTag<String>() {};

  /** Frames that could not be written. */
  public static final TupleTag<Failure> FAILURES = new TupleTag<Failure>() {};

  /** Indices of frames written; internal. */
  static final TupleTag<Long> WRITTEN = new TupleTag<Long>() {};

  private OmeZarrIO() {}

  /** A writer for frames of {@code layout}; {@link Write#to} is required. */
  public static Write write(OmeZarrLayout layout) {
    checkArgument(layout != null, "layout must not be null");
    return new Write(layout, null, -1);
  }

  /** The writer; immutable. */
  public static final class Write
      extends PTransform<PCollection<KV<Long, byte[]>>, PCollectionTuple> {
    private final OmeZarrLayout layout;
    private final String root;
    private final long timePoints;

    private Write(OmeZarrLayout layout, String root, long timePoints) {
      this.layout = layout;
      this.root = root;
      this.timePoints = timePoints;
    }

    /** Local directory of the image ({@code .zarr}); created if missing; required. */
    public Write to(String root) {
      checkArgument(root != null && !root.isEmpty(), "root must be a non-empty path");
      return new Write(layout, root, timePoints);
    }

    /** Replaces the layout (shape, levels, compression, frame rate). */
    public Write withLayout(OmeZarrLayout layout) {
      checkArgument(layout != null, "layout must not be null");
      return new Write(layout, root, timePoints);
    }

    /**
     * The image has exactly {@code timePoints} time points, whichever frames arrive: frames never
     * received (lost in transit, say) read as the fill value 0, and a frame at {@code t >=
     * timePoints} is rejected. Without it the image ends at the highest index written.
     */
    public Write withTimePoints(long timePoints) {
      checkArgument(timePoints >= 0, "timePoints must be >= 0, got %s", timePoints);
      return new Write(layout, root, timePoints);
    }

    @Override
    public PCollectionTuple expand(PCollection<KV<Long, byte[]>> frames) {
      checkArgument(root != null, "OmeZarrIO.write() needs to(root)");
      PCollectionTuple chunks =
          frames.apply(
              "WriteFrameChunks",
              ParDo.of(new WriteChunksFn(root, layout, timePoints))
                  .withOutputTags(WRITTEN, TupleTagList.of(FAILURES)));
      chunks.get(WRITTEN).setCoder(VarLongCoder.of());
      chunks.get(FAILURES).setCoder(SerializableCoder.of(Failure.class));
      PCollection<String> written =
          chunks
              .get(WRITTEN)
              .apply("HighestFrameIndex", Max.longsGlobally())
              .apply("WriteMetadata", ParDo.of(new WriteMetadataFn(root, layout, timePoints)))
              .setCoder(StringUtf8Coder.of());
      return PCollectionTuple.of(ROOT, written).and(FAILURES, chunks.get(FAILURES));
    }
  }

  /** Writes one frame's chunks at every level; outputs its index, or a failure. */
  static final class WriteChunksFn extends DoFn<KV<Long, byte[]>, Long> {
    private final Counter rejected = Metrics.counter(OmeZarrIO.class, "frames_rejected");
    private final Counter written = Metrics.counter(OmeZarrIO.class, "frames_written");
    private final String root;
    private final OmeZarrLayout layout;
    private final long timePoints;

    WriteChunksFn(String root, OmeZarrLayout layout, long timePoints) {
      this.root = root;
      this.layout = layout;
      this.timePoints = timePoints;
    }

    @ProcessElement
    public void process(@Element KV<Long, byte[]> frame, MultiOutputReceiver out) throws Exception {
      long t = frame.getKey();
      byte[] pixels = frame.getValue();
      String problem = null;
      if (t < 0) {
        problem = "frame index t must be >= 0, got " + t;
      } else if (timePoints >= 0 && t >= timePoints) {
        problem = "frame index t must be < " + timePoints + " (the image's time points), got " + t;
      } else if (pixels == null || pixels.length != layout.frameBytes()) {
        problem =
            String.format(
                "frame has %d bytes, expected channels x height x width = %d x %d x %d = %d",
                pixels == null ? 0 : pixels.length,
                layout.channels(),
                layout.height(),
                layout.width(),
                layout.frameBytes());
      }
      if (problem != null) {
        rejected.inc();
        out.get(FAILURES).output(new Failure(root, "t=" + t, "WriteFrameChunks", problem));
        return;
      }
      // I/O errors are not per-frame problems: they fail the bundle, which the runner retries.
      OmeZarrWriter.writeFrameChunks(Path.of(root), layout, t, pixels);
      written.inc();
      out.get(WRITTEN).output(t);
    }
  }

  /**
   * Writes the metadata for the fixed number of time points, or else for {@code maxIndex + 1}
   * frames (0 when there were none).
   */
  static final class WriteMetadataFn extends DoFn<Long, String> {
    private final String root;
    private final OmeZarrLayout layout;
    private final long timePoints;

    WriteMetadataFn(String root, OmeZarrLayout layout, long timePoints) {
      this.root = root;
      this.layout = layout;
      this.timePoints = timePoints;
    }

    @ProcessElement
    public void process(@Element Long maxIndex, OutputReceiver<String> out) throws Exception {
      // Max over an empty input is Long.MIN_VALUE: an image with zero time points.
      long frames = timePoints >= 0 ? timePoints : maxIndex < 0 ? 0 : maxIndex + 1;
      OmeZarrWriter.writeMetadata(Path.of(root), layout, frames);
      out.output(root);
    }
  }
}
