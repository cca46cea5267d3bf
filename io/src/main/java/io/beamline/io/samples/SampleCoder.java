package io.beamline.io.samples;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/** Deterministic binary coder for {@link Sample}: sensor id (UTF-8), time (8 bytes), value. */
public final class SampleCoder extends AtomicCoder<Sample> {
  private static final SampleCoder INSTANCE = new SampleCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();

  /** Returns the shared instance (also found through {@code @DefaultCoder}). */
  public static SampleCoder of() {
    return INSTANCE;
  }

  private SampleCoder() {}

  @Override
  public void encode(Sample s, OutputStream out) throws IOException {
    STRING.encode(s.sensorId(), out);
    DataOutputStream data = new DataOutputStream(out);
    data.writeLong(s.timeMicros());
    data.writeDouble(s.value());
    data.flush();
  }

  @Override
  public Sample decode(InputStream in) throws IOException {
    String id = STRING.decode(in);
    DataInputStream data = new DataInputStream(in);
    return new Sample(id, data.readLong(), data.readDouble());
  }

  @Override
  public void verifyDeterministic() {}
}
