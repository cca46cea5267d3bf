package io.beamline.io.anatomy;

import io.beamline.io.mat.MatFileException;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatReader;
import java.nio.file.Path;

/**
 * Loads the anatomy matrices DeepSIF keeps in MAT files (v5 or v7.3), by variable name.
 *
 * <pre>{@code
 * MatMatrix fwd = AnatomyFiles.readLeadfield(dir.resolve("leadfield_75_20k.mat")); // "fwd"
 * int[] rm = AnatomyFiles.readRegionMapping(mappingMat, mappingVariable, 0);
 * }</pre>
 */
public final class AnatomyFiles {
  /** DeepSIF's leadfield variable name in {@code leadfield_75_20k.mat}. */
  public static final String DEFAULT_LEADFIELD_VARIABLE = "fwd";

  private AnatomyFiles() {}

  /** Reads the leadfield from variable {@value #DEFAULT_LEADFIELD_VARIABLE}. */
  public static MatMatrix readLeadfield(Path mat) throws MatFileException {
    return readLeadfield(mat, DEFAULT_LEADFIELD_VARIABLE);
  }

  /**
   * Reads a 2-D {@code channels x regions} leadfield from {@code variable}.
   *
   * @throws MatFileException if the file or variable is missing, or it is not a 2-D numeric matrix
   */
  public static MatMatrix readLeadfield(Path mat, String variable) throws MatFileException {
    try (MatReader r = MatReader.open(mat)) {
      return r.matrix2d(variable);
    }
  }

  /**
   * Reads a square {@code regions x regions} distance matrix from {@code variable}.
   *
   * @throws MatFileException if missing, not 2-D numeric, or not square
   */
  public static MatMatrix readDistances(Path mat, String variable) throws MatFileException {
    MatMatrix d;
    try (MatReader r = MatReader.open(mat)) {
      d = r.matrix2d(variable);
    }
    if (d.rows() != d.cols()) {
      throw new MatFileException(
          mat,
          variable,
          "distance matrix '"
              + variable
              + "' in "
              + mat
              + " is "
              + d.shapeString()
              + " but a square regions x regions matrix is expected; pass the right variable",
          null);
    }
    return d;
  }

  /**
   * Reads a vertex-to-region mapping (a row or column vector of integers) from {@code variable} and
   * returns it zero-based.
   *
   * @param firstIndex the index the file uses for the first region: 0 (TVB, Python) or 1 (MATLAB)
   * @throws IllegalArgumentException if {@code firstIndex} is not 0 or 1
   * @throws MatFileException if missing, not a vector, or holding non-integers or indices below
   *     {@code firstIndex}
   */
  public static int[] readRegionMapping(Path mat, String variable, int firstIndex)
      throws MatFileException {
    if (firstIndex != 0 && firstIndex != 1) {
      throw new IllegalArgumentException("firstIndex is " + firstIndex + " but must be 0 or 1");
    }
    MatMatrix m;
    try (MatReader r = MatReader.open(mat)) {
      m = r.matrix2d(variable);
    }
    if (m.rows() != 1 && m.cols() != 1) {
      throw new MatFileException(
          mat,
          variable,
          "region mapping '"
              + variable
              + "' in "
              + mat
              + " is "
              + m.shapeString()
              + " but a vector (one region per vertex) is expected; pass the right variable",
          null);
    }
    int[] out = new int[m.size()];
    for (int v = 0; v < out.length; v++) {
      double x = m.getFlat(v);
      if (x != Math.rint(x) || x < firstIndex || x > Integer.MAX_VALUE) {
        throw new MatFileException(
            mat,
            variable,
            "region mapping '"
                + variable
                + "' in "
                + mat
                + " has "
                + x
                + " at vertex "
                + v
                + " but region indices must be integers >= "
                + firstIndex
                + "; check the variable and whether it is 0- or 1-based",
            null);
      }
      out[v] = (int) x - firstIndex;
    }
    return out;
  }
}
