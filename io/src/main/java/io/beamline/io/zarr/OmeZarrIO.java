package io.beamline.io.zarr;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes video frames from Beam into one OME-Zarr (NGFF 0.4) image, see {@link OmeZarrWriter}.
 *
 * <p>Input elements are {@code KV<t, frame>}: the frame index and the planar {@code (c, y, x)}
 * {@code uint8} pixels. Each frame is its own chunk, so workers write frames in parallel and in any
 * order; the chunk bytes depend only on the frame, which keeps DirectRunner and SparkRunner output
 * identical. A final step writes the metadata with {@code t = max index + 1} time points; it runs
 * after every chunk is written. The output is the image's root path.
 *
 * <pre>{@code
 * frames.apply(OmeZarrIO.write(OmeZarrLayout.of(3, 64, 64)).to(rawDir + "/S1_X1_video.zarr"));
 * }</pre>
 */
public final class OmeZarrIO {
  private OmeZarrIO() {}

  /** A writer for frames of {@code layout}; {@link Write#to} is required. */
  public static Write write(OmeZarrLayout layout) {
    checkArgument(layout != null, "layout must not be null");
    return new Write(layout, null);
  }

  /** The writer; immutable. */
  public static final class Write
      extends PTransform<PCollection<KV<Long, byte[]>>, PCollection<String>> {
    private final OmeZarrLayout layout;
    private final String root;

    private Write(OmeZarrLayout layout, String root) {
      this.layout = layout;
      this.root = root;
    }

    /** Local directory of the image ({@code .zarr}); created if missing; required. */
    public Write to(String root) {
      checkArgument(root != null && !root.isEmpty(), "root must be a non-empty path");
      return new Write(layout, root);
    }

    /** Replaces the layout (shape, levels, compression, frame rate). */
    public Write withLayout(OmeZarrLayout layout) {
      checkArgument(layout != null, "layout must not be null");
      return new Write(layout, root);
    }

    @Override
    public PCollection<String> expand(PCollection<KV<Long, byte[]>> frames) {
      checkArgument(root != null, "OmeZarrIO.write() needs to(root)");
      return frames
          .apply("WriteFrameChunks", ParDo.of(new WriteChunksFn(root, layout)))
          .setCoder(VarLongCoder.of())
          .apply("HighestFrameIndex", Max.longsGlobally())
          .apply("WriteMetadata", ParDo.of(new WriteMetadataFn(root, layout)))
          .setCoder(StringUtf8Coder.of());
    }
  }

  /** Writes one frame's chunks at every level; outputs its index. */
  static final class WriteChunksFn extends DoFn<KV<Long, byte[]>, Long> {
    private final String root;
    private final OmeZarrLayout layout;

    WriteChunksFn(String root, OmeZarrLayout layout) {
      this.root = root;
      this.layout = layout;
    }

    @ProcessElement
    public void process(@Element KV<Long, byte[]> frame, OutputReceiver<Long> out)
        throws Exception {
      OmeZarrWriter.writeFrameChunks(Path.of(root), layout, frame.getKey(), frame.getValue());
      out.output(frame.getKey());
    }
  }

  /** Writes the metadata for {@code maxIndex + 1} frames (0 when there were none). */
  static final class WriteMetadataFn extends DoFn<Long, String> {
    private final String root;
    private final OmeZarrLayout layout;

    WriteMetadataFn(String root, OmeZarrLayout layout) {
      this.root = root;
      this.layout = layout;
    }

    @ProcessElement
    public void process(@Element Long maxIndex, OutputReceiver<String> out) throws Exception {
      // Max over an empty input is Long.MIN_VALUE: an image with zero time points.
      long frames = maxIndex < 0 ? 0 : maxIndex + 1;
      OmeZarrWriter.writeMetadata(Path.of(root), layout, frames);
      out.output(root);
    }
  }
}
