package io.beamline.io.anatomy;

import io.beamline.io.mat.MatMatrix;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A region-level structural connectivity in TVB's terms: region labels, centres ({@code N x 3},
 * mm), weights ({@code N x N}) and tract lengths ({@code N x N}, mm), plus TVB's optional
 * per-region attributes. Immutable: {@code withX} returns a copy, arrays are copied in and out.
 *
 * <pre>{@code
 * Connectivity c = TvbConnectivity.read(Path.of("connectivity_76.zip"));
 * c.regions(); // 76
 * }</pre>
 */
public final class Connectivity {
  private final List<String> labels;
  private final MatMatrix centres;
  private final MatMatrix weights;
  private final MatMatrix tractLengths;
  private final boolean[] cortical;
  private final boolean[] rightHemisphere;
  private final double[] areas;
  private final MatMatrix orientations;

  private Connectivity(
      List<String> labels,
      MatMatrix centres,
      MatMatrix weights,
      MatMatrix tractLengths,
      boolean[] cortical,
      boolean[] rightHemisphere,
      double[] areas,
      MatMatrix orientations) {
    this.labels = labels;
    this.centres = centres;
    this.weights = weights;
    this.tractLengths = tractLengths;
    this.cortical = cortical;
    this.rightHemisphere = rightHemisphere;
    this.areas = areas;
    this.orientations = orientations;
  }

  /**
   * A connectivity of {@code labels.size()} regions.
   *
   * @throws IllegalArgumentException if centres are not {@code N x 3} or weights/tract lengths not
   *     {@code N x N}; the message names both shapes
   */
  public static Connectivity of(
      List<String> labels, MatMatrix centres, MatMatrix weights, MatMatrix tractLengths) {
    int n = labels.size();
    checkShape("centres", centres, n, 3, "regions x 3");
    checkShape("weights", weights, n, n, "regions x regions");
    checkShape("tract lengths", tractLengths, n, n, "regions x regions");
    labels.forEach(l -> Objects.requireNonNull(l, "region label"));
    return new Connectivity(
        List.copyOf(labels), centres, weights, tractLengths, null, null, null, null);
  }

  /** Marks which regions are cortical (TVB {@code cortical.txt}); default: unknown (empty). */
  public Connectivity withCortical(boolean[] cortical) {
    checkLength("cortical flags", cortical.length);
    return new Connectivity(
        labels,
        centres,
        weights,
        tractLengths,
        cortical.clone(),
        rightHemisphere,
        areas,
        orientations);
  }

  /**
   * Marks regions in the right hemisphere ({@code true}), as TVB's {@code hemispheres.txt};
   * default: unknown (empty).
   */
  public Connectivity withHemispheres(boolean[] rightHemisphere) {
    checkLength("hemisphere flags", rightHemisphere.length);
    return new Connectivity(
        labels,
        centres,
        weights,
        tractLengths,
        cortical,
        rightHemisphere.clone(),
        areas,
        orientations);
  }

  /** Region areas in mm^2 (TVB {@code areas.txt}); default: unknown (empty). */
  public Connectivity withAreas(double[] areas) {
    checkLength("areas", areas.length);
    return new Connectivity(
        labels,
        centres,
        weights,
        tractLengths,
        cortical,
        rightHemisphere,
        areas.clone(),
        orientations);
  }

  /** Average dipole orientations, {@code N x 3} (TVB {@code average_orientations.txt}). */
  public Connectivity withOrientations(MatMatrix orientations) {
    checkShape("orientations", orientations, regions(), 3, "regions x 3");
    return new Connectivity(
        labels, centres, weights, tractLengths, cortical, rightHemisphere, areas, orientations);
  }

  /** Number of regions N. */
  public int regions() {
    return labels.size();
  }

  /** Region labels in region order (unmodifiable). */
  public List<String> labels() {
    return labels;
  }

  /** Region centres, {@code N x 3}. */
  public MatMatrix centres() {
    return centres;
  }

  /** Connection weights, {@code N x N}. */
  public MatMatrix weights() {
    return weights;
  }

  /** Tract lengths, {@code N x N}. */
  public MatMatrix tractLengths() {
    return tractLengths;
  }

  /** Cortical flags, if known (a copy). */
  public Optional<boolean[]> cortical() {
    return Optional.ofNullable(cortical).map(boolean[]::clone);
  }

  /** Right-hemisphere flags, if known (a copy). */
  public Optional<boolean[]> hemispheres() {
    return Optional.ofNullable(rightHemisphere).map(boolean[]::clone);
  }

  /** Region areas, if known (a copy). */
  public Optional<double[]> areas() {
    return Optional.ofNullable(areas).map(double[]::clone);
  }

  /** Average orientations {@code N x 3}, if known. */
  public Optional<MatMatrix> orientations() {
    return Optional.ofNullable(orientations);
  }

  private void checkLength(String what, int length) {
    if (length != regions()) {
      throw new IllegalArgumentException(
          what + " have " + length + " values but the connectivity has " + regions() + " regions");
    }
  }

  static void checkShape(String what, MatMatrix m, int rows, int cols, String meaning) {
    if (m.ndims() != 2 || m.rows() != rows || m.cols() != cols) {
      throw new IllegalArgumentException(
          what
              + " is "
              + m.shapeString()
              + " but "
              + rows
              + " x "
              + cols
              + " ("
              + meaning
              + ") is expected for "
              + rows
              + " regions");
    }
  }
}
