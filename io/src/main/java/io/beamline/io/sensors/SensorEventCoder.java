package io.beamline.io.sensors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;

/** Deterministic Beam coder for {@link SensorEvent}: the {@link SensorEventCodec} bytes. */
public final class SensorEventCoder extends AtomicCoder<SensorEvent> {
  private static final long serialVersionUID = 1L;
  private static final SensorEventCoder INSTANCE = new SensorEventCoder();
  private static final ByteArrayCoder BYTES = ByteArrayCoder.of();

  /** Returns the shared instance. */
  public static SensorEventCoder of() {
    return INSTANCE;
  }

  private SensorEventCoder() {}

  @Override
  public void encode(SensorEvent value, OutputStream out) throws IOException {
    if (value == null) {
      throw new CoderException("cannot encode a null SensorEvent");
    }
    BYTES.encode(SensorEventCodec.encode(value), out);
  }

  @Override
  public SensorEvent decode(InputStream in) throws IOException {
    try {
      return SensorEventCodec.decode(BYTES.decode(in));
    } catch (SensorEventFormatException e) {
      throw new CoderException(e.getMessage());
    }
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
