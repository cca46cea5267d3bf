package io.beamline.io.audio;

import java.util.Arrays;

/**
 * Immutable decoded audio: a sample rate and {@code channels x frames} float samples.
 *
 * <p>Samples decoded from integer WAV files lie in {@code [-1, 1)}; float files are passed through
 * unchanged (conventionally within {@code [-1, 1]}, but not clipped, so no data is silently
 * altered). Arrays are copied on the way in and out, so instances can be shared freely.
 *
 * <pre>{@code
 * Audio a = Audio.of(28_000, new float[][] {left, right});
 * float[] mono = a.channel(0);
 * }</pre>
 */
public final class Audio {
  private final int sampleRate;
  private final float[][] samples;

  private Audio(int sampleRate, float[][] samples) {
    this.sampleRate = sampleRate;
    this.samples = samples;
  }

  /**
   * Copies {@code samples} ({@code [channel][frame]}) into a new instance.
   *
   * @param sampleRate frames per second, {@code >= 1}
   * @param samples at least one channel; every channel the same length (may be 0)
   */
  public static Audio of(int sampleRate, float[][] samples) {
    if (sampleRate < 1) {
      throw new IllegalArgumentException("Audio: sampleRate must be >= 1, got " + sampleRate);
    }
    if (samples == null || samples.length == 0) {
      throw new IllegalArgumentException("Audio: need at least one channel");
    }
    float[][] copy = new float[samples.length][];
    for (int c = 0; c < samples.length; c++) {
      if (samples[c] == null || samples[c].length != samples[0].length) {
        throw new IllegalArgumentException(
            "Audio: every channel must have "
                + samples[0].length
                + " frames; channel "
                + c
                + " differs");
      }
      copy[c] = samples[c].clone();
    }
    return new Audio(sampleRate, copy);
  }

  /** Wraps arrays this package has just allocated, without copying. */
  static Audio wrap(int sampleRate, float[][] samples) {
    return new Audio(sampleRate, samples);
  }

  /** Frames per second. */
  public int sampleRate() {
    return sampleRate;
  }

  /** Number of channels, {@code >= 1}. */
  public int channels() {
    return samples.length;
  }

  /** Number of frames (samples per channel). */
  public int frames() {
    return samples[0].length;
  }

  /** Duration in seconds: {@code frames / sampleRate}. */
  public double durationSeconds() {
    return (double) frames() / sampleRate;
  }

  /** One sample, without copying. */
  public float sample(int channel, int frame) {
    return samples[channel][frame];
  }

  /** A copy of one channel. */
  public float[] channel(int channel) {
    return samples[channel].clone();
  }

  /** A deep copy of all samples, {@code [channel][frame]}. */
  public float[][] toArray() {
    float[][] copy = new float[samples.length][];
    for (int c = 0; c < samples.length; c++) {
      copy[c] = samples[c].clone();
    }
    return copy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Audio a
        && a.sampleRate == sampleRate
        && Arrays.deepEquals(a.samples, samples);
  }

  @Override
  public int hashCode() {
    return 31 * sampleRate + Arrays.deepHashCode(samples);
  }

  @Override
  public String toString() {
    return "Audio{" + sampleRate + " Hz, " + channels() + " ch, " + frames() + " frames}";
  }
}
