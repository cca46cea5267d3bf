package io.beamline.models.inference;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/** A coder for {@code float[]}: a 4-byte length, then big-endian IEEE 754 floats. */
public final class FloatArrayCoder extends AtomicCoder<float[]> {
  private static final FloatArrayCoder INSTANCE = new FloatArrayCoder();

  private FloatArrayCoder() {}

  /** The coder. */
  public static FloatArrayCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(float[] value, OutputStream out) throws IOException {
    if (value == null) {
      throw new CoderException("cannot encode a null float[]");
    }
    // One bulk copy instead of a stream call per float: chunks are ~84,000 samples.
    ByteBuffer buf = ByteBuffer.allocate(4 + 4 * value.length);
    buf.putInt(value.length);
    buf.asFloatBuffer().put(value);
    out.write(buf.array());
  }

  @Override
  public float[] decode(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int n = d.readInt();
    if (n < 0) {
      throw new CoderException("negative float[] length " + n);
    }
    byte[] bytes = new byte[4 * n];
    d.readFully(bytes);
    float[] v = new float[n];
    ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
    return v;
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public Object structuralValue(float[] value) {
    return new Structural(value);
  }

  /** Value equality for arrays, so grouping and the DirectRunner's checks compare contents. */
  private record Structural(float[] v) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Structural s && Arrays.equals(v, s.v);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(v);
    }
  }
}
