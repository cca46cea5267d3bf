package io.beamline.io.sensors;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One batch of consecutive samples from one sensor: the unit published to Kafka.
 *
 * <p>Samples are channels-interleaved: sample {@code i} of channel {@code c} is at {@code i *
 * channels + c}. Numeric signals use {@link #samples()} (float32) and leave {@link #bytes()} empty;
 * video uses {@link #bytes()} (uint8, one frame per sample, {@code channels} = height x width x 3
 * values in row-major RGB order, see {@link VideoDriver}) and leaves {@link #samples()} empty.
 * Exactly one of the two holds data.
 *
 * @param subjectId subject the recording belongs to
 * @param sessionId recording session
 * @param deviceId physical (or synthetic) device that produced the samples
 * @param modality modality id, e.g. {@code eeg} (Kafka topic characters, no dot)
 * @param sensorId sensor id, e.g. {@code eeg01} (Kafka topic characters, no dot)
 * @param timestampNs device time of the first sample, nanoseconds since the Unix epoch
 * @param seq 0-based sequence number of this event within its sensor's stream
 * @param sampleRate nominal sampling rate in Hz, positive
 * @param channels values per sample, positive
 * @param samples float32 values, channels-interleaved (empty for byte payloads)
 * @param bytes uint8 values, channels-interleaved (empty for float payloads)
 * @param meta optional string metadata, kept sorted by key (never null)
 */
public record SensorEvent(
    String subjectId,
    String sessionId,
    String deviceId,
    String modality,
    String sensorId,
    long timestampNs,
    long seq,
    double sampleRate,
    int channels,
    float[] samples,
    byte[] bytes,
    Map<String, String> meta) {

  private static final float[] NO_FLOATS = new float[0];
  private static final byte[] NO_BYTES = new byte[0];

  /** Validates the fields; see the class description for the rules. */
  public SensorEvent {
    Objects.requireNonNull(subjectId, "subjectId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(modality, "modality");
    Objects.requireNonNull(sensorId, "sensorId");
    if (!(sampleRate > 0) || Double.isInfinite(sampleRate)) {
      throw new IllegalArgumentException(
          "sampleRate must be positive and finite, got " + sampleRate);
    }
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be >= 1, got " + channels);
    }
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, got " + seq);
    }
    samples = samples == null ? NO_FLOATS : samples;
    bytes = bytes == null ? NO_BYTES : bytes;
    if ((samples.length == 0) == (bytes.length == 0)) {
      throw new IllegalArgumentException(
          "exactly one of samples ("
              + samples.length
              + " values) and bytes ("
              + bytes.length
              + " values) must be non-empty");
    }
    int values = Math.max(samples.length, bytes.length);
    if (values % channels != 0) {
      throw new IllegalArgumentException(
          "payload of "
              + values
              + " values is not a whole number of "
              + channels
              + "-channel samples");
    }
    meta =
        meta == null || meta.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new TreeMap<>(meta));
  }

  /** A float32 event with no metadata. */
  public static SensorEvent ofFloats(
      String subjectId,
      String sessionId,
      String deviceId,
      String modality,
      String sensorId,
      long timestampNs,
      long seq,
      double sampleRate,
      int channels,
      float[] samples) {
    return new SensorEvent(
        subjectId,
        sessionId,
        deviceId,
        modality,
        sensorId,
        timestampNs,
        seq,
        sampleRate,
        channels,
        samples,
        null,
        Map.of());
  }

  /** Whether the payload is uint8 ({@link #bytes()}) rather than float32. */
  public boolean isBytePayload() {
    return bytes.length > 0;
  }

  /** Number of samples (time points) in this event. */
  public int sampleCount() {
    return Math.max(samples.length, bytes.length) / channels;
  }

  /** This event with another first-sample timestamp (used by fault injection). */
  public SensorEvent withTimestampNs(long ns) {
    return new SensorEvent(
        subjectId,
        sessionId,
        deviceId,
        modality,
        sensorId,
        ns,
        seq,
        sampleRate,
        channels,
        samples,
        bytes,
        meta);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SensorEvent e
        && timestampNs == e.timestampNs
        && seq == e.seq
        && Double.compare(sampleRate, e.sampleRate) == 0
        && channels == e.channels
        && subjectId.equals(e.subjectId)
        && sessionId.equals(e.sessionId)
        && deviceId.equals(e.deviceId)
        && modality.equals(e.modality)
        && sensorId.equals(e.sensorId)
        && Arrays.equals(samples, e.samples)
        && Arrays.equals(bytes, e.bytes)
        && meta.equals(e.meta);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(subjectId, sessionId, deviceId, modality, sensorId, timestampNs, seq);
    h = 31 * h + Double.hashCode(sampleRate);
    h = 31 * h + channels;
    h = 31 * h + Arrays.hashCode(samples);
    h = 31 * h + Arrays.hashCode(bytes);
    return 31 * h + meta.hashCode();
  }

  @Override
  public String toString() {
    return "SensorEvent{"
        + modality
        + "/"
        + sensorId
        + " seq="
        + seq
        + " t="
        + timestampNs
        + "ns rate="
        + sampleRate
        + " channels="
        + channels
        + " samples="
        + sampleCount()
        + (isBytePayload() ? " uint8" : " float32")
        + " subject="
        + subjectId
        + " session="
        + sessionId
        + " device="
        + deviceId
        + (meta.isEmpty() ? "" : " meta=" + meta)
        + "}";
  }
}
