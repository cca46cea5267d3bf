package io.beamline.io.sensors;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic fNIRS / HD-DOT: channel pairs of oxy- and deoxy-haemoglobin changes (HbO then HbR per
 * source-detector pair). Slow haemodynamics dominate: Mayer waves near 0.1 Hz and a 0.05-0.07 Hz
 * component, with small respiratory (0.25 Hz) and cardiac (1.1 Hz) ripples; HbR follows HbO at
 * -0.35 times its amplitude. Default 10 Hz x 16 (8 pairs), unit uM.
 */
public final class FnirsDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;
  private final int pairs;

  /** 10 Hz, 8 source-detector pairs = 16 channels. */
  public FnirsDriver(String sensorId) {
    this(sensorId, 10, 8);
  }

  /**
   * @param rate Hz, 2..100
   * @param pairs source-detector pairs, 1..128 (channels = 2 x pairs)
   */
  public FnirsDriver(String sensorId, double rate, int pairs) {
    super("synthetic-fnirs", "fnirs", "uM", sensorId, rate);
    if (!(rate >= 2 && rate <= 100)) {
      throw new IllegalArgumentException("fNIRS rate must be in [2, 100] Hz, got " + rate);
    }
    if (pairs < 1 || pairs > 128) {
      throw new IllegalArgumentException("fNIRS pairs must be in [1, 128], got " + pairs);
    }
    this.pairs = pairs;
  }

  @Override
  public int channels() {
    return 2 * pairs;
  }

  @Override
  public List<String> channelNames() {
    List<String> names = new ArrayList<>();
    for (int p = 0; p < pairs; p++) {
      names.add("S" + (p + 1) + "D" + (p + 1) + "_HbO");
      names.add("S" + (p + 1) + "D" + (p + 1) + "_HbR");
    }
    return names;
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] gain = new double[pairs];
    double[] mayerPhase = new double[pairs];
    double[] slowFreq = new double[pairs];
    for (int p = 0; p < pairs; p++) {
      gain[p] = 0.6 + 0.8 * rng.nextDouble();
      mayerPhase[p] = rng.nextDouble(0.5);
      slowFreq[p] = 0.05 + 0.02 * rng.nextDouble();
    }
    return new SignalGenerator() {
      private long index;

      @Override
      public void next(float[] out, int offset, int count) {
        int channels = 2 * pairs;
        for (int i = 0; i < count; i++, index++) {
          double t = index / rate;
          double resp = 0.04 * Math.sin(2 * Math.PI * 0.25 * t);
          double cardiac = 0.02 * Math.sin(2 * Math.PI * 1.1 * t);
          for (int p = 0; p < pairs; p++) {
            double hemo =
                gain[p]
                    * (0.5 * Math.sin(2 * Math.PI * (0.1 * t + mayerPhase[p]))
                        + 0.3 * Math.sin(2 * Math.PI * slowFreq[p] * t));
            int at = offset + i * channels + 2 * p;
            out[at] = (float) (hemo + resp + cardiac + 0.01 * rng.nextGaussian());
            out[at + 1] = (float) (-0.35 * hemo - 0.3 * cardiac + 0.005 * rng.nextGaussian());
          }
        }
      }
    };
  }
}
