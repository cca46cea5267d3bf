package io.beamline.io.samples;

import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * One scalar measurement of one sensor channel at one instant.
 *
 * <p>Time is microseconds since the Unix epoch (UTC), so sub-millisecond sample clocks (audio, EEG)
 * keep their precision. Encoded compactly by {@link SampleCoder}.
 */
@DefaultCoder(SampleCoder.class)
public final class Sample implements Serializable {
  private final String sensorId;
  private final long timeMicros;
  private final double value;

  public Sample(String sensorId, long timeMicros, double value) {
    this.sensorId = Objects.requireNonNull(sensorId, "sensorId");
    this.timeMicros = timeMicros;
    this.value = value;
  }

  public String sensorId() {
    return sensorId;
  }

  public long timeMicros() {
    return timeMicros;
  }

  public double value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Sample)) {
      return false;
    }
    Sample s = (Sample) o;
    return timeMicros == s.timeMicros
        && Double.compare(value, s.value) == 0
        && sensorId.equals(s.sensorId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sensorId, timeMicros, value);
  }

  @Override
  public String toString() {
    return sensorId + "@" + timeMicros + "us=" + value;
  }
}
