package io.beamline.transforms.signal;

import java.util.SplittableRandom;

/**
 * A seeded generator of physiological-looking test signals: a sinusoidal rhythm plus white Gaussian
 * noise plus rare artefact spikes.
 *
 * <p>Pure function of its arguments: the same seed, channel and length give the same samples on
 * every machine and runner, because each channel draws from its own {@link SplittableRandom} seeded
 * with {@code seed} mixed with the channel index.
 */
public final class SyntheticSignal {
  private final double frequencyHz;
  private final double amplitude;
  private final double noiseStd;
  private final double spikeProbability;
  private final double spikeAmplitude;

  /**
   * @param frequencyHz rhythm frequency, {@code > 0}
   * @param amplitude rhythm amplitude, {@code >= 0}
   * @param noiseStd standard deviation of the additive Gaussian noise, {@code >= 0}
   * @param spikeProbability chance per sample of an artefact spike, in {@code [0, 1]}
   * @param spikeAmplitude height of an artefact spike
   */
  public SyntheticSignal(
      double frequencyHz,
      double amplitude,
      double noiseStd,
      double spikeProbability,
      double spikeAmplitude) {
    if (!(frequencyHz > 0)
        || amplitude < 0
        || noiseStd < 0
        || spikeProbability < 0
        || spikeProbability > 1) {
      throw new IllegalArgumentException(
          "SyntheticSignal: need frequencyHz > 0, amplitude >= 0, noiseStd >= 0 and"
              + " spikeProbability in [0,1]");
    }
    this.frequencyHz = frequencyHz;
    this.amplitude = amplitude;
    this.noiseStd = noiseStd;
    this.spikeProbability = spikeProbability;
    this.spikeAmplitude = spikeAmplitude;
  }

  /** An alpha-band (10 Hz) rhythm of amplitude 1 in noise of std 0.3 with rare spikes. */
  public static SyntheticSignal alphaLike() {
    return new SyntheticSignal(10.0, 1.0, 0.3, 0.001, 8.0);
  }

  /** Returns this generator with another rhythm frequency. */
  public SyntheticSignal withFrequency(double hz) {
    return new SyntheticSignal(hz, amplitude, noiseStd, spikeProbability, spikeAmplitude);
  }

  /**
   * Generates {@code n} samples of channel {@code channel} at {@code rateHz}.
   *
   * @param seed the run's seed
   * @param channel channel index, mixed into the seed so channels are independent
   */
  public double[] generate(long seed, int channel, double rateHz, int n) {
    if (!(rateHz > 0) || n < 0) {
      throw new IllegalArgumentException("generate: need rateHz > 0 and n >= 0");
    }
    SplittableRandom rng = new SplittableRandom(mix(seed, channel));
    double phase = rng.nextDouble() * 2 * Math.PI;
    double w = 2 * Math.PI * frequencyHz / rateHz;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double v = amplitude * Math.sin(w * i + phase) + noiseStd * gaussian(rng);
      if (rng.nextDouble() < spikeProbability) {
        v += spikeAmplitude;
      }
      out[i] = v;
    }
    return out;
  }

  /** A standard normal deviate (Box-Muller; uses exactly two uniforms per call). */
  static double gaussian(SplittableRandom rng) {
    double u1 = 1.0 - rng.nextDouble(); // in (0, 1]: log is finite
    double u2 = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** SplitMix64-style mixing of a seed and a stream index. */
  public static long mix(long seed, long stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
