package io.beamline.io.mat;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Char;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Source;
import us.hebi.matlab.mat.types.Sources;
import us.hebi.matlab.mat.types.Struct;

/**
 * Reads numeric variables by name from a MATLAB MAT file, v5 (also what {@code -v6}/{@code -v7} and
 * {@code scipy.io.savemat} write) or v7.3 (HDF5 after a 512-byte MATLAB header). The version is
 * detected from the header, never from the file name.
 *
 * <p>Values come back as {@link MatMatrix} in row-major order with MATLAB's shape: a variable that
 * MATLAB shows as {@code 75 x 994} has {@code rows() == 75} in both versions, although v5 stores it
 * column-major and v7.3 stores it as a transposed {@code 994 x 75} HDF5 dataset. Any real numeric
 * or logical class is accepted and converted to {@code double} ({@code int64} beyond 2^53 loses
 * precision). Fields of 1 x 1 structs are addressed with a dot: {@code "info.spike_time"}.
 *
 * <p>Every failure is a {@link MatFileException} whose message names the file, the variable and a
 * fix. A reader holds the file open until {@link #close()}; it is not thread-safe.
 *
 * <pre>{@code
 * MatMatrix fwd = MatReader.readMatrix(anatomyDir.resolve("leadfield_75_20k.mat"), "fwd");
 * }</pre>
 */
public final class MatReader implements Closeable {

  /** The MAT-file format detected from the header. */
  public enum Version {
    /** Level 5 MAT-file (MATLAB -v6/-v7, scipy.io.savemat, Octave -mat). */
    V5,
    /** MATLAB -v7.3: HDF5 with a 512-byte user block holding the MATLAB header. */
    V7_3
  }

  private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  private static final Set<String> NUMERIC_CLASSES =
      Set.of(
          "double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
          "uint64", "logical");

  /**
   * Largest variable this reader decodes, in bytes as doubles (and the most MAT v5 decoding may
   * allocate for one element): a header claiming more is corrupt or lying, and is refused before
   * anything that size is allocated. 256 MiB is far above any anatomy file (a 998 x 998 distance
   * matrix is 8 MB).
   */
  public static final long MAX_VARIABLE_BYTES = 256L << 20;

  /** Most MAT v5 decoding may hold at once for one file. */
  static final long MAX_FILE_BYTES = 2 * MAX_VARIABLE_BYTES;

  private final Path file;
  private final Version version;
  private final Mat5File mat5;
  private final HdfFile hdf;

  private MatReader(Path file, Version version, Mat5File mat5, HdfFile hdf) {
    this.file = file;
    this.version = version;
    this.mat5 = mat5;
    this.hdf = hdf;
  }

  /**
   * Opens {@code file}, detects its version from the header and lists its variables.
   *
   * @throws MatFileException if the file is missing, not a MAT file, or truncated/corrupt
   */
  public static MatReader open(Path file) throws MatFileException {
    if (!Files.isRegularFile(file)) {
      throw new MatFileException(
          file,
          null,
          "MAT file "
              + file.toAbsolutePath()
              + " does not exist or is not a regular file; check the path",
          null);
    }
    Version version = detect(file);
    if (version == Version.V5) {
      return new MatReader(file, version, readMat5(file), null);
    }
    HdfFile hdf;
    try {
      hdf = new HdfFile(file);
      // Walking the root group forces jhdf to read the superblock and object headers, so a
      // truncated file fails here rather than at the first variable.
      hdf.getChildren().forEach((name, node) -> node.getAttributes());
    } catch (RuntimeException e) {
      throw corrupt(file, "MAT v7.3/HDF5", e);
    }
    return new MatReader(file, version, null, hdf);
  }

  /** Reads one numeric variable of any shape; see {@link #matrix(String)}. */
  public static MatMatrix readMatrix(Path file, String variable) throws MatFileException {
    try (MatReader reader = open(file)) {
      return reader.matrix(variable);
    }
  }

  /** The file this reader reads. */
  public Path file() {
    return file;
  }

  /** The detected format. */
  public Version version() {
    return version;
  }

