package io.beamline.transforms.nmm;

import java.util.SplittableRandom;

/** Seeded synthetic connectivities for tests and the benchmark. */
public final class TestNetworks {

  private TestNetworks() {}

  /**
   * A random sparse directed connectivity roughly like TVB's templates: each off-diagonal
   * connection exists with probability {@code density}, weights uniform in (0, 3], tract lengths
   * uniform in [10, 150) mm (symmetric), speed 3 mm/ms.
   */
  public static RegionConnectivity randomSparse(int n, double density, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] w = new double[n][n];
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) {
        double length = 10.0 + 140.0 * rnd.nextDouble();
        l[i][j] = length;
        l[j][i] = length;
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i != j && rnd.nextDouble() < density) {
          w[i][j] = 3.0 * (1.0 - rnd.nextDouble());
        }
      }
    }
    return RegionConnectivity.of(w, l, RegionConnectivity.TVB_DEFAULT_SPEED_MM_PER_MS);
  }
}
