package io.beamline.io.anatomy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.io.mat.MatFileException;
import io.beamline.io.mat.MatMatrix;
import io.beamline.io.mat.MatWriter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnatomyFilesTest {
  @TempDir Path dir;

  @Test
  void leadfieldDefaultsToFwdAndFeedsValidation() throws IOException {
    Anatomy synthetic = SyntheticAnatomy.generate(7, 12, 5);
    Path f = dir.resolve("leadfield_5_12.mat");
    MatWriter.create().withDouble("fwd", synthetic.leadfield()).write(f);
    MatMatrix fwd = AnatomyFiles.readLeadfield(f);
    assertEquals(synthetic.leadfield(), fwd);
    Anatomy.of(synthetic.connectivity(), fwd).validate();

    MatFileException e =
        assertThrows(MatFileException.class, () -> AnatomyFiles.readLeadfield(f, "G"));
    assertThat(e.getMessage(), containsString("no variable 'G'; it has fwd"));
  }

  @Test
  void distancesMustBeSquare() throws IOException {
    Path f = dir.resolve("dis.mat");
    MatWriter.create()
        .withDouble("dis", MatMatrix.zeros(4, 4))
        .withDouble("wide", MatMatrix.zeros(4, 5))
        .write(f);
    assertEquals(MatMatrix.zeros(4, 4), AnatomyFiles.readDistances(f, "dis"));
    MatFileException e =
        assertThrows(MatFileException.class, () -> AnatomyFiles.readDistances(f, "wide"));
    assertThat(e.getMessage(), containsString("is 4 x 5 but a square regions x regions matrix"));
  }

  @Test
  void regionMappingIsReturnedZeroBased() throws IOException {
    Path f = dir.resolve("rm.mat");
    MatWriter.create()
        .withDouble("rm1", MatMatrix.of(4, 1, new double[] {1, 2, 2, 3}))
        .withDouble("rm0", MatMatrix.vector(0, 1, 1, 2))
        .withDouble("frac", MatMatrix.vector(0, 1.5))
        .withDouble("grid", MatMatrix.zeros(2, 2))
        .write(f);
    assertArrayEquals(new int[] {0, 1, 1, 2}, AnatomyFiles.readRegionMapping(f, "rm1", 1));
    assertArrayEquals(new int[] {0, 1, 1, 2}, AnatomyFiles.readRegionMapping(f, "rm0", 0));
    MatFileException zeroIn1Based =
        assertThrows(MatFileException.class, () -> AnatomyFiles.readRegionMapping(f, "rm0", 1));
    assertThat(zeroIn1Based.getMessage(), containsString("0- or 1-based"));
    assertThrows(MatFileException.class, () -> AnatomyFiles.readRegionMapping(f, "frac", 0));
    MatFileException grid =
        assertThrows(MatFileException.class, () -> AnatomyFiles.readRegionMapping(f, "grid", 0));
    assertThat(grid.getMessage(), containsString("is 2 x 2 but a vector"));
    assertThrows(IllegalArgumentException.class, () -> AnatomyFiles.readRegionMapping(f, "rm0", 2));
  }
}
