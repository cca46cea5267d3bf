package io.beamline.io.anatomy;

import io.beamline.io.mat.MatMatrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the source-imaging simulation needs to know about a head: the region connectivity, the
 * leadfield ({@code channels x regions}) that projects region activity to sensors, a region
 * distance matrix ({@code regions x regions}, used to grow source patches) and, optionally, a
 * region mapping from surface vertices to regions.
 *
 * <p>Immutable; {@code withX} returns a copy. Construction does not check cross-shape consistency
 * so that {@link #validate()} can report every problem at once.
 *
 * <pre>{@code
 * Anatomy a = Anatomy.of(TvbConnectivity.read(zip), AnatomyFiles.readLeadfield(fwdMat))
 *     .withDistances(AnatomyFiles.readDistances(disMat, distanceVariable))
 *     .validate();
 * }</pre>
 */
public final class Anatomy {
  private final Connectivity connectivity;
  private final MatMatrix leadfield;
  private final MatMatrix distances;
  private final int[] regionMapping;

  private Anatomy(
      Connectivity connectivity, MatMatrix leadfield, MatMatrix distances, int[] regionMapping) {
    this.connectivity = connectivity;
    this.leadfield = leadfield;
    this.distances = distances;
    this.regionMapping = regionMapping;
  }

  /**
   * An anatomy whose distance matrix defaults to the Euclidean distances between region centres and
   * which has no region mapping.
   */
  public static Anatomy of(Connectivity connectivity, MatMatrix leadfield) {
    Objects.requireNonNull(connectivity, "connectivity");
    Objects.requireNonNull(leadfield, "leadfield");
    return new Anatomy(connectivity, leadfield, euclidean(connectivity.centres()), null);
  }

  /** Replaces the distance matrix (default: Euclidean distances between centres). */
  public Anatomy withDistances(MatMatrix distances) {
    return new Anatomy(
        connectivity, leadfield, Objects.requireNonNull(distances, "distances"), regionMapping);
  }

  /**
   * Sets the region mapping: entry {@code v} is the zero-based region of surface vertex {@code v}.
   * Default: none.
   */
  public Anatomy withRegionMapping(int[] regionMapping) {
    return new Anatomy(connectivity, leadfield, distances, regionMapping.clone());
  }

  /** The connectivity. */
  public Connectivity connectivity() {
    return connectivity;
  }

  /** The leadfield, {@code channels x regions}. */
  public MatMatrix leadfield() {
    return leadfield;
  }

  /** The region distance matrix, {@code regions x regions}. */
  public MatMatrix distances() {
    return distances;
  }

  /** The vertex-to-region mapping (zero-based), if set; a copy. */
  public Optional<int[]> regionMapping() {
    return Optional.ofNullable(regionMapping).map(int[]::clone);
  }

  /** Number of regions (from the connectivity). */
  public int regions() {
    return connectivity.regions();
  }

  /** Number of sensor channels (leadfield rows). */
  public int channels() {
    return leadfield.rows();
  }

  /**
   * Every inconsistency, one sentence each, naming both shapes and the fix; empty when the anatomy
   * is usable.
   */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    int n = regions();
    if (leadfield.ndims() != 2 || leadfield.size() == 0) {
      p.add(
          "leadfield is "
              + leadfield.shapeString()
              + " but a non-empty channels x regions matrix is expected");
    } else if (leadfield.cols() != n) {
      String hint =
          leadfield.rows() == n ? " (it looks transposed: regions x channels; transpose it)" : "";
      p.add(
          "leadfield is "
              + leadfield.shapeString()
              + " (channels x regions) but the connectivity has "
              + n
              + " regions"
              + hint
              + "; give a leadfield with "
              + n
              + " columns or the matching connectivity");
    }
    if (distances.ndims() != 2 || distances.rows() != n || distances.cols() != n) {
      p.add(
          "distance matrix is "
              + distances.shapeString()
              + " but the connectivity has "
              + n
              + " regions; give a "
              + n
              + " x "
              + n
              + " distance matrix or the matching connectivity");
    }
    finite("leadfield", leadfield, p);
    finite("weights", connectivity.weights(), p);
    finite("tract lengths", connectivity.tractLengths(), p);
    finite("distance matrix", distances, p);
    finite("centres", connectivity.centres(), p);
    nonNegative("weights", connectivity.weights(), p);
    nonNegative("tract lengths", connectivity.tractLengths(), p);
    nonNegative("distance matrix", distances, p);
    if (regionMapping != null) {
      for (int v = 0; v < regionMapping.length; v++) {
        if (regionMapping[v] < 0 || regionMapping[v] >= n) {
          p.add(
              "region mapping sends vertex "
                  + v
                  + " to region "
                  + regionMapping[v]
                  + " but the connectivity has "
                  + n
                  + " regions (valid 0.."
                  + (n - 1)
                  + "); give the mapping that matches the connectivity (and check 0- vs 1-based)");
          break;
        }
      }
    }
    return p;
  }

  /**
   * Returns this anatomy if {@link #problems()} is empty.
   *
   * @throws IllegalArgumentException listing every problem, separated by {@code "; "}
   */
  public Anatomy validate() {
    List<String> p = problems();
    if (!p.isEmpty()) {
      throw new IllegalArgumentException("invalid anatomy: " + String.join("; ", p));
    }
    return this;
  }

  private static void finite(String what, MatMatrix m, List<String> p) {
    int bad = 0;
    int first = -1;
    for (int k = 0; k < m.size(); k++) {
      if (!Double.isFinite(m.getFlat(k))) {
        bad++;
        if (first < 0) {
          first = k;
        }
      }
    }
    if (bad > 0) {
      p.add(
          what
              + " ("
              + m.shapeString()
              + ") has "
              + bad
              + " NaN or infinite values, the first at "
              + position(m, first)
              + "; fix or re-export it");
    }
  }

  private static void nonNegative(String what, MatMatrix m, List<String> p) {
    for (int k = 0; k < m.size(); k++) {
      if (m.getFlat(k) < 0) {
        p.add(
            what
                + " ("
                + m.shapeString()
                + ") has a negative value "
                + m.getFlat(k)
                + " at "
                + position(m, k)
                + "; it must be >= 0");
        return;
      }
    }
  }

  private static String position(MatMatrix m, int flat) {
    if (m.ndims() == 2) {
      return "row " + flat / m.cols() + ", column " + flat % m.cols() + " (zero-based)";
    }
    return "element " + flat;
  }

  /** Euclidean distances between the rows of an {@code N x 3} matrix. */
  static MatMatrix euclidean(MatMatrix centres) {
    int n = centres.rows();
    double[] d = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
          double diff = centres.get(i, k) - centres.get(j, k);
          s += diff * diff;
        }
        d[i * n + j] = Math.sqrt(s);
        d[j * n + i] = d[i * n + j];
      }
    }
    return MatMatrix.of(n, n, d);
  }
}
