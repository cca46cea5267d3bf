package io.beamline.io.mat;

import static io.beamline.io.mat.MatFixtures.ramp;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatV73ReaderTest {
  @TempDir Path dir;
  private Path mat;
  private double[][][] cube;

  @BeforeEach
  void writeFixture() throws IOException {
    cube = new double[2][3][4];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          cube[i][j][k] = 100 * i + 10 * j + k;
        }
      }
    }
    try (MatFixtures.V73 f = new MatFixtures.V73(dir)) {
      mat =
          f.doubles("fwd", ramp(3, 5))
              .singles("data", ramp(4, 2))
              .doubles3("selected_region", cube)
              .int32Row("nmm_idx", new int[] {7, -2, 40})
              .chars("label", "lh_001")
              .structWithDoubles("info", "spike_time", ramp(1, 3))
              .finish(dir.resolve("fixture_v73.mat"));
    }
    // The fixture is what MATLAB writes: text header, then HDF5 at byte 512.
    byte[] bytes = Files.readAllBytes(mat);
    assertEquals("MATLAB 7.3 MAT-file", new String(bytes, 0, 19));
    assertEquals("HDF", new String(bytes, 513, 3));
  }

  @Test
  void detectsVersionAndListsVariables() throws IOException {
    try (MatReader r = MatReader.open(mat)) {
      assertEquals(MatReader.Version.V7_3, r.version());
      assertEquals(
          List.of("data", "fwd", "info", "label", "nmm_idx", "selected_region"),
          r.variables().stream().sorted().toList());
    }
  }

  @Test
  void undoesTheHdf5Transpose() throws IOException {
    try (MatReader r = MatReader.open(mat)) {
      MatMatrix fwd = r.matrix2d("fwd");
      assertEquals(3, fwd.rows());
      assertEquals(5, fwd.cols());
      assertEquals(MatMatrix.fromArray2d(ramp(3, 5)), fwd);

      MatMatrix data = r.matrix("data");
      assertArrayEquals(new int[] {4, 2}, data.shape());
      assertEquals(31.25, data.get(3, 1));

      MatMatrix idx = r.matrix("nmm_idx");
      assertArrayEquals(new int[] {1, 3}, idx.shape());
      assertArrayEquals(new double[] {7, -2, 40}, idx.toArray());

      assertEquals(MatMatrix.fromArray2d(ramp(1, 3)), r.matrix("info.spike_time"));
      assertEquals("lh_001", r.string("label"));
    }
  }

  @Test
  void readsThreeDimensionalArraysInMatlabOrder() throws IOException {
    MatMatrix m = MatReader.readMatrix(mat, "selected_region");
    assertArrayEquals(new int[] {2, 3, 4}, m.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          assertEquals(cube[i][j][k], m.get(i, j, k));
        }
      }
    }
  }

  @Test
  void explainsMissingNonNumericAndWrongDimensionality() throws IOException {
    try (MatReader r = MatReader.open(mat)) {
      MatFileException missing = assertThrows(MatFileException.class, () -> r.matrix("G"));
      assertThat(
          missing.getMessage(),
          allOf(
              containsString(mat.toString()),
              containsString("no variable 'G'"),
              containsString("it has fwd, data, nmm_idx"),
              containsString("re-save")));
      assertEquals("G", missing.variable().orElseThrow());

      MatFileException chars = assertThrows(MatFileException.class, () -> r.matrix("label"));
      assertThat(chars.getMessage(), containsString("'label' in " + mat + " is char"));

      MatFileException dims =
          assertThrows(MatFileException.class, () -> r.matrix2d("selected_region"));
      assertThat(dims.getMessage(), containsString("is 3-D (2 x 3 x 4) but a 2-D array"));

      MatFileException field =
          assertThrows(MatFileException.class, () -> r.matrix("info.num_spike"));
      assertThat(field.getMessage(), containsString("no field 'num_spike'"));
      assertThat(field.getMessage(), containsString("spike_time"));
    }
  }

  @Test
  void truncatedHdf5FailsWithOneClearLine() throws IOException {
    byte[] bytes = Files.readAllBytes(mat);
    Path cut = dir.resolve("cut.mat");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    MatFileException e =
        assertThrows(
            MatFileException.class,
            () -> {
              try (MatReader r = MatReader.open(cut)) {
                for (String v : r.variables()) {
                  if (!v.equals("label") && !v.equals("info")) {
                    r.matrix(v);
                  }
                }
                r.matrix("info.spike_time");
              }
            });
    assertThat(
        e.getMessage(),
        allOf(containsString(cut.toString()), containsString("truncated or corrupt")));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void headerWithoutHdf5IsRejected() throws IOException {
    Path bad = dir.resolve("bad.mat");
    Files.write(bad, MatFixtures.matlab73Header());
    MatFileException e = assertThrows(MatFileException.class, () -> MatReader.open(bad));
    assertThat(e.getMessage(), containsString("no HDF5 signature at byte 512"));
  }
}