  /** Names of the top-level variables, in file order (v7.3 internals such as #refs# left out). */
  public List<String> variables() {
    List<String> names = new ArrayList<>();
    if (mat5 != null) {
      for (MatFile.Entry e : mat5.getEntries()) {
        if (!e.getName().isEmpty()) {
          names.add(e.getName());
        }
      }
    } else {
      for (String name : hdf.getChildren().keySet()) {
        if (!name.startsWith("#")) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** Whether a top-level variable of that name exists. */
  public boolean has(String variable) {
    return variables().contains(variable);
  }

  /**
   * Reads a real numeric or logical variable (or struct field, {@code "s.field"}) of any shape.
   *
   * @throws MatFileException if it is missing (the message lists what exists), not numeric,
   *     complex, sparse, or cannot be decoded
   */
  public MatMatrix matrix(String variable) throws MatFileException {
    try {
      return mat5 != null ? mat5Matrix(variable) : hdfMatrix(variable);
    } catch (MatFileException e) {
      throw e;
    } catch (RuntimeException e) {
      throw corruptVariable(variable, e);
    }
  }

  /**
   * Reads a numeric variable that must have exactly {@code ndims} dimensions (MATLAB drops trailing
   * singleton dimensions, so a 2-D variable always has 2 and a vector also has 2).
   *
   * @param ndims expected number of dimensions, 2 or more
   * @throws MatFileException if the variable has another dimensionality
   */
  public MatMatrix matrix(String variable, int ndims) throws MatFileException {
    MatMatrix m = matrix(variable);
    if (m.ndims() != ndims) {
      throw new MatFileException(
          file,
          variable,
          "variable '"
              + variable
              + "' in "
              + file
              + " is "
              + m.ndims()
              + "-D ("
              + m.shapeString()
              + ") but a "
              + ndims
              + "-D array is expected; save it with "
              + ndims
              + " dimensions (e.g. index one page or reshape before saving)",
          null);
    }
    return m;
  }

  /** Reads a 2-D numeric variable; shorthand for {@code matrix(variable, 2)}. */
  public MatMatrix matrix2d(String variable) throws MatFileException {
    return matrix(variable, 2);
  }

  /**
   * Reads a {@code char} row vector (or struct field) as a string.
   *
   * @throws MatFileException if it is missing or not a single-row char array
   */
  public String string(String variable) throws MatFileException {
    try {
      if (mat5 != null) {
        Object a = mat5Lookup(variable);
        if (!(a instanceof Char c)) {
          throw notType(variable, describeMat5(a), "a char array");
        }
        checkSingleRow(variable, c.getDimensions());
        return c.getString();
      }
      Node n = hdfLookup(variable);
      String cls = matlabClass(n);
      if (!(n instanceof Dataset d) || !"char".equals(cls)) {
        throw notType(variable, cls, "a char array");
      }
      if (isEmptyMarker(d)) {
        return "";
      }
      int[] shape = matlabShape(d.getDimensions());
      checkSingleRow(variable, shape);
      double[] codes = flatToDouble(d.isScalar() ? new Object[] {d.getData()} : d.getDataFlat());
      StringBuilder sb = new StringBuilder();
      for (double code : codes) {
        sb.append((char) (int) code);
      }
      return sb.toString();
    } catch (MatFileException e) {
      throw e;
    } catch (RuntimeException e) {
      throw corruptVariable(variable, e);
    }
  }

  @Override
  public void close() {
    if (hdf != null) {
      hdf.close();
    }
    if (mat5 != null) {
      try {
        mat5.close();
      } catch (IOException | RuntimeException ignored) {
        // Only releases buffers of data already read.
      }
    }
  }

  // ---------------------------------------------------------------- header detection

  private static Version detect(Path file) throws MatFileException {
    byte[] head = new byte[520];
    int n;
    long size;
    try (InputStream in = Files.newInputStream(file)) {
      size = Files.size(file);
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw new MatFileException(
          file, null, "cannot read MAT file " + file + ": " + e.getMessage(), e);
    }
    if (n >= 8 && startsWith(head, 0, HDF5_SIGNATURE)) {
      // Plain HDF5 without the MATLAB header (e.g. written by h5py); MATLAB's own v7.3 layout
      // (transposed datasets, MATLAB_class attributes) is assumed.
      return Version.V7_3;
    }
    String text = new String(head, 0, Math.min(n, 116), StandardCharsets.ISO_8859_1);
    if (text.startsWith("MATLAB 7.3 MAT-file")) {
      if (n < 520 || !startsWith(head, 512, HDF5_SIGNATURE)) {
        throw new MatFileException(
            file,
            null,
            "MAT file "
                + file
                + " has a MATLAB 7.3 header but no HDF5 signature at byte 512 ("
                + size
                + " bytes); the file is truncated or corrupt, re-create or re-download it",
            null);
      }
      return Version.V7_3;
    }
    if (text.startsWith("MATLAB 5.0 MAT-file")) {
      if (n < 128) {
        throw new MatFileException(
            file,
            null,
            "MAT file "
                + file
                + " is "
                + size
                + " bytes, shorter than the 128-byte MAT v5 header; the file is truncated,"
                + " re-create or re-download it",
            null);
      }
      String endian = new String(head, 126, 2, StandardCharsets.ISO_8859_1);
      if (!endian.equals("IM") && !endian.equals("MI")) {
        throw new MatFileException(
            file,
            null,
            "MAT file "
                + file
                + " has a MATLAB 5.0 header with an invalid endian indicator '"
                + printable(endian)
                + "'; the file is corrupt, re-create it",
            null);
      }
      return Version.V5;
    }
    throw new MatFileException(
        file,
        null,
        "file "
            + file
            + " is not a MAT v5 or v7.3 file (header starts with '"
            + printable(text.substring(0, Math.min(text.length(), 24)))
            + "'); save it from MATLAB with save -v7 or -v7.3, from Octave with save -mat7-binary,"
            + " or with scipy.io.savemat",
        null);
  }

  /**
   * Walks the top-level elements of a MAT v5 file before MFL reads it: an element that claims more
   * bytes than follow in the file is truncation or corruption, and an element (or, for a compressed
   * one, its inflated content) that claims more than {@link #MAX_VARIABLE_BYTES} is refused here,
   * so neither reaches MFL's allocation (nor its warnings on stderr).
   */
  private static void checkElements(Path file) throws MatFileException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
      long size = ch.size();
      java.nio.ByteBuffer endian = java.nio.ByteBuffer.allocate(2);
      ch.read(endian, 126);
      java.nio.ByteOrder order =
          endian.get(0) == 'I' ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN;
      java.nio.ByteBuffer tag = java.nio.ByteBuffer.allocate(8).order(order);
      long pos = 128;
      while (pos + 8 <= size) {
        tag.clear();
        while (tag.hasRemaining() && ch.read(tag, pos + tag.position()) > 0) {
          // fill the tag
        }
        int type = tag.getInt(0);
        long bytes = tag.getInt(4) & 0xffffffffL;
        if ((type >>> 16) != 0) {
          pos += 8; // small data element: type and bytes share the first word
          continue;
        }
        long left = size - pos - 8;
        if (bytes > left) {
          if (type != MI_COMPRESSED && bytes > MAX_VARIABLE_BYTES) {
            throw tooLarge(file, bytes, null);
          }
          throw new MatFileException(
              file,
              null,
              "MAT file "
                  + file
                  + " declares a "
                  + bytes
                  + "-byte element at byte "
                  + pos
                  + " but only "
                  + left
                  + " bytes follow; the file is truncated or corrupt, re-create or re-download it",
              null);
        }
        if (type == MI_COMPRESSED) {
          long inner = inflatedClaim(ch, pos + 8, (int) Math.min(bytes, 4096), order);
          if (inner > MAX_VARIABLE_BYTES) {
            throw tooLarge(file, inner, null);
          }
        } else if (bytes > MAX_VARIABLE_BYTES) {
          throw tooLarge(file, bytes, null);
        }
        pos += 8 + bytes;
        if (type != MI_COMPRESSED) {
          pos = (pos + 7) & ~7L; // uncompressed elements are padded to 8 bytes
        }
      }
    } catch (IOException e) {
      throw new MatFileException(
          file, null, "cannot read MAT file " + file + ": " + e.getMessage(), e);
    }
  }

  private static final int MI_COMPRESSED = 15;

  /** The byte count claimed by the first tag inside a compressed element, or -1. */
  private static long inflatedClaim(
      java.nio.channels.FileChannel ch, long at, int length, java.nio.ByteOrder order)
      throws IOException {
    java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(length);
    while (head.hasRemaining() && ch.read(head, at + head.position()) > 0) {
      // read the start of the compressed stream
    }
    java.util.zip.Inflater inflater = new java.util.zip.Inflater();
    try {
      inflater.setInput(head.array(), 0, head.position());
      byte[] out = new byte[8];
      int n = 0;
      while (n < 8 && !inflater.finished() && !inflater.needsInput()) {
        n += inflater.inflate(out, n, 8 - n);
      }
      if (n < 8) {
        return -1; // MFL reports what is wrong with it
      }
      return java.nio.ByteBuffer.wrap(out).order(order).getInt(4) & 0xffffffffL;
    } catch (java.util.zip.DataFormatException e) {
      return -1;
    } finally {
      inflater.end();
    }
  }

  private static MatFileException tooLarge(Path file, long bytes, Throwable cause) {
    return new MatFileException(
        file,
        null,
        "MAT file "
            + file
            + " claims a variable of "
            + bytes
            + " bytes, more than the "
            + (MAX_VARIABLE_BYTES >> 20)
            + " MiB this reader decodes; its header is corrupt (re-create or re-download the"
            + " file) or the variable is too large (save a smaller one)",
        cause);
  }

  private static Mat5File readMat5(Path file) throws MatFileException {
    checkElements(file);
    try (Source source = Sources.openFile(file.toFile())) {
      return Mat5.newReader(source).setBufferAllocator(new BoundedAllocator()).readMat();
    } catch (IOException | RuntimeException failure) {
      TooLarge e = null;
      for (Throwable t = failure; t != null && e == null; t = t.getCause()) {
        e = t instanceof TooLarge big ? big : null;
      }
      if (e == null) {
        throw corrupt(file, "MAT v5", failure);
      }
      throw tooLarge(file, e.bytes, failure);
    }
  }

  /** A claimed size this reader will not allocate. */
  private static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long bytes;

    TooLarge(long bytes) {
      super("claimed " + bytes + " bytes");
      this.bytes = bytes;
    }
  }

