package io.beamline.transforms.sync;

import java.util.Objects;

/**
 * One received packet of a sensor stream: consecutive samples starting at sample index {@code seq *
 * samplesPerPacket} of the stream.
 *
 * @param seq 0-based packet sequence number within the stream
 * @param timestampNs device timestamp of the packet's first sample, ns since the Unix epoch
 * @param samples number of samples (time points) in the packet, >= 1
 * @param floats float32 values, channels-interleaved, or {@code null} for a byte payload
 * @param bytes uint8 values, channels-interleaved, or {@code null} for a float payload
 */
public record Packet(long seq, long timestampNs, int samples, float[] floats, byte[] bytes) {
  /** Checks that exactly one payload is given. */
  public Packet {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, got " + seq);
    }
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be >= 1, got " + samples);
    }
    if ((floats == null) == (bytes == null)) {
      throw new IllegalArgumentException("exactly one of floats and bytes must be given");
    }
  }

  /** A float packet. */
  public static Packet ofFloats(long seq, long timestampNs, int samples, float[] values) {
    return new Packet(seq, timestampNs, samples, Objects.requireNonNull(values), null);
  }

  /** A byte (uint8) packet. */
  public static Packet ofBytes(long seq, long timestampNs, int samples, byte[] values) {
    return new Packet(seq, timestampNs, samples, null, Objects.requireNonNull(values));
  }
}
