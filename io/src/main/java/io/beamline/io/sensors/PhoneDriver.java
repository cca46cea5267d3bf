package io.beamline.io.sensors;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic phone behaviour, three channels: {@code screen_on} (0 or 1, a two-state Markov chain:
 * on for about 20 s, off for about 10 s on average), {@code tap_rate} (taps per second, 0 while the
 * screen is off, otherwise about 1.5 and never negative) and {@code orientation} (degrees, 0 or 90
 * most of the time, occasionally 180 or 270). Default 1 Hz, unit "mixed" (see {@link
 * #channelUnits()}).
 */
public final class PhoneDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;

  /** 1 Hz. */
  public PhoneDriver(String sensorId) {
    this(sensorId, 1);
  }

  /**
   * @param rate Hz, 0.1..50
   */
  public PhoneDriver(String sensorId, double rate) {
    super("synthetic-phone", "phone", "mixed", sensorId, rate);
    if (!(rate >= 0.1 && rate <= 50)) {
      throw new IllegalArgumentException("phone rate must be in [0.1, 50] Hz, got " + rate);
    }
  }

  /** Units of the three channels: flag, taps/s, degrees. */
  public List<String> channelUnits() {
    return List.of("bool", "1/s", "deg");
  }

  @Override
  public int channels() {
    return 3;
  }

  @Override
  public List<String> channelNames() {
    return List.of("screen_on", "tap_rate", "orientation");
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double dt = 1 / rate;
    return new SignalGenerator() {
      private boolean on = rng.nextBoolean();
      private int orientation = 0;

      @Override
      public void next(float[] out, int offset, int count) {
        for (int i = 0; i < count; i++) {
          // Switch probabilities per step from the mean dwell times (20 s on, 10 s off).
          double leave = 1 - Math.exp(-dt / (on ? 20 : 10));
          if (rng.nextDouble() < leave) {
            on = !on;
          }
          if (rng.nextDouble() < 1 - Math.exp(-dt / 30)) {
            double r = rng.nextDouble();
            orientation = r < 0.45 ? 0 : r < 0.9 ? 90 : r < 0.95 ? 180 : 270;
          }
          double taps = on ? Math.max(0, 1.5 + 0.8 * rng.nextGaussian()) : 0;
          int at = offset + i * 3;
          out[at] = on ? 1f : 0f;
          out[at + 1] = (float) taps;
          out[at + 2] = orientation;
        }
      }
    };
  }
}