  /**
   * MFL sizes its buffers from the tags in the file; this allocator refuses sizes beyond {@link
   * #MAX_VARIABLE_BYTES} (and a file total beyond {@link #MAX_FILE_BYTES}), so a lying header costs
   * an error, not gigabytes. Heap buffers: what a file costs shows in the heap.
   */
  private static final class BoundedAllocator implements us.hebi.matlab.mat.format.BufferAllocator {
    private long held;

    @Override
    public java.nio.ByteBuffer allocate(int numBytes) {
      if (numBytes < 0 || numBytes > MAX_VARIABLE_BYTES || held + numBytes > MAX_FILE_BYTES) {
        throw new TooLarge(numBytes < 0 ? numBytes & 0xffffffffL : numBytes);
      }
      held += numBytes;
      return java.nio.ByteBuffer.allocate(numBytes);
    }

    @Override
    public void release(java.nio.ByteBuffer buffer) {
      if (buffer != null) {
        held -= buffer.capacity();
      }
    }
  }

  // ---------------------------------------------------------------- v5

  private MatMatrix mat5Matrix(String variable) throws MatFileException {
    Object a = mat5Lookup(variable);
    if (!(a instanceof Matrix m)) {
      throw notType(variable, describeMat5(a), "a real numeric array");
    }
    if (m.isComplex()) {
      throw notType(variable, "complex", "a real numeric array (save real(x) and imag(x))");
    }
    int[] shape = m.getDimensions();
    double[] columnMajor = new double[m.getNumElements()];
    for (int k = 0; k < columnMajor.length; k++) {
      columnMajor[k] = m.getDouble(k);
    }
    return MatMatrix.fromColumnMajor(shape, columnMajor);
  }

