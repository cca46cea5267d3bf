package io.beamline.io.sensors;

/**
 * The stateful sample stream of one seeded driver: each call continues where the last stopped, so
 * the samples do not depend on how they are batched into events.
 */
public interface SignalGenerator {
  /**
   * Writes the next {@code count} float32 samples, channels-interleaved, at {@code out[offset]}.
   */
  default void next(float[] out, int offset, int count) {
    throw new UnsupportedOperationException("this generator produces uint8 samples");
  }

  /** Writes the next {@code count} uint8 samples, channels-interleaved, at {@code out[offset]}. */
  default void next(byte[] out, int offset, int count) {
    throw new UnsupportedOperationException("this generator produces float32 samples");
  }
}
