package io.beamline.transforms.nmm;

/**
 * An immutable structural connectivity: weights and tract lengths between regions, and a conduction
 * speed.
 *
 * <p>Indexing follows TVB: {@code weights[i][j]} is the strength of the connection <em>from</em>
 * region {@code j} <em>to</em> region {@code i} (row = target, column = source), and {@code
 * tractLengths[i][j]} its length in mm. Conduction delays are {@code tractLength / speed} ms,
 * rounded to whole integration steps as TVB does ({@code rint}, ties to even).
 */
public final class RegionConnectivity {

  /** TVB's default conduction speed, mm/ms. */
  public static final double TVB_DEFAULT_SPEED_MM_PER_MS = 3.0;

  private final double[][] weights;
  private final double[][] tractLengths;
  private final double speed;

  private RegionConnectivity(double[][] weights, double[][] tractLengths, double speed) {
    this.weights = weights;
    this.tractLengths = tractLengths;
    this.speed = speed;
  }

  /**
   * A connectivity from square matrices (copied).
   *
   * @param weights N x N, finite, >= 0; {@code weights[target][source]}; N >= 1
   * @param tractLengthsMm N x N, finite, >= 0, mm
   * @param speedMmPerMs conduction speed, > 0 (TVB default {@value #TVB_DEFAULT_SPEED_MM_PER_MS})
   */
  public static RegionConnectivity of(
      double[][] weights, double[][] tractLengthsMm, double speedMmPerMs) {
    Checks.notNull("weights", weights);
    Checks.notNull("tractLengthsMm", tractLengthsMm);
    Checks.positive("speedMmPerMs", speedMmPerMs);
    int n = weights.length;
    if (n == 0) {
      throw new IllegalArgumentException("weights must have at least 1 region, got 0");
    }
    if (tractLengthsMm.length != n) {
      throw new IllegalArgumentException(
          "tractLengthsMm has " + tractLengthsMm.length + " rows but weights has " + n);
    }
    double[][] w = new double[n][];
    double[][] l = new double[n][];
    for (int i = 0; i < n; i++) {
      if (weights[i] == null || weights[i].length != n) {
        throw new IllegalArgumentException("weights must be " + n + " x " + n + "; row " + i);
      }
      if (tractLengthsMm[i] == null || tractLengthsMm[i].length != n) {
        throw new IllegalArgumentException(
            "tractLengthsMm must be " + n + " x " + n + "; row " + i);
      }
      w[i] = weights[i].clone();
      l[i] = tractLengthsMm[i].clone();
      for (int j = 0; j < n; j++) {
        Checks.nonNegative("weights[" + i + "][" + j + "]", w[i][j]);
        Checks.nonNegative("tractLengthsMm[" + i + "][" + j + "]", l[i][j]);
      }
    }
    return new RegionConnectivity(w, l, speedMmPerMs);
  }

  /** {@code n} regions with no connections (zero weights and lengths); n >= 1. */
  public static RegionConnectivity unconnected(int n) {
    Checks.inRange("n", n, 1, Integer.MAX_VALUE);
    return of(new double[n][n], new double[n][n], TVB_DEFAULT_SPEED_MM_PER_MS);
  }

  /** Number of regions N. */
  public int regionCount() {
    return weights.length;
  }

  /** Weight of the connection from {@code source} to {@code target}. */
  public double weight(int target, int source) {
    return weights[target][source];
  }

  /** Tract length from {@code source} to {@code target}, mm. */
  public double tractLength(int target, int source) {
    return tractLengths[target][source];
  }

  /** Conduction speed, mm/ms. */
  public double speed() {
    return speed;
  }

  /** Number of non-zero weights. */
  public int nonZeroCount() {
    int nnz = 0;
    for (double[] row : weights) {
      for (double w : row) {
        if (w != 0.0) {
          nnz++;
        }
      }
    }
    return nnz;
  }

  /**
   * Conduction delays in whole steps of {@code dtMs}: {@code rint(length / speed / dt)}, as TVB's
   * {@code Connectivity.set_idelays}. Returns a fresh N x N array indexed [target][source].
   *
   * @param dtMs integration step, ms, > 0
   */
  public int[][] delaySteps(double dtMs) {
    Checks.positive("dtMs", dtMs);
    int n = weights.length;
    int[][] d = new int[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double steps = Math.rint(tractLengths[i][j] / speed / dtMs);
        if (steps > 1_000_000) {
          throw new IllegalArgumentException(
              "delay from "
                  + j
                  + " to "
                  + i
                  + " is "
                  + steps
                  + " steps; at most 1e6 supported (check tract length units are mm)");
        }
        d[i][j] = (int) steps;
      }
    }
    return d;
  }
}