  private Object mat5Lookup(String variable) throws MatFileException {
    String[] path = variable.split("\\.", -1);
    if (!has(path[0])) {
      throw missing(variable, path[0], variables());
    }
    Object current = mat5.getArray(path[0]);
    for (int i = 1; i < path.length; i++) {
      String parent = String.join(".", Arrays.copyOf(path, i));
      if (!(current instanceof Struct s)) {
        throw notType(parent, describeMat5(current), "a struct (to read field '" + path[i] + "')");
      }
      if (s.getNumElements() != 1) {
        throw notType(
            parent,
            "a " + MatMatrix.describe(s.getDimensions()) + " struct array",
            "a 1 x 1 struct");
      }
      if (!s.getFieldNames().contains(path[i])) {
        throw missing(variable, path[i], s.getFieldNames());
      }
      current = s.get(path[i]);
    }
    return current;
  }

  private static String describeMat5(Object a) {
    if (a instanceof us.hebi.matlab.mat.types.Array arr) {
      return arr.getType().toString().toLowerCase(Locale.ROOT);
    }
    return String.valueOf(a);
  }

  // ---------------------------------------------------------------- v7.3

  private MatMatrix hdfMatrix(String variable) throws MatFileException {
    Node node = hdfLookup(variable);
    String cls = matlabClass(node);
    if (node.getAttributes().containsKey("MATLAB_sparse")) {
      throw notType(variable, "sparse", "a full numeric array (save full(x))");
    }
    if (!(node instanceof Dataset d) || (cls != null && !NUMERIC_CLASSES.contains(cls))) {
      throw notType(variable, cls != null ? cls : "an HDF5 group", "a real numeric array");
    }
    if (d.isCompound()) {
      throw notType(variable, "complex", "a real numeric array (save real(x) and imag(x))");
    }
    if (isEmptyMarker(d)) {
      // MATLAB stores an empty array as a small dataset holding its dimensions.
      double[] dims = flatToDouble(d.getDataFlat());
      int[] shape = new int[Math.max(2, dims.length)];
      for (int i = 0; i < dims.length; i++) {
        shape[i] = (int) dims[i];
      }
      return MatMatrix.zeros(shape);
    }
    if (d.isScalar()) {
      return MatMatrix.scalar(flatToDouble(new Object[] {d.getData()})[0]);
    }
    int[] shape = matlabShape(d.getDimensions());
    long elements = 1;
    for (int dim : d.getDimensions()) {
      elements *= Math.max(dim, 0);
      if (elements > MAX_VARIABLE_BYTES / 8) {
        throw new MatFileException(
            file,
            variable,
            "variable '"
                + variable
                + "' in "
                + file
                + " claims "
                + MatMatrix.describe(shape)
                + " elements, more than the "
                + (MAX_VARIABLE_BYTES >> 20)
                + " MiB (as doubles) this reader decodes; its header is corrupt (re-create or"
                + " re-download the file) or the variable is too large (save a smaller one)",
            null);
      }
    }
    // HDF5 stores MATLAB's column-major data under the reversed shape, so the flat C-order data
    // of the dataset is exactly MATLAB's column-major order.
    return MatMatrix.fromColumnMajor(shape, flatToDouble(d.getDataFlat()));
  }

