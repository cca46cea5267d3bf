package io.beamline.io.zarr;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.io.files.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes video frames into an OME-Zarr (NGFF 0.4) multiscale image: a Zarr v2 directory store whose
 * root group holds one array per resolution level ({@code 0}, {@code 1}, ...), each of shape {@code
 * (t, c, 1, y, x)}, {@code |u1}, C order.
 *
 * <p>Every chunk (one frame of one level) is written under a temporary name and renamed, so a chunk
 * file is either complete or absent. The metadata ({@code .zgroup}, {@code .zattrs}, each {@code
 * .zarray}) is written on {@link #close()}, once the number of frames is known; before that the
 * store holds no readable array. Frames may be written in any order; a frame index never written
 * reads as the fill value 0 (Zarr's rule for missing chunks), so callers that drop frames must
 * record the gaps elsewhere.
 *
 * <pre>{@code
 * try (OmeZarrWriter w = OmeZarrWriter.create(dir.resolve("S1_X1_video.zarr"), layout)) {
 *   w.append(OmeZarrWriter.planar(rgbFrame, 64, 64, 3));
 * }
 * }</pre>
 */
public final class OmeZarrWriter implements Closeable {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path root;
  private final OmeZarrLayout layout;
  private long frames;
  private boolean closed;

  private OmeZarrWriter(Path root, OmeZarrLayout layout) {
    this.root = root;
    this.layout = layout;
  }

  /** Opens a writer on directory {@code root} (created if missing). */
  public static OmeZarrWriter create(Path root, OmeZarrLayout layout) throws IOException {
    checkArgument(root != null, "root must not be null");
    checkArgument(layout != null, "layout must not be null");
    Files.createDirectories(root);
    return new OmeZarrWriter(root, layout);
  }

  /** Writes {@code frame} (planar {@code c, y, x}) as the next time point. */
  public void append(byte[] frame) throws IOException {
    writeFrame(frames, frame);
  }

  /** Writes {@code frame} (planar {@code c, y, x}) at time index {@code t} (>= 0). */
  public void writeFrame(long t, byte[] frame) throws IOException {
    checkArgument(!closed, "OmeZarrWriter for %s is closed", root);
    writeFrameChunks(root, layout, t, frame);
    frames = Math.max(frames, t + 1);
  }

  /** Number of time points the array will have: the highest index written + 1. */
  public long frames() {
    return frames;
  }

  /** Writes the group and array metadata for {@link #frames()} time points. Idempotent. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      writeMetadata(root, layout, frames);
    }
  }

  /**
   * Converts an interleaved frame ({@code y, x, c}, as cameras and image libraries deliver it) to
   * the planar order ({@code c, y, x}) this writer stores.
   */
  public static byte[] planar(byte[] interleaved, int height, int width, int channels) {
    checkArgument(
        interleaved.length == height * width * channels,
        "interleaved frame has %s bytes, expected %s x %s x %s = %s",
        interleaved.length,
        height,
        width,
        channels,
        height * width * channels);
    byte[] out = new byte[interleaved.length];
    int plane = height * width;
    for (int p = 0; p < plane; p++) {
      for (int c = 0; c < channels; c++) {
        out[c * plane + p] = interleaved[p * channels + c];
      }
    }
    return out;
  }

  /**
   * Writes the chunks of one frame for every level; used by {@link OmeZarrIO} workers too. Chunks
   * are a pure function of {@code (layout, t, frame)}, so rewriting one (a retried bundle) is
   * harmless.
   *
   * @throws IllegalArgumentException naming {@code t} when the frame has the wrong size
   */
  public static void writeFrameChunks(Path root, OmeZarrLayout layout, long t, byte[] frame)
      throws IOException {
    checkArgument(t >= 0, "frame index t must be >= 0, got %s", t);
    checkArgument(
        frame != null && frame.length == layout.frameBytes(),
        "frame t=%s has %s bytes, expected channels x height x width = %s",
        t,
        frame == null ? 0 : frame.length,
        layout.frameBytes());
    byte[] level = frame;
    for (int l = 0; l < layout.levels(); l++) {
      if (l > 0) {
        level = downsample(level, layout.channels(), layout.height(l - 1), layout.width(l - 1));
      }
      writeChunk(root.resolve(Integer.toString(l)), layout, t, level);
    }
  }

  /**
   * Writes {@code .zgroup}, {@code .zattrs} and each level's {@code .zarray} for {@code frames}.
   */
  public static void writeMetadata(Path root, OmeZarrLayout layout, long frames)
      throws IOException {
    checkArgument(frames >= 0, "frames must be >= 0, got %s", frames);
    for (int l = 0; l < layout.levels(); l++) {
      Path array = root.resolve(Integer.toString(l));
      Files.createDirectories(array);
      AtomicFiles.writeString(array.resolve(".zarray"), zarray(layout, l, frames));
    }
    AtomicFiles.writeString(root.resolve(".zattrs"), zattrs(layout));
    // The group marker last: a reader that finds .zgroup finds complete metadata.
    AtomicFiles.writeString(root.resolve(".zgroup"), "{\n  \"zarr_format\" : 2\n}\n");
  }

  static String zarray(OmeZarrLayout layout, int level, long frames) throws IOException {
    ObjectNode a = JSON.createObjectNode();
    a.put("zarr_format", 2);
    ArrayNode shape = a.putArray("shape");
    shape
        .add(frames)
        .add(layout.channels())
        .add(1)
        .add(layout.height(level))
        .add(layout.width(level));
    ArrayNode chunks = a.putArray("chunks");
    chunks.add(1).add(layout.channels()).add(1).add(layout.height(level)).add(layout.width(level));
    a.put("dtype", "|u1");
    if (layout.zlibLevel() < 0) {
      a.putNull("compressor");
    } else {
      a.putObject("compressor").put("id", "zlib").put("level", layout.zlibLevel());
    }
    a.put("fill_value", 0);
    a.put("order", "C");
    a.putNull("filters");
    a.put("dimension_separator", layout.dimensionSeparator());
    return JSON.writeValueAsString(a) + "\n";
  }

  static String zattrs(OmeZarrLayout layout) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode ms = root.putArray("multiscales").addObject();
    ms.put("version", "0.4");
    ms.put("name", layout.name());
    ArrayNode axes = ms.putArray("axes");
    axes.addObject().put("name", "t").put("type", "time").put("unit", "second");
    axes.addObject().put("name", "c").put("type", "channel");
    axes.addObject().put("name", "z").put("type", "space");
    axes.addObject().put("name", "y").put("type", "space");
    axes.addObject().put("name", "x").put("type", "space");
    ArrayNode datasets = ms.putArray("datasets");
    for (int l = 0; l < layout.levels(); l++) {
      ObjectNode d = datasets.addObject();
      d.put("path", Integer.toString(l));
      ArrayNode scale =
          d.putArray("coordinateTransformations")
              .addObject()
              .put("type", "scale")
              .putArray("scale");
      double factor = (double) (1L << l);
      scale.add(1.0 / layout.frameRate()).add(1.0).add(1.0).add(factor).add(factor);
    }
    ms.put("type", "mean");
    ms.putObject("metadata")
        .put("description", "2x2 block mean of the previous level, rounded half up")
        .put("method", "io.beamline.io.zarr.OmeZarrWriter");
    return JSON.writeValueAsString(root) + "\n";
  }

  private static void writeChunk(Path array, OmeZarrLayout layout, long t, byte[] data)
      throws IOException {
    String sep = layout.dimensionSeparator();
    // Chunk grid index (t, 0, 0, 0, 0): one chunk covers c, z, y and x entirely.
    String key = t + sep + "0" + sep + "0" + sep + "0" + sep + "0";
    Path chunk = array.resolve(key);
    if (layout.zlibLevel() < 0) {
      AtomicFiles.write(chunk, out -> out.write(data));
    } else {
      AtomicFiles.write(
          chunk,
          out -> {
            // numcodecs' Zlib codec is the zlib stream format (RFC 1950), as Deflater writes.
            Deflater deflater = new Deflater(layout.zlibLevel());
            try {
              // Not closed here: AtomicFiles owns and closes the underlying stream.
              DeflaterOutputStream z = new DeflaterOutputStream(out, deflater, 1 << 16);
              z.write(data);
              z.finish();
            } finally {
              deflater.end();
            }
          });
    }
  }

  /** 2x2 block mean per channel, rounded half up; edge blocks average the pixels present. */
  static byte[] downsample(byte[] planar, int channels, int height, int width) {
    int h2 = (height + 1) / 2;
    int w2 = (width + 1) / 2;
    byte[] out = new byte[channels * h2 * w2];
    for (int c = 0; c < channels; c++) {
      int in0 = c * height * width;
      int out0 = c * h2 * w2;
      for (int y = 0; y < h2; y++) {
        for (int x = 0; x < w2; x++) {
          int sum = 0;
          int n = 0;
          for (int dy = 0; dy < 2; dy++) {
            int yy = 2 * y + dy;
            if (yy >= height) {
              continue;
            }
            for (int dx = 0; dx < 2; dx++) {
              int xx = 2 * x + dx;
              if (xx < width) {
                sum += planar[in0 + yy * width + xx] & 0xff;
                n++;
              }
            }
          }
          out[out0 + y * w2 + x] = (byte) ((sum + n / 2) / n);
        }
      }
    }
    return out;
  }
}
