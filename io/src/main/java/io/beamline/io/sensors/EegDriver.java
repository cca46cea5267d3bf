package io.beamline.io.sensors;

import java.util.SplittableRandom;

/**
 * Synthetic scalp EEG: per channel an alpha rhythm (9.5-10.5 Hz, 8-20 uV, strongest on the last,
 * "occipital", channels, waxing and waning at about 0.1-0.2 Hz) over pink (1/f) background noise of
 * about 6 uV. Default 250 Hz x 32 channels, unit uV.
 */
public final class EegDriver extends AbstractSensorDriver {
  private static final long serialVersionUID = 1L;
  private final int channels;

  /** 250 Hz x 32 channels. */
  public EegDriver(String sensorId) {
    this(sensorId, 250, 32);
  }

  /**
   * @param rate Hz, at least 64 (alpha must sit well below Nyquist)
   * @param channels 1..256
   */
  public EegDriver(String sensorId, double rate, int channels) {
    super("synthetic-eeg", "eeg", "uV", sensorId, rate);
    if (!(rate >= 64)) {
      throw new IllegalArgumentException("EEG rate must be >= 64 Hz, got " + rate);
    }
    if (channels < 1 || channels > 256) {
      throw new IllegalArgumentException("EEG channels must be in [1, 256], got " + channels);
    }
    this.channels = channels;
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public SignalGenerator generator(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] freq = new double[channels];
    double[] amp = new double[channels];
    double[] phase = new double[channels];
    double[] envFreq = new double[channels];
    double[] envPhase = new double[channels];
    for (int c = 0; c < channels; c++) {
      freq[c] = 9.5 + rng.nextDouble();
      amp[c] = 8 + 12.0 * c / Math.max(1, channels - 1);
      phase[c] = rng.nextDouble(2 * Math.PI);
      envFreq[c] = 0.1 + 0.1 * rng.nextDouble();
      envPhase[c] = rng.nextDouble(2 * Math.PI);
    }
    // Paul Kellet's economy pink-noise filter, three poles per channel.
    double[][] pink = new double[channels][3];
    return new SignalGenerator() {
      private long index;

      @Override
      public void next(float[] out, int offset, int count) {
        for (int i = 0; i < count; i++, index++) {
          double t = index / rate;
          for (int c = 0; c < channels; c++) {
            double w = rng.nextGaussian();
            double[] b = pink[c];
            b[0] = 0.99765 * b[0] + w * 0.0990460;
            b[1] = 0.96300 * b[1] + w * 0.2965164;
            b[2] = 0.57000 * b[2] + w * 1.0526913;
            double background = 2.0 * (b[0] + b[1] + b[2] + w * 0.1848);
            double envelope = 1 + 0.5 * Math.sin(2 * Math.PI * envFreq[c] * t + envPhase[c]);
            double alpha = amp[c] * envelope * Math.sin(2 * Math.PI * freq[c] * t + phase[c]);
            out[offset + i * channels + c] = (float) (alpha + background);
          }
        }
      }
    };
  }
}