  private Node hdfLookup(String variable) throws MatFileException {
    String[] path = variable.split("\\.", -1);
    if (!has(path[0])) {
      throw missing(variable, path[0], variables());
    }
    Node current = hdf.getChild(path[0]);
    for (int i = 1; i < path.length; i++) {
      String parent = String.join(".", Arrays.copyOf(path, i));
      if (!(current instanceof Group g) || !"struct".equals(matlabClass(current))) {
        throw notType(
            parent, String.valueOf(matlabClass(current)), "a struct (to read '" + path[i] + "')");
      }
      if (!g.getChildren().containsKey(path[i])) {
        throw missing(variable, path[i], new ArrayList<>(g.getChildren().keySet()));
      }
      current = g.getChild(path[i]);
    }
    return current;
  }

  private static String matlabClass(Node node) {
    Attribute a = node.getAttributes().get("MATLAB_class");
    if (a == null) {
      return null;
    }
    Object v = a.getData();
    if (v != null && v.getClass().isArray()) {
      v = Array.getLength(v) > 0 ? Array.get(v, 0) : null;
    }
    return v == null ? null : v.toString().trim();
  }

  private static boolean isEmptyMarker(Dataset d) {
    Attribute a = d.getAttributes().get("MATLAB_empty");
    if (a == null) {
      return false;
    }
    double[] v = flatToDouble(a.isScalar() ? new Object[] {a.getData()} : a.getData());
    return v.length > 0 && v[0] != 0;
  }

