package io.beamline.io.mat;

import java.util.Arrays;

/**
 * An immutable dense numeric array: a shape and a primitive {@code double[]} in row-major (C)
 * order, the layout numpy uses and the opposite of MATLAB's column-major storage.
 *
 * <p>Shapes have one or more dimensions. A 1-D array of length {@code n} behaves as a row vector
 * ({@link #rows()} is 1, {@link #cols()} is {@code n}) and is written to MAT files as {@code 1 x
 * n}, the same as {@code scipy.io.savemat}'s default. Arrays read from MAT files always have at
 * least two dimensions because MATLAB has no 1-D arrays.
 *
 * <pre>{@code
 * MatMatrix fwd = MatMatrix.of(2, 3, new double[] {1, 2, 3, 4, 5, 6});
 * fwd.get(1, 0); // 4.0
 * }</pre>
 */
public final class MatMatrix {
  private final int[] shape;
  private final double[] data;

  private MatMatrix(int[] shape, double[] data) {
    this.shape = shape;
    this.data = data;
  }

  /**
   * A matrix of any number of dimensions (at least one) over a copy of {@code rowMajor}.
   *
   * @throws IllegalArgumentException if a dimension is negative or the data length is not the
   *     product of the shape
   */
  public static MatMatrix of(int[] shape, double[] rowMajor) {
    if (shape == null || shape.length == 0) {
      throw new IllegalArgumentException("shape must have at least one dimension");
    }
    long n = elementCount(shape);
    if (rowMajor.length != n) {
      throw new IllegalArgumentException(
          "data has " + rowMajor.length + " values but shape " + describe(shape) + " needs " + n);
    }
    return new MatMatrix(shape.clone(), rowMajor.clone());
  }

  /** A 2-D {@code rows x cols} matrix over a copy of {@code rowMajor}. */
  public static MatMatrix of(int rows, int cols, double[] rowMajor) {
    return of(new int[] {rows, cols}, rowMajor);
  }

  /** A {@code 1 x 1} matrix holding {@code value}. */
  public static MatMatrix scalar(double value) {
    return new MatMatrix(new int[] {1, 1}, new double[] {value});
  }

  /** A 1-D vector (a row vector when written) over a copy of {@code values}. */
  public static MatMatrix vector(double... values) {
    return new MatMatrix(new int[] {values.length}, values.clone());
  }

  /** An array of zeros with the given shape (one or more dimensions). */
  public static MatMatrix zeros(int... shape) {
    return of(shape, new double[Math.toIntExact(elementCount(shape))]);
  }

