package io.beamline.io.webdataset;

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkArgument;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A numeric array encoded in NumPy's {@code .npy} format, version 1.0: little-endian, C order, with
 * the given shape. Supported element types are {@code float32} ({@code <f4}), {@code float64}
 * ({@code <f8}), {@code int16} ({@code <i2}), {@code int32} ({@code <i4}) and {@code uint8} ({@code
 * |u1}). {@code numpy.load} reads the bytes back with the same dtype, shape and values.
 *
 * <pre>{@code
 * byte[] npy = NpyArray.float32(samples, nSamples, nChannels).toBytes();
 * }</pre>
 */
public final class NpyArray {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

  /** Header (magic + length + dict + padding) is padded to a multiple of this many bytes. */
  private static final int ALIGN = 64;

  private final String descr;
  private final int[] shape;
  private final ByteBuffer data;

  private NpyArray(String descr, long length, int[] shape, ByteBuffer data) {
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      checkArgument(shape[i] >= 0, "shape[%s] must be >= 0, got %s", i, shape[i]);
      count *= shape[i];
    }
    checkArgument(
        count == length,
        "shape %s holds %s elements but the array has %s",
        Arrays.toString(shape),
        count,
        length);
    this.descr = descr;
    this.shape = shape.clone();
    this.data = data;
  }

  /** A {@code float32} array of the given shape (C order); {@code shape} must multiply out. */
  public static NpyArray float32(float[] values, int... shape) {
    ByteBuffer b = le(values.length * 4L);
    b.asFloatBuffer().put(values);
    return new NpyArray("<f4", values.length, shape, b);
  }

  /** A {@code float64} array of the given shape (C order). */
  public static NpyArray float64(double[] values, int... shape) {
    ByteBuffer b = le(values.length * 8L);
    b.asDoubleBuffer().put(values);
    return new NpyArray("<f8", values.length, shape, b);
  }

  /** An {@code int16} array of the given shape (C order). */
  public static NpyArray int16(short[] values, int... shape) {
    ByteBuffer b = le(values.length * 2L);
    b.asShortBuffer().put(values);
    return new NpyArray("<i2", values.length, shape, b);
  }

  /** An {@code int32} array of the given shape (C order). */
  public static NpyArray int32(int[] values, int... shape) {
    ByteBuffer b = le(values.length * 4L);
    b.asIntBuffer().put(values);
    return new NpyArray("<i4", values.length, shape, b);
  }

  /** A {@code uint8} array of the given shape (C order); bytes are read as unsigned 0..255. */
  public static NpyArray uint8(byte[] values, int... shape) {
    ByteBuffer b = le(values.length);
    b.put(values);
    return new NpyArray("|u1", values.length, shape, b);
  }

  /** The NumPy dtype string, e.g. {@code <f4}. */
  public String descr() {
    return descr;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** The complete {@code .npy} file: magic, version 1.0, header dict, data. */
  public byte[] toBytes() {
    StringBuilder dims = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      dims.append(shape[i]).append(", ");
    }
    if (shape.length > 1) {
      dims.setLength(dims.length() - 2);
    } else if (shape.length == 1) {
      // A 1-tuple in Python needs its trailing comma: (5,)
      dims.setLength(dims.length() - 1);
    }
    dims.append(')');
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
    int unpadded = MAGIC.length + 2 + dict.length() + 1; // + 1 for the terminating newline
    int padding = (ALIGN - unpadded % ALIGN) % ALIGN;
    int headerLen = dict.length() + padding + 1;
    checkArgument(headerLen <= 0xFFFF, "npy header too long for format 1.0: %s bytes", headerLen);
    byte[] dictBytes = (dict + " ".repeat(padding) + "\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + headerLen + data.capacity());
    out.order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).putShort((short) headerLen).put(dictBytes).put(data.duplicate().clear());
    return out.array();
  }

  private static ByteBuffer le(long size) {
    checkArgument(size <= Integer.MAX_VALUE - 1024, "array too large for one npy entry: %s", size);
    return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
