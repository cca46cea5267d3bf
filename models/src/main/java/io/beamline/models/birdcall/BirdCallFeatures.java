package io.beamline.models.birdcall;

import io.beamline.transforms.audio.MelSpectrogram;

/**
 * The detector's input features: a log-mel spectrogram of one 3 s, 28 kHz segment at a quarter of
 * HawkEars' resolution in both directions, {@value #BANDS} bands x {@value #FRAMES} frames,
 * normalised per clip: each band's mean over time is subtracted (removing the background's spectral
 * tilt) and the result is divided by its overall RMS (removing the recording level).
 *
 * <p>Spectrogram: the settings of {@link MelSpectrogram#hawkEarsLike()} (window 1624 samples =
 * 0.058 s, 2048-point FFT, 200-13000 Hz, HTK mel, power in dB with floor 1e-10) with 48 instead of
 * 192 bands and hop 875 instead of 218 samples (96 frames instead of 384). Computing the full 192 x
 * 384 spectrogram and pooling it 4 x 4 gives a similar picture at about 16 times the CPU cost per
 * segment, which dominated training time.
 *
 * <p>Plain Java over primitive arrays; thread-safe.
 */
public final class BirdCallFeatures {
  /** Input sample rate in Hz. */
  public static final int SAMPLE_RATE = 28_000;

  /** Input length in samples (3.0 s). */
  public static final int SAMPLES = 84_000;

  /** Mel bands (feature rows). */
  public static final int BANDS = 48;

  /** Frames (feature columns). */
  public static final int FRAMES = 96;

  /** Hop between frame centres in samples: {@code floor(84000 / 96)}. */
  public static final int HOP = SAMPLES / FRAMES;

  private static final MelSpectrogram MEL =
      MelSpectrogram.builder(SAMPLE_RATE)
          .fftSize(2048)
          .windowLength(1624)
          .hop(HOP)
          .frames(FRAMES)
          .bands(BANDS)
          .frequencyRange(200, 13_000)
          .power(2)
          .melScale(MelSpectrogram.MelScale.HTK)
          .log(true, 1e-10)
          .build();

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
        float v = spec[b][f];
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
