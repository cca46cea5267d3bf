package io.beamline.io.mat;

import io.beamline.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import us.hebi.matlab.mat.format.CharEncoding;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sink;
import us.hebi.matlab.mat.types.Sinks;
import us.hebi.matlab.mat.types.Struct;

/**
 * Writes MATLAB MAT v5 files (readable by MATLAB, Octave {@code load} and {@code scipy.io.loadmat})
 * atomically: the file appears under its final name only when complete.
 *
 * <p>Immutable; every {@code withX} returns a new writer and may be called in any order. Variables
 * are written in the order they were added; adding a name again replaces the earlier value in its
 * original position.
 *
 * <pre>{@code
 * MatWriter.create()
 *     .withSingle("data", clip)                 // 500 x 994 float32
 *     .withScalar("num_spike", 3)
 *     .write(dir.resolve("nmm_1.mat"));
 * }</pre>
 */
public final class MatWriter {
  /** MATLAB's rule for variable and field names ({@code isvarname}, namelengthmax = 63). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");

  private final Map<String, MatValue> variables;
  private final boolean compressed;

  private MatWriter(Map<String, MatValue> variables, boolean compressed) {
    this.variables = variables;
    this.compressed = compressed;
  }

  /** A writer with no variables and compression on (as MATLAB's default {@code -v7} save). */
  public static MatWriter create() {
    return new MatWriter(Collections.emptyMap(), true);
  }

  /**
   * Adds or replaces variable {@code name}.
   *
   * @param name a MATLAB variable name: a letter, then letters, digits or underscores, at most 63
   *     characters
   * @throws IllegalArgumentException if the name is not a valid MATLAB name
   */
  public MatWriter with(String name, MatValue value) {
    checkName("variable name", name);
    if (value == null) {
      throw new IllegalArgumentException("value of variable '" + name + "' is null");
    }
    Map<String, MatValue> copy = new LinkedHashMap<>(variables);
    copy.put(name, value);
    return new MatWriter(Collections.unmodifiableMap(copy), compressed);
  }

  /** Adds a MATLAB {@code double} array of any shape (a 1-D vector is written as 1 x n). */
  public MatWriter withDouble(String name, MatMatrix matrix) {
    return with(name, MatValue.doubles(matrix));
  }

  /** Adds a MATLAB {@code single} (float32) array of any shape. */
  public MatWriter withSingle(String name, MatMatrix matrix) {
    return with(name, MatValue.singles(matrix));
  }

  /** Adds a 1 x 1 {@code double}. */
  public MatWriter withScalar(String name, double value) {
    return with(name, MatValue.scalar(value));
  }

  /** Adds a {@code char} row vector. */
  public MatWriter withString(String name, String text) {
    return with(name, MatValue.string(text));
  }

  /** Adds a 1 x 1 struct; see {@link MatValue#struct}. */
  public MatWriter withStruct(String name, Map<String, MatValue> fields) {
    return with(name, MatValue.struct(fields));
  }

  /**
   * Whether variables are zlib-compressed (default {@code true}). Uncompressed files are larger but
   * can be read by tools without zlib support.
   */
  public MatWriter withCompression(boolean compressed) {
    return new MatWriter(variables, compressed);
  }

  /** The variables to write, in order (unmodifiable). */
  public Map<String, MatValue> variables() {
    return variables;
  }

  /**
   * Writes all variables to {@code target} as a MAT v5 file, creating parent directories. The
   * previous file under that name, if any, is replaced only once the new one is complete.
   *
   * @throws MatFileException if there are no variables or writing fails
   */
  public void write(Path target) throws MatFileException {
    if (variables.isEmpty()) {
      throw new MatFileException(
          target, null, "nothing to write to " + target + ": add at least one variable", null);
    }
    Mat5File mat = Mat5.newMatFile();
    try {
      for (Map.Entry<String, MatValue> e : variables.entrySet()) {
        mat.addArray(e.getKey(), toArray(e.getValue()));
      }
      // MFL back-patches entry sizes, so it needs a seekable sink: serialize into memory, then
      // hand the bytes to AtomicFiles. Deflate can grow incompressible data slightly, hence the
      // margin over the uncompressed size. Level 0 writes plain miMATRIX entries.
      int level = compressed ? Deflater.DEFAULT_COMPRESSION : Deflater.NO_COMPRESSION;
      long bound = mat.getUncompressedSerializedSize();
      long capacity = Mat5.FILE_HEADER_SIZE + bound + bound / 64 + 64 * 1024;
      if (capacity > Integer.MAX_VALUE - 8) {
        throw new MatFileException(
            target,
            null,
            "cannot write "
                + target
                + ": "
                + bound
                + " bytes exceed what one MAT v5 file written"
                + " by this writer can hold (2 GiB); split the variables over several files",
            null);
      }
      // Little-endian ('IM') like MATLAB on x86; MFL's UInt16 char encoding is only right in
      // little-endian files.
      ByteBuffer buffer = ByteBuffer.allocate((int) capacity).order(ByteOrder.LITTLE_ENDIAN);
      try (Sink sink = Sinks.wrap(buffer)) {
        Mat5.newWriter(sink).setDeflateLevel(level).writeMat(mat);
      }
      int length = buffer.position();
      AtomicFiles.write(target, out -> out.write(buffer.array(), 0, length));
    } catch (MatFileException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new MatFileException(
          target,
          null,
          "cannot write MAT file "
              + target
              + ": "
              + e.getMessage()
              + "; check the directory is writable and has space",
          e);
    } finally {
      closeQuietly(mat);
    }
  }

  private Array toArray(MatValue value) {
    if (value instanceof MatValue.DoubleArray d) {
      return toMatrix(d.matrix(), MatlabType.Double);
    } else if (value instanceof MatValue.SingleArray s) {
      return toMatrix(s.matrix(), MatlabType.Single);
    } else if (value instanceof MatValue.Text t) {
      // UInt16 code units (miUINT16) are what MATLAB itself writes for char data; every reader
      // understands them, unlike the miUTF8 default.
      return Mat5.newString(t.text(), CharEncoding.UInt16);
    } else {
      MatValue.Struct st = (MatValue.Struct) value;
      Struct struct = Mat5.newStruct();
      st.fields().forEach((field, v) -> struct.set(field, toArray(v)));
      return struct;
    }
  }

  private Matrix toMatrix(MatMatrix m, MatlabType type) {
    // MATLAB has no 1-D arrays; a vector is stored as a 1 x n row like scipy's oned_as='row'.
    int[] dims = m.ndims() == 1 ? new int[] {1, m.dim(0)} : m.shape();
    Matrix out = Mat5.newMatrix(dims, type);
    double[] columnMajor = m.toColumnMajor();
    if (type == MatlabType.Single) {
      for (int k = 0; k < columnMajor.length; k++) {
        out.setFloat(k, (float) columnMajor[k]);
      }
    } else {
      for (int k = 0; k < columnMajor.length; k++) {
        out.setDouble(k, columnMajor[k]);
      }
    }
    return out;
  }

  private void closeQuietly(Mat5File mat) {
    try {
      mat.close();
    } catch (IOException | RuntimeException ignored) {
      // Only releases in-memory buffers; the outcome of the write is already decided.
    }
  }

  static void checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + name
              + "' is not a valid MATLAB name: use a letter followed by letters, digits or"
              + " underscores, at most 63 characters");
    }
  }
}
