package io.beamline.transforms.nmm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The numeric core of DeepSIF's {@code forward/generate_sythetic_source.m}: grow candidate source
 * patches around a centre region over the cortical region graph, and the magnitude fall-off inside
 * a patch.
 *
 * <p>Inputs are plain arrays, all region ids 0-based: {@code neighbours[r]} lists the regions
 * adjacent to {@code r} (not {@code r} itself), {@code centres[r]} is the 3-D centre of {@code r}
 * (any length unit), {@code distances[r][s]} a distance matrix (mm). Random draws come from a
 * seeded {@link SplittableRandom} (one uniform per candidate region, in order), so a seed gives the
 * same patches everywhere; they cannot reproduce MATLAB's {@code rand} stream.
 *
 * <p>Growth for centre {@code c} (DeepSIF's two used variants, five repetitions each):
 *
 * <ol>
 *   <li>layer 1 = neighbours of {@code c}; layer 2 = neighbours of layer 1 not in {c, layer 1};
 *   <li>growing directions: the unit vectors {@code c -> layer-1 region}, sorted by their angle to
 *       the first one; the first {@code ceil(n/2)} are used;
 *   <li>two-layer patches: layer-2 regions kept with probability {@code |cos|} rescaled to [0, 1]
 *       ({@code ratio 1, bias 0}); three-layer patches: layer 2 with bias 0.1, then layer 3 =
 *       neighbours of the kept layer 2 outside the patch, kept with bias -0.15;
 *   <li>smoothing: outside regions with at most one neighbour outside the patch are added; regions
 *       with exactly one neighbour in the patch are removed.
 * </ol>
 */
public final class SourcePatches {

  /** DeepSIF's largest patch, regions. */
  public static final int DEEPSIF_MAX_SIZE = 70;

  /** DeepSIF's pad value for unused patch slots (a "NaN" Python can read). */
  public static final int DEEPSIF_PAD = 15213;

  /**
   * DeepSIF's {@code sigma = 0.8493 * d_half}: 0.8493 = 1 / sqrt(2 ln 2), half height at d_half.
   */
  static final double HALF_HEIGHT_SIGMA_FACTOR = 0.8493;

  private static final int REPETITIONS = 5;

  private SourcePatches() {}

  /**
   * DeepSIF's {@code find_nb_rg}: the sorted, distinct neighbours of all {@code regions} that are
   * not in {@code exclude}.
   */
  public static int[] neighbours(int[][] neighbours, int[] regions, int[] exclude) {
    TreeSet<Integer> out = new TreeSet<>();
    for (int r : regions) {
      for (int nb : neighbours[r]) {
        out.add(nb);
      }
    }
    for (int r : exclude) {
      out.remove(r);
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * DeepSIF's {@code get_region_with_dir}: keeps candidate {@code k} when {@code u_k < ratio * (d_k
   * - min d) / (max d - min d) + bias}, with {@code d_k = |dir(centre -> candidate k) . v|} and
   * {@code u_k} uniform in [0, 1). When all {@code d_k} are equal the ratio is 0/0 (NaN in MATLAB)
   * and nothing is kept, as in DeepSIF.
   *
   * @param v unit growing direction (3 values)
   * @param centre centre point (3 values)
   * @param candidates candidate region ids
   * @param centres region centres, {@code [region][3]}
   * @param random one draw per candidate, in order
   * @return the kept candidates, in input order
   */
  public static int[] selectByDirection(
      double[] v,
      double[] centre,
      int[] candidates,
      double[][] centres,
      double ratio,
      double bias,
      SplittableRandom random) {
    double[] d = new double[candidates.length];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < candidates.length; k++) {
      double[] u = direction(centre, centres[candidates[k]]);
      d[k] = Math.abs(u[0] * v[0] + u[1] * v[1] + u[2] * v[2]);
      min = Math.min(min, d[k]);
      max = Math.max(max, d[k]);
    }
    int[] kept = new int[candidates.length];
    int n = 0;
    for (int k = 0; k < candidates.length; k++) {
      double p = ratio * ((d[k] - min) / (max - min)) + bias; // NaN when max == min
      if (random.nextDouble() < p) {
        kept[n++] = candidates[k];
      }
    }
    return Arrays.copyOf(kept, n);
  }

  /**
   * DeepSIF's {@code smooth_region} applied: adds every outside neighbour of the patch whose
   * neighbours lie in the patch except at most one, then removes every region of the patch (not the
   * added ones) with exactly one neighbour in the patch-plus-added set; that can remove the centre
   * itself, as in DeepSIF. The result keeps first-occurrence order without duplicates ({@code
   * setdiff(..., 'stable')}): the patch, then the added regions.
   *
   * @param current patch region ids, centre first
   */
  public static int[] smooth(int[][] neighbours, int[] current) {
    Set<Integer> inPatch = toSet(current);
    List<Integer> added = new ArrayList<>();
    for (int r : neighbours(neighbours, current, current)) {
      int inside = countIn(neighbours[r], inPatch);
      if (inside > neighbours[r].length - 2) {
        added.add(r);
      }
    }
    Set<Integer> withAdded = new LinkedHashSet<>(inPatch);
    withAdded.addAll(added);
    Set<Integer> removed = new TreeSet<>();
    for (int r : current) {
      if (countIn(neighbours[r], withAdded) == 1) {
        removed.add(r);
      }
    }
    LinkedHashSet<Integer> out = new LinkedHashSet<>();
    for (int r : current) {
      out.add(r);
    }
    out.addAll(added);
    out.removeAll(removed);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * All candidate patches DeepSIF grows around {@code centre}: 5 repetitions x ceil(n1/2)
   * directions of two-layer patches, then the same of three-layer patches ({@code n1} = number of
   * first-layer neighbours). Each patch starts with the centre. Patches longer than {@code maxSize}
   * are skipped (DeepSIF's padding would fail on them; its disabled four-layer variant skips them
   * the same way).
   *
   * @param neighbours adjacency lists, 0-based
   * @param centres region centres {@code [region][3]}
   * @param centre 0-based centre region
   * @param maxSize largest patch kept, >= 1 (DeepSIF: {@value #DEEPSIF_MAX_SIZE})
   * @param seed random seed
   */
  public static List<int[]> grow(
      int[][] neighbours, double[][] centres, int centre, int maxSize, long seed) {
    Checks.notNull("neighbours", neighbours);
    Checks.notNull("centres", centres);
    if (centres.length != neighbours.length) {
      throw new IllegalArgumentException(
          "centres has " + centres.length + " regions but neighbours has " + neighbours.length);
    }
    Checks.inRange("centre", centre, 0, neighbours.length - 1);
    Checks.inRange("maxSize", maxSize, 1, Integer.MAX_VALUE);
    SplittableRandom random = new SplittableRandom(seed);
    int[] self = {centre};
    int[] layer1 = neighbours(neighbours, self, self);
    int[] layer2 = neighbours(neighbours, layer1, concat(self, layer1));
    double[] c = centres[centre];
    List<int[]> patches = new ArrayList<>();
    if (layer1.length == 0) {
      patches.add(self);
      return patches;
    }
    int[] directions = growingDirections(c, layer1, centres);
    for (int variant = 0; variant < 2; variant++) {
      for (int rep = 0; rep < REPETITIONS; rep++) {
        for (int k : directions) {
          double[] v = direction(c, centres[layer1[k]]);
          int[] patch;
          if (variant == 0) {
            int[] kept2 = selectByDirection(v, c, layer2, centres, 1.0, 0.0, random);
            patch = smooth(neighbours, concat(self, layer1, kept2));
          } else {
            int[] kept2 = selectByDirection(v, c, layer2, centres, 1.0, 0.1, random);
            int[] layer3 = neighbours(neighbours, kept2, concat(self, layer1, kept2));
            int[] kept3 = selectByDirection(v, c, layer3, centres, 1.0, -0.15, random);
            patch = smooth(neighbours, concat(self, layer1, kept2, kept3));
          }
          if (patch.length <= maxSize) {
            patches.add(patch);
          }
        }
      }
    }
    return patches;
  }

  /**
   * Indices into {@code layer1} of the growing directions: sorted by the angle between {@code
   * centre -> layer1[k]} and {@code centre -> layer1[0]} (stable for ties), first {@code
   * ceil(n/2)}.
   */
  static int[] growingDirections(double[] centre, int[] layer1, double[][] centres) {
    double[] first = direction(centre, centres[layer1[0]]);
    Integer[] order = new Integer[layer1.length];
    double[] angle = new double[layer1.length];
    for (int k = 0; k < layer1.length; k++) {
      double[] u = direction(centre, centres[layer1[k]]);
      double cos =
          Math.max(-1.0, Math.min(1.0, u[0] * first[0] + u[1] * first[1] + u[2] * first[2]));
      angle[k] = Math.toDegrees(Math.acos(cos));
      order[k] = k;
    }
    Arrays.sort(order, (x, y) -> Double.compare(angle[x], angle[y]));
    int[] out = new int[(layer1.length + 1) / 2];
    for (int k = 0; k < out.length; k++) {
      out[k] = order[k];
    }
    return out;
  }

  /**
   * DeepSIF's {@code mag_change} for one patch: {@code exp(-d^2 / (2 sigma^2))} with {@code d} the
   * distance from the patch's first (centre) region and {@code sigma = 0.8493 * halfDistance}, so
   * the magnitude is ~0.5 at {@code halfDistance} (DeepSIF draws it once, uniformly from the
   * integers 40..60 mm).
   *
   * @param distances {@code [region][region]} distances, same unit as halfDistance
   * @param patch region ids, centre first, non-empty
   * @param halfDistance distance at half magnitude, > 0
   */
  public static double[] magnitudeFalloff(double[][] distances, int[] patch, double halfDistance) {
    Checks.notNull("distances", distances);
    Checks.notNull("patch", patch);
    Checks.positive("halfDistance", halfDistance);
    if (patch.length == 0) {
      throw new IllegalArgumentException("patch must hold at least its centre region");
    }
    double sigma = HALF_HEIGHT_SIGMA_FACTOR * halfDistance;
    double[] out = new double[patch.length];
    for (int k = 0; k < patch.length; k++) {
      double d = distances[patch[0]][patch[k]];
      out[k] = Math.exp(-d * d / (2 * sigma * sigma));
    }
    return out;
  }

  /**
   * A patch padded to {@code maxSize} slots with {@code pad} (DeepSIF: 70 slots, pad {@value
   * #DEEPSIF_PAD}).
   */
  public static int[] padded(int[] patch, int maxSize, int pad) {
    if (patch.length > maxSize) {
      throw new IllegalArgumentException(
          "patch has " + patch.length + " regions, more than maxSize " + maxSize);
    }
    int[] out = Arrays.copyOf(patch, maxSize);
    Arrays.fill(out, patch.length, maxSize, pad);
    return out;
  }

  private static double[] direction(double[] from, double[] to) {
    double x = to[0] - from[0];
    double y = to[1] - from[1];
    double z = to[2] - from[2];
    double norm = Math.sqrt(x * x + y * y + z * z);
    return new double[] {x / norm, y / norm, z / norm};
  }

  private static int[] concat(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    int[] out = new int[n];
    int k = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, k, p.length);
      k += p.length;
    }
    return out;
  }

  private static Set<Integer> toSet(int[] values) {
    Set<Integer> s = new LinkedHashSet<>();
    for (int v : values) {
      s.add(v);
    }
    return s;
  }

  private static int countIn(int[] values, Set<Integer> set) {
    // intersect() counts distinct values
    Set<Integer> seen = new TreeSet<>();
    for (int v : values) {
      if (set.contains(v)) {
        seen.add(v);
      }
    }
    return seen.size();
  }
}
