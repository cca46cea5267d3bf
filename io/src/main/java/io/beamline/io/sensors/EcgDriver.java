package io.beamline.io.sensors;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * Synthetic single-lead ECG: each beat is a sum of Gaussian waves placed around its R peak (P +0.15
 * mV at -200 ms, Q -0.1 mV at -30 ms, R +1.2 mV, S -0.25 mV at +30 ms, T +0.3 mV at +280 ms). RR
 * intervals are {@code 60 / bpm} s with seeded Gaussian variability (SD 20 ms, clipped to +-60 ms),
 * plus baseline wander and noise. Default 250 Hz at 65 bpm, unit mV.
 */
public final class EcgDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;

  // {offset s, amplitude mV, width s} of P, Q, R, S, T.
  private static final double[][] WAVES = {
    {-0.20, 0.15, 0.025},
    {-0.03, -0.10, 0.010},
    {0, 1.20, 0.010},
    {0.03, -0.25, 0.010},
    {0.28, 0.30, 0.050}
  };

  private final double bpm;

  /** 250 Hz, 65 bpm. */
  public EcgDriver(String sensorId) {
    this(sensorId, 250, 65);
  }

  /**
   * @param rate Hz, 100..2000
   * @param bpm mean heart rate, 40..150
   */
  public EcgDriver(String sensorId, double rate, double bpm) {
    super("synthetic-ecg", "ecg", "mV", sensorId, rate);
    if (!(rate >= 100 && rate <= 2000)) {
      throw new IllegalArgumentException("ECG rate must be in [100, 2000] Hz, got " + rate);
    }
    if (!(bpm >= 40 && bpm <= 150)) {
      throw new IllegalArgumentException("ECG bpm must be in [40, 150], got " + bpm);
    }
    this.bpm = bpm;
  }

  /** Mean heart rate, beats per minute. */
  public double bpm() {
    return bpm;
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double rr = 60 / bpm;
    return new SignalGenerator() {
      private long index;
      private final ArrayDeque<Double> beats = new ArrayDeque<>();
      private double lastBeat = rng.nextDouble(rr) - rr;

      @Override
      public void next(float[] out, int offset, int count) {
        for (int i = 0; i < count; i++, index++) {
          double t = index / rate;
          while (lastBeat < t + 1) {
            double jitter = Math.max(-0.06, Math.min(0.06, 0.02 * rng.nextGaussian()));
            lastBeat += rr + jitter;
            beats.add(lastBeat);
          }
          while (!beats.isEmpty() && beats.peekFirst() < t - 1) {
            beats.removeFirst();
          }
          double v = 0.05 * Math.sin(2 * Math.PI * 0.25 * t) + 0.01 * rng.nextGaussian();
          for (double beat : beats) {
            for (double[] w : WAVES) {
              double d = (t - beat - w[0]) / w[2];
              if (d > -6 && d < 6) {
                v += w[1] * Math.exp(-0.5 * d * d);
              }
            }
          }
          out[offset + i] = (float) v;
        }
      }
    };
  }
}
