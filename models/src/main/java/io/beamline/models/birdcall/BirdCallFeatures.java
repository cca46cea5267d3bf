package io.beamline.models.birdcall;

import io.beamline.transforms.audio.MelSpectrogram;

/**
 * The detector's input features: a HawkEars-like log-mel spectrogram (192 bands x 384 frames for 3
 * s at 28 kHz, {@link MelSpectrogram#hawkEarsLike()}), average-pooled by {@value #POOL} in both
 * directions to {@value #BANDS} x {@value #FRAMES}, then normalised per clip: each band's mean over
 * time is subtracted (removing the background's spectral tilt) and the result is divided by its
 * overall standard deviation (removing the recording level).
 *
 * <p>Plain Java over primitive arrays; thread-safe.
 */
public final class BirdCallFeatures {
  /** Input sample rate in Hz. */
  public static final int SAMPLE_RATE = 28_000;

  /** Input length in samples (3.0 s). */
  public static final int SAMPLES = 84_000;

  /** Pooling factor over bands and frames. */
  public static final int POOL = 4;

  /** Bands after pooling. */
  public static final int BANDS = 192 / POOL;

  /** Frames after pooling. */
  public static final int FRAMES = 384 / POOL;

  private static final MelSpectrogram MEL = MelSpectrogram.hawkEarsLike();

  private BirdCallFeatures() {}

  /**
   * Features of one segment, row-major {@code [band][frame]}, {@code BANDS * FRAMES} floats.
   *
   * @param audio exactly {@value #SAMPLES} samples at {@value #SAMPLE_RATE} Hz
   * @throws IllegalArgumentException naming the expected length when it differs
   */
  public static float[] compute(float[] audio) {
    if (audio == null || audio.length != SAMPLES) {
      throw new IllegalArgumentException(
          "expected "
              + SAMPLES
              + " samples (3.0 s at "
              + SAMPLE_RATE
              + " Hz), got "
              + (audio == null ? "null" : audio.length)
              + "; resample to 28 kHz and chunk into 3 s segments first");
    }
    float[][] spec = MEL.compute(audio);
    float[] out = new float[BANDS * FRAMES];
    for (int b = 0; b < BANDS; b++) {
      double bandSum = 0;
      for (int f = 0; f < FRAMES; f++) {
        double s = 0;
        for (int i = 0; i < POOL; i++) {
          float[] row = spec[b * POOL + i];
          for (int j = 0; j < POOL; j++) {
            s += row[f * POOL + j];
          }
        }
        float v = (float) (s / (POOL * POOL));
        out[b * FRAMES + f] = v;
        bandSum += v;
      }
      float mean = (float) (bandSum / FRAMES);
      for (int f = 0; f < FRAMES; f++) {
        out[b * FRAMES + f] -= mean;
      }
    }
    double sq = 0;
    for (float v : out) {
      sq += (double) v * v;
    }
    // A floor keeps digital silence (all zeros after mean removal) finite.
    float scale = (float) (1 / Math.max(Math.sqrt(sq / out.length), 1e-3));
    for (int i = 0; i < out.length; i++) {
      out[i] *= scale;
    }
    return out;
  }
}
