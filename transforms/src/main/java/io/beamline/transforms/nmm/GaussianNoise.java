package io.beamline.transforms.nmm;

import java.util.SplittableRandom;

/**
 * Standard normal variates from a seeded {@link SplittableRandom} by Marsaglia's polar method,
 * using {@link StrictMath} only, so a seed gives the same sequence bit for bit on every JVM and
 * machine ({@code java.util.Random.nextGaussian} is not specified that tightly across versions).
 * Not thread-safe: one instance per simulation.
 */
public final class GaussianNoise {

  private final SplittableRandom random;
  private double spare;
  private boolean hasSpare;

  /** A stream seeded with {@code seed}; the same seed always gives the same sequence. */
  public GaussianNoise(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The next N(0, 1) variate. */
  public double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u;
    double v;
    double s;
    do {
      u = 2.0 * random.nextDouble() - 1.0;
      v = 2.0 * random.nextDouble() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = StrictMath.sqrt(-2.0 * StrictMath.log(s) / s);
    spare = v * m;
    hasSpare = true;
    return u * m;
  }
}
