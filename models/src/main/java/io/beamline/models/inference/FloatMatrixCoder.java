package io.beamline.models.inference;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/** A coder for {@code float[][]}: a 4-byte row count, then each row as {@link FloatArrayCoder}. */
public final class FloatMatrixCoder extends AtomicCoder<float[][]> {
  private static final FloatMatrixCoder INSTANCE = new FloatMatrixCoder();

  private FloatMatrixCoder() {}

  public static FloatMatrixCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(float[][] value, OutputStream out) throws IOException {
    if (value == null) {
      throw new CoderException("cannot encode a null float[][]");
    }
    new DataOutputStream(out).writeInt(value.length);
    for (float[] row : value) {
      FloatArrayCoder.of().encode(row, out);
    }
  }

  @Override
  public float[][] decode(InputStream in) throws IOException {
    int n = new DataInputStream(in).readInt();
    if (n < 0) {
      throw new CoderException("negative float[][] length " + n);
    }
    float[][] v = new float[n][];
    for (int i = 0; i < n; i++) {
      v[i] = FloatArrayCoder.of().decode(in);
    }
    return v;
  }

  @Override
  public void verifyDeterministic() {}
}