  /** MATLAB's shape from an HDF5 dataset's dimensions: reversed, and at least 2-D. */
  private static int[] matlabShape(int[] hdfDims) {
    int nd = hdfDims.length;
    int[] shape = new int[Math.max(2, nd)];
    Arrays.fill(shape, 1);
    for (int i = 0; i < nd; i++) {
      shape[i] = hdfDims[nd - 1 - i];
    }
    return shape;
  }

  /** Converts any flat primitive or boxed numeric array jhdf returns to doubles. */
  private static double[] flatToDouble(Object flat) {
    if (flat instanceof double[] d) {
      return d;
    }
    int n = Array.getLength(flat);
    double[] out = new double[n];
    if (flat instanceof float[] f) {
      for (int i = 0; i < n; i++) {
        out[i] = f[i];
      }
    } else if (flat instanceof boolean[] b) {
      for (int i = 0; i < n; i++) {
        out[i] = b[i] ? 1 : 0;
      }
    } else {
      for (int i = 0; i < n; i++) {
        Object v = Array.get(flat, i);
        if (v instanceof Number num) {
          out[i] = num.doubleValue();
        } else if (v instanceof Boolean bool) {
          out[i] = bool ? 1 : 0;
        } else if (v instanceof Character c) {
          out[i] = c;
        } else {
          throw new IllegalStateException("unexpected element type " + v);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- errors

  private MatFileException missing(String variable, String name, List<String> existing) {
    String where = variable.equals(name) ? "no variable" : "no field '" + name + "' for";
    return new MatFileException(
        file,
        variable,
        "MAT file "
            + file
            + " has "
            + where
            + " '"
            + variable
            + "'; it has "
            + (existing.isEmpty() ? "none" : String.join(", ", existing))
            + ". Pass one of those names or re-save the data under '"
            + name
            + "'",
        null);
  }

  private MatFileException notType(String variable, String actual, String expected) {
    return new MatFileException(
        file,
        variable,
        "variable '"
            + variable
            + "' in "
            + file
            + " is "
            + actual
            + ", not "
            + expected
            + "; pass the name of "
            + expected.replaceFirst(" \\(.*", "")
            + " or convert it before saving",
        null);
  }

  private MatFileException corruptVariable(String variable, RuntimeException e) {
    return new MatFileException(
        file,
        variable,
        "cannot decode variable '"
            + variable
            + "' in "
            + file
            + " ("
            + (version == Version.V5 ? "MAT v5" : "MAT v7.3/HDF5")
            + "): "
            + oneLine(e)
            + "; the file is truncated or corrupt, re-create or re-download it",
        e);
  }

  private static MatFileException corrupt(Path file, String format, Exception e) {
    return new MatFileException(
        file,
        null,
        "cannot read "
            + file
            + " as "
            + format
            + ": "
            + oneLine(e)
            + "; the file is truncated or corrupt, re-create or re-download it",
        e);
  }

  private void checkSingleRow(String variable, int[] shape) throws MatFileException {
    if (shape.length != 2 || shape[0] > 1) {
      throw notType(variable, MatMatrix.describe(shape) + " char", "a single-row char array");
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage();
    String s = e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    return s.replaceAll("\\s+", " ").trim();
  }

  private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
    if (bytes.length < offset + prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[offset + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String printable(String s) {
    return s.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
