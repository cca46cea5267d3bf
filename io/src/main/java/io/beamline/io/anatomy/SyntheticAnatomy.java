package io.beamline.io.anatomy;

import io.beamline.io.mat.MatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded, self-contained anatomy so pipelines run without downloading TVB or DeepSIF files.
 * Plausible rather than anatomical; units are millimetres, the leadfield is in arbitrary units.
 *
 * <ul>
 *   <li>Centres: half the regions ({@code L_001...}, x &lt; 0) and half ({@code R_001...}, x &gt;
 *       0) on two half-ellipsoid shells (semi-axes 30 x 68 x 52 mm, centres at x = &plusmn;32 mm)
 *       spread by a jittered Fibonacci lattice, the lower part cut off like the cortex above the
 *       temporal lobes.
 *   <li>Weights: symmetric, zero diagonal, sparse: pair i, j is connected with probability {@code
 *       exp(-d/25 mm)} (always for homotopic pairs and each region's nearest neighbour) with a
 *       log-normal strength {@code exp(N(-d/20 mm, 1))}, scaled so the largest weight is 1.
 *   <li>Tract lengths: {@code d * (1 + 0.3 u)}, u uniform in [0, 1) per pair, so never shorter than
 *       the Euclidean distance d; symmetric, zero diagonal.
 *   <li>Leadfield: {@code channels x regions}; a current dipole at each centre, oriented along the
 *       outward shell normal with a small random tilt, seen by sensors on a 100 mm scalp sphere
 *       ({@link #sensorPositions}): {@code n . (s - p) / |s - p|^3}, i.e. a 1/r^2 falloff, scaled
 *       so the largest magnitude is 1. Reference-free (no re-referencing).
 *   <li>Distances: Euclidean distances between centres.
 * </ul>
 *
 * <p>The same seed, regions and channels always give identical arrays ({@link java.util.Random} is
 * specified bit for bit).
 */
public final class SyntheticAnatomy {
  /** Radius of the scalp sphere the sensors sit on, in mm. */
  public static final double SCALP_RADIUS_MM = 100.0;

  private static final double HEMISPHERE_OFFSET = 32;
  private static final double[] SEMI_AXES = {30, 68, 52};
  private static final double GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

  private SyntheticAnatomy() {}

  /**
   * Generates an anatomy.
   *
   * @param seed any value; equal seeds give equal anatomies
   * @param regions number of regions, at least 2 (the left hemisphere gets the extra one if odd)
   * @param channels number of sensors, at least 1
   * @throws IllegalArgumentException if regions or channels are out of range
   */
  public static Anatomy generate(long seed, int regions, int channels) {
    if (regions < 2) {
      throw new IllegalArgumentException("regions is " + regions + " but must be >= 2");
    }
    if (channels < 1) {
      throw new IllegalArgumentException("channels is " + channels + " but must be >= 1");
    }
    Random rnd = new Random(seed);
    int left = (regions + 1) / 2;
    double[] centres = new double[regions * 3];
    double[] normals = new double[regions * 3];
    List<String> labels = new ArrayList<>();
    boolean[] right = new boolean[regions];
    placeHemisphere(rnd, -1, left, 0, centres, normals);
    placeHemisphere(rnd, +1, regions - left, left, centres, normals);
    for (int r = 0; r < regions; r++) {
      right[r] = r >= left;
      labels.add(String.format("%s_%03d", right[r] ? "R" : "L", right[r] ? r - left + 1 : r + 1));
    }
    MatMatrix centreMatrix = MatMatrix.of(regions, 3, centres);
    MatMatrix distances = Anatomy.euclidean(centreMatrix);
    double[] weights = weights(rnd, distances, left);
    double[] tracts = new double[regions * regions];
    for (int i = 0; i < regions; i++) {
      for (int j = i + 1; j < regions; j++) {
        double t = distances.get(i, j) * (1 + 0.3 * rnd.nextDouble());
        tracts[i * regions + j] = t;
        tracts[j * regions + i] = t;
      }
    }
    Connectivity connectivity =
        Connectivity.of(
                labels,
                centreMatrix,
                MatMatrix.of(regions, regions, weights),
                MatMatrix.of(regions, regions, tracts))
            .withHemispheres(right)
            .withCortical(allTrue(regions))
            .withOrientations(MatMatrix.of(regions, 3, normals));
    MatMatrix leadfield = leadfield(sensorPositions(channels), centreMatrix, normals);
    return Anatomy.of(connectivity, leadfield).withDistances(distances);
  }

  /**
   * Sensor positions ({@code channels x 3}, mm) on the upper part of the scalp sphere, spread by a
   * Fibonacci lattice from the vertex down to 20% of the radius below the equator. Independent of
   * the seed.
   */
  public static MatMatrix sensorPositions(int channels) {
    double[] s = new double[channels * 3];
    for (int c = 0; c < channels; c++) {
      // z from 1 (vertex) down to -0.2, evenly in area.
      double z = 1 - 1.2 * (c + 0.5) / channels;
      double rho = Math.sqrt(1 - z * z);
      double phi = c * GOLDEN_ANGLE;
      s[c * 3] = SCALP_RADIUS_MM * rho * Math.cos(phi);
      s[c * 3 + 1] = SCALP_RADIUS_MM * rho * Math.sin(phi);
      s[c * 3 + 2] = SCALP_RADIUS_MM * z;
    }
    return MatMatrix.of(channels, 3, s);
  }

  private static void placeHemisphere(
      Random rnd, int side, int count, int offset, double[] centres, double[] normals) {
    for (int k = 0; k < count; k++) {
      // Unit-sphere direction with z in [-0.5, 1): the cortex shell without its underside.
      double z = 1 - 1.5 * (k + 0.5) / count;
      double rho = Math.sqrt(1 - z * z);
      double phi = k * GOLDEN_ANGLE + 0.2 * (rnd.nextDouble() - 0.5);
      double[] u = {rho * Math.cos(phi), rho * Math.sin(phi), z};
      int r = offset + k;
      double[] n = new double[3];
      double norm = 0;
      for (int a = 0; a < 3; a++) {
        double p = SEMI_AXES[a] * u[a];
        centres[r * 3 + a] = (a == 0 ? side * HEMISPHERE_OFFSET : 0) + p;
        // Outward normal of the ellipsoid, tilted a little so dipoles are not perfectly radial.
        n[a] = u[a] / SEMI_AXES[a] + 0.002 * rnd.nextGaussian();
        norm += n[a] * n[a];
      }
      norm = Math.sqrt(norm);
      for (int a = 0; a < 3; a++) {
        normals[r * 3 + a] = n[a] / norm;
      }
    }
  }

  private static double[] weights(Random rnd, MatMatrix distances, int left) {
    int n = distances.rows();
    double[] w = new double[n * n];
    double max = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double d = distances.get(i, j);
        // Always draw both numbers so every pair consumes the same randomness.
        double u = rnd.nextDouble();
        double g = rnd.nextGaussian();
        boolean homotopic = i < left && j - left == i;
        if (homotopic || u < Math.exp(-d / 25.0)) {
          double v = Math.exp(-d / 20.0 + g);
          w[i * n + j] = v;
          w[j * n + i] = v;
          max = Math.max(max, v);
        }
      }
    }
    // No isolated regions: connect each to its nearest neighbour if nothing else.
    for (int i = 0; i < n; i++) {
      boolean any = false;
      int nearest = -1;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          any |= w[i * n + j] > 0;
          if (nearest < 0 || distances.get(i, j) < distances.get(i, nearest)) {
            nearest = j;
          }
        }
      }
      if (!any) {
        double v = Math.exp(-distances.get(i, nearest) / 20.0);
        w[i * n + nearest] = v;
        w[nearest * n + i] = v;
        max = Math.max(max, v);
      }
    }
    for (int k = 0; k < w.length; k++) {
      w[k] /= max;
    }
    return w;
  }

  private static MatMatrix leadfield(MatMatrix sensors, MatMatrix centres, double[] normals) {
    int channels = sensors.rows();
    int regions = centres.rows();
    double[] l = new double[channels * regions];
    double max = 0;
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < regions; r++) {
        double dot = 0;
        double r2 = 0;
        for (int a = 0; a < 3; a++) {
          double diff = sensors.get(c, a) - centres.get(r, a);
          dot += normals[r * 3 + a] * diff;
          r2 += diff * diff;
        }
        // Potential of a current dipole in an infinite homogeneous medium: n.(s-p)/|s-p|^3.
        double v = dot / (r2 * Math.sqrt(r2));
        l[c * regions + r] = v;
        max = Math.max(max, Math.abs(v));
      }
    }
    for (int k = 0; k < l.length; k++) {
      l[k] /= max;
    }
    return MatMatrix.of(channels, regions, l);
  }

  private static boolean[] allTrue(int n) {
    boolean[] b = new boolean[n];
    java.util.Arrays.fill(b, true);
    return b;
  }
}
