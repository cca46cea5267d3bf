package io.beamline.io.sensors;

import java.util.SplittableRandom;

/**
 * Synthetic respiration belt: an asymmetric breathing wave whose rate varies slowly by +-5% around
 * its mean (default 12 breaths/min), plus small noise. Default 25 Hz, unit a.u.
 */
public final class RespirationDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;
  private final double breathsPerMinute;

  /** 25 Hz, 12 breaths/min. */
  public RespirationDriver(String sensorId) {
    this(sensorId, 25, 12);
  }

  /**
   * @param rate Hz, 5..1000
   * @param breathsPerMinute mean breathing rate, 4..60
   */
  public RespirationDriver(String sensorId, double rate, double breathsPerMinute) {
    super("synthetic-respiration-belt", "respiration", "a.u.", sensorId, rate);
    if (!(rate >= 5 && rate <= 1000)) {
      throw new IllegalArgumentException("respiration rate must be in [5, 1000] Hz, got " + rate);
    }
    if (!(breathsPerMinute >= 4 && breathsPerMinute <= 60)) {
      throw new IllegalArgumentException(
          "breathsPerMinute must be in [4, 60], got " + breathsPerMinute);
    }
    this.breathsPerMinute = breathsPerMinute;
  }

  /** Mean breathing rate, breaths per minute. */
  public double breathsPerMinute() {
    return breathsPerMinute;
  }

  @Override
  public int channels() {
    return 1;
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double f = breathsPerMinute / 60;
    double start = rng.nextDouble(2 * Math.PI);
    return new SignalGenerator() {
      private long index;

      @Override
      public void next(float[] out, int offset, int count) {
        for (int i = 0; i < count; i++, index++) {
          double t = index / rate;
          // Phase of f * (1 + 0.05 sin(2 pi t / 60)), integrated in closed form: no drift from
          // batching, and the mean rate is exactly f.
          double phase =
              start
                  + 2 * Math.PI * f * t
                  + 2
                      * Math.PI
                      * f
                      * 0.05
                      * 60
                      / (2 * Math.PI)
                      * (1 - Math.cos(2 * Math.PI * t / 60));
          double v = Math.sin(phase) + 0.25 * Math.sin(2 * phase) + 0.02 * rng.nextGaussian();
          out[offset + i] = (float) v;
        }
      }
    };
  }
}
