package io.beamline.io.sensors;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * Synthetic electrodermal activity (skin conductance): a tonic level of 3-7 uS drifting slowly,
 * plus phasic skin-conductance responses (SCRs) arriving as a Poisson process (mean one per 15 s),
 * each a bi-exponential of 0.2-1.0 uS (rise 0.75 s, decay 2 s). Default 32 Hz, unit uS.
 */
public final class EdaDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;

  /** Mean interval between SCRs, seconds. */
  static final double MEAN_SCR_INTERVAL_S = 15;

  private static final double RISE_S = 0.75;
  private static final double DECAY_S = 2.0;

  /** 32 Hz. */
  public EdaDriver(String sensorId) {
    this(sensorId, 32);
  }

  /**
   * @param rate Hz, 4..256
   */
  public EdaDriver(String sensorId, double rate) {
    super("synthetic-eda", "eda", "uS", sensorId, rate);
    if (!(rate >= 4 && rate <= 256)) {
      throw new IllegalArgumentException("EDA rate must be in [4, 256] Hz, got " + rate);
    }
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double tonic = 3 + 4 * rng.nextDouble();
    double driftPhase = rng.nextDouble(2 * Math.PI);
    // Peak of exp(-t/decay) - exp(-t/rise), to scale each SCR to its amplitude.
    double tPeak = Math.log(DECAY_S / RISE_S) * RISE_S * DECAY_S / (DECAY_S - RISE_S);
    double peak = Math.exp(-tPeak / DECAY_S) - Math.exp(-tPeak / RISE_S);
    return new SignalGenerator() {
      private long index;
      private double nextOnset = -MEAN_SCR_INTERVAL_S * Math.log(1 - rng.nextDouble());
      private final ArrayDeque<double[]> active = new ArrayDeque<>();

      @Override
      public void next(float[] out, int offset, int count) {
        for (int i = 0; i < count; i++, index++) {
          double t = index / rate;
          while (nextOnset <= t) {
            active.add(new double[] {nextOnset, (0.2 + 0.8 * rng.nextDouble()) / peak});
            nextOnset += -MEAN_SCR_INTERVAL_S * Math.log(1 - rng.nextDouble());
          }
          while (!active.isEmpty() && t - active.peekFirst()[0] > 10 * DECAY_S) {
            active.removeFirst();
          }
          double phasic = 0;
          for (double[] scr : active) {
            double s = t - scr[0];
            phasic += scr[1] * (Math.exp(-s / DECAY_S) - Math.exp(-s / RISE_S));
          }
          double level = tonic + 0.5 * Math.sin(2 * Math.PI * t / 300 + driftPhase);
          out[offset + i] = (float) (level + phasic + 0.003 * rng.nextGaussian());
        }
      }
    };
  }
}