  /**
   * A 2-D matrix from a rectangular Java array ({@code values[row][col]}).
   *
   * @throws IllegalArgumentException if the rows differ in length
   */
  public static MatMatrix fromArray2d(double[][] values) {
    int rows = values.length;
    int cols = rows == 0 ? 0 : values[0].length;
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      if (values[i].length != cols) {
        throw new IllegalArgumentException(
            "row " + i + " has " + values[i].length + " values but row 0 has " + cols);
      }
      System.arraycopy(values[i], 0, out, i * cols, cols);
    }
    return new MatMatrix(new int[] {rows, cols}, out);
  }

  /**
   * Wraps MATLAB column-major data of the given MATLAB shape, converting it to row-major. Package
   * private: only the readers produce column-major data.
   */
  static MatMatrix fromColumnMajor(int[] shape, double[] columnMajor) {
    return new MatMatrix(shape.clone(), reverseAxes(shape, columnMajor));
  }

  /** This array's data in MATLAB column-major order (used by the writer). */
  double[] toColumnMajor() {
    // Row-major data of shape s is column-major data of reverse(s); reversing the axes again
    // gives column-major data of s.
    int[] reversed = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      reversed[i] = shape[shape.length - 1 - i];
    }
    return reverseAxes(reversed, data);
  }

  /**
   * Transposes all axes: given column-major data of {@code shape} (equivalently row-major data of
   * the reversed shape), returns row-major data of {@code shape}.
   */
  private static double[] reverseAxes(int[] shape, double[] columnMajor) {
    int nd = shape.length;
    double[] out = new double[columnMajor.length];
    if (out.length == 0) {
      return out;
    }
    if (nd == 1) {
      return columnMajor.clone();
    }
    if (nd == 2) {
      int rows = shape[0];
      int cols = shape[1];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          out[i * cols + j] = columnMajor[j * rows + i];
        }
      }
      return out;
    }
    // Column-major strides of the source; walk the output in row-major order with an odometer.
    int[] colStride = new int[nd];
    colStride[0] = 1;
    for (int d = 1; d < nd; d++) {
      colStride[d] = colStride[d - 1] * shape[d - 1];
    }
    int[] idx = new int[nd];
    int src = 0;
    for (int k = 0; k < out.length; k++) {
      out[k] = columnMajor[src];
      for (int d = nd - 1; d >= 0; d--) {
        idx[d]++;
        src += colStride[d];
        if (idx[d] < shape[d]) {
          break;
        }
        src -= colStride[d] * idx[d];
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Number of dimensions (1 or more). */
  public int ndims() {
    return shape.length;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code d}. */
  public int dim(int d) {
    return shape[d];
  }

  /** Rows: the first dimension, or 1 for a 1-D vector. */
  public int rows() {
    return shape.length == 1 ? 1 : shape[0];
  }

  /**
   * Columns: the second dimension, or the length of a 1-D vector. For N-D arrays this is only the
   * second dimension; use {@link #shape()}.
   */
  public int cols() {
    return shape.length == 1 ? shape[0] : shape[1];
  }

  /** Total number of elements. */
  public int size() {
    return data.length;
  }

  /** Element at row {@code i}, column {@code j} of a 1-D or 2-D array. */
  public double get(int i, int j) {
    if (shape.length > 2) {
      throw new IllegalStateException(
          "get(i, j) needs a 1-D or 2-D array but this one is " + describe(shape));
    }
    if (i < 0 || i >= rows() || j < 0 || j >= cols()) {
      throw new IndexOutOfBoundsException(
          "(" + i + ", " + j + ") is outside " + rows() + " x " + cols());
    }
    return data[i * cols() + j];
  }

  /** Element at the given subscripts, one per dimension (zero-based). */
  public double get(int... index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException(
          index.length + " subscripts given for a " + shape.length + "-D array");
    }
    int flat = 0;
    for (int d = 0; d < shape.length; d++) {
      if (index[d] < 0 || index[d] >= shape[d]) {
        throw new IndexOutOfBoundsException(
            Arrays.toString(index) + " is outside " + describe(shape));
      }
      flat = flat * shape[d] + index[d];
    }
    return data[flat];
  }

  /** Element {@code k} in row-major order. */
  public double getFlat(int k) {
    return data[k];
  }

  /** A copy of the data in row-major order. */
  public double[] toArray() {
    return data.clone();
  }

  /** A copy as {@code double[rows][cols]}; only for 1-D and 2-D arrays. */
  public double[][] toArray2d() {
    if (shape.length > 2) {
      throw new IllegalStateException(
          "toArray2d() needs a 1-D or 2-D array but this one is " + describe(shape));
    }
    int rows = rows();
    int cols = cols();
    double[][] out = new double[rows][];
    for (int i = 0; i < rows; i++) {
      out[i] = Arrays.copyOfRange(data, i * cols, (i + 1) * cols);
    }
    return out;
  }

  /** The same data under another shape with the same element count. */
  public MatMatrix reshape(int... newShape) {
    return of(newShape, data);
  }

  /** The transpose of a 1-D or 2-D array (a 1-D vector becomes an {@code n x 1} column). */
  public MatMatrix transpose() {
    int rows = rows();
    int cols = cols();
    if (shape.length > 2) {
      throw new IllegalStateException("transpose() needs a 2-D array, not " + describe(shape));
    }
    double[] out = new double[data.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[j * rows + i] = data[i * cols + j];
      }
    }
    return new MatMatrix(new int[] {cols, rows}, out);
  }

  /** The shape as MATLAB prints it, e.g. {@code "75 x 994"}. */
  public String shapeString() {
    return describe(shape);
  }

  static String describe(int[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(" x ");
      }
      sb.append(shape[i]);
    }
    return sb.toString();
  }

  private static long elementCount(int[] shape) {
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= s;
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "shape " + describe(shape) + " is too large for one array");
    }
    return n;
  }

  /**
   * Equal when shape and every value are equal ({@link Double#compare} semantics, so NaN == NaN).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof MatMatrix m && Arrays.equals(shape, m.shape) && Arrays.equals(data, m.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "MatMatrix[" + describe(shape) + "]";
  }
}
