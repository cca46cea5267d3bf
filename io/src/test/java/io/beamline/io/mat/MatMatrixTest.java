package io.beamline.io.mat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MatMatrixTest {

  @Test
  void twoDimensionalAccessIsRowMajor() {
    MatMatrix m = MatMatrix.of(2, 3, new double[] {1, 2, 3, 4, 5, 6});
    assertEquals(2, m.rows());
    assertEquals(3, m.cols());
    assertEquals(4.0, m.get(1, 0));
    assertEquals(6.0, m.get(1, 2));
    assertArrayEquals(new double[] {4, 5, 6}, m.toArray2d()[1]);
    assertEquals(m, MatMatrix.fromArray2d(m.toArray2d()));
    assertEquals("2 x 3", m.shapeString());
  }

  @Test
  void columnMajorConversionMatchesMatlabLinearIndexing() {
    // MATLAB: A = reshape(1:6, 2, 3) is [1 3 5; 2 4 6].
    MatMatrix a = MatMatrix.fromColumnMajor(new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6});
    assertArrayEquals(new double[] {1, 3, 5, 2, 4, 6}, a.toArray());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.toColumnMajor());

    // 3-D: A = reshape(1:24, 2, 3, 4); A(i,j,k) = i + 2(j-1) + 6(k-1) (1-based).
    double[] linear = new double[24];
    for (int k = 0; k < 24; k++) {
      linear[k] = k + 1;
    }
    MatMatrix b = MatMatrix.fromColumnMajor(new int[] {2, 3, 4}, linear);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          assertEquals(1 + i + 2 * j + 6 * k, b.get(i, j, k), "at " + i + "," + j + "," + k);
        }
      }
    }
    assertArrayEquals(linear, b.toColumnMajor());
  }

  @Test
  void immutableAgainstCallerArrays() {
    double[] data = {1, 2};
    MatMatrix m = MatMatrix.vector(data);
    data[0] = 99;
    m.toArray()[1] = 99;
    m.shape()[0] = 7;
    assertArrayEquals(new double[] {1, 2}, m.toArray());
    assertEquals(1, m.rows());
    assertEquals(2, m.cols());
  }

  @Test
  void rejectsInconsistentShapesAndIndices() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MatMatrix.of(2, 3, new double[5]));
    assertEquals("data has 5 values but shape 2 x 3 needs 6", e.getMessage());
    MatMatrix cube = MatMatrix.zeros(2, 2, 2);
    assertThrows(IllegalStateException.class, () -> cube.get(0, 0));
    assertThrows(IllegalStateException.class, cube::toArray2d);
    assertThrows(IndexOutOfBoundsException.class, () -> cube.get(0, 2, 0));
    assertThrows(
        IllegalArgumentException.class, () -> MatMatrix.fromArray2d(new double[][] {{1, 2}, {3}}));
  }

  @Test
  void transposeAndEquality() {
    MatMatrix m = MatMatrix.of(2, 3, new double[] {1, 2, 3, 4, 5, 6});
    MatMatrix t = m.transpose();
    assertEquals(3, t.rows());
    assertEquals(2.0, t.get(1, 0));
    assertEquals(m, t.transpose());
    assertNotEquals(m, m.reshape(3, 2));
  }
}
