package io.beamline.io.sensors;

import java.util.SplittableRandom;

/**
 * Synthetic microphone: a voiced, speech-like tone (fundamental 120-160 Hz chosen by the seed, five
 * harmonics falling as 1/k, a 4 Hz syllable envelope) over quiet noise. 16 kHz mono, normalised
 * amplitude in [-1, 1].
 */
public final class AudioDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;

  /** 16 kHz mono. */
  public AudioDriver(String sensorId) {
    this(sensorId, 16_000);
  }

  /**
   * @param rate Hz, at least 8,000
   */
  public AudioDriver(String sensorId, double rate) {
    super("synthetic-microphone", "audio", "a.u.", sensorId, rate);
    if (!(rate >= 8000)) {
      throw new IllegalArgumentException("audio rate must be >= 8000 Hz, got " + rate);
    }
  }

  /** The fundamental frequency (Hz) that {@code seed} gives. */
  public static double fundamentalHz(long seed) {
    return 120 + 40 * new SplittableRandom(seed).nextDouble();
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double f0 = 120 + 40 * rng.nextDouble();
    return new SignalGenerator() {
      private long index;

      @Override
      public void next(float[] out, int offset, int count) {
        for (int i = 0; i < count; i++, index++) {
          double t = index / rate;
          double voiced = 0;
          for (int k = 1; k <= 5; k++) {
            voiced += Math.sin(2 * Math.PI * k * f0 * t) / k;
          }
          double envelope = 0.5 * (1 + Math.sin(2 * Math.PI * 4 * t));
          double v = 0.3 * envelope * voiced + 0.01 * rng.nextGaussian();
          out[offset + i] = (float) Math.max(-1, Math.min(1, v));
        }
      }
    };
  }
}
