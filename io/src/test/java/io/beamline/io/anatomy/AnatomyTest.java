package io.beamline.io.anatomy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.io.mat.MatMatrix;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnatomyTest {
  private static final Connectivity TWO =
      Connectivity.of(
          List.of("a", "b"),
          MatMatrix.of(2, 3, new double[] {0, 0, 0, 3, 4, 0}),
          MatMatrix.of(2, 2, new double[] {0, 1, 1, 0}),
          MatMatrix.of(2, 2, new double[] {0, 6, 6, 0}));

  @Test
  void consistentAnatomyValidatesAndDefaultsToEuclideanDistances() {
    Anatomy a = Anatomy.of(TWO, MatMatrix.zeros(4, 2));
    assertSame(a, a.validate());
    assertEquals(5.0, a.distances().get(0, 1));
    assertEquals(4, a.channels());
    assertEquals(2, a.regions());
  }

  @Test
  void leadfieldShapeMismatchNamesBothShapes() {
    Anatomy a = SyntheticAnatomy.generate(1, 76, 8);
    Anatomy wrong = Anatomy.of(a.connectivity(), MatMatrix.zeros(75, 994));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, wrong::validate);
    assertThat(
        e.getMessage(),
        containsString(
            "leadfield is 75 x 994 (channels x regions) but the connectivity has 76 regions; give"
                + " a leadfield with 76 columns or the matching connectivity"));
    assertEquals(1, wrong.problems().size(), wrong.problems().toString());
  }

  @Test
  void transposedLeadfieldAndDistanceMismatchAreBothReported() {
    Anatomy a = Anatomy.of(TWO, MatMatrix.zeros(2, 5)).withDistances(MatMatrix.zeros(3, 3));
    List<String> p = a.problems();
    assertEquals(2, p.size(), p.toString());
    assertThat(p.get(0), containsString("(it looks transposed: regions x channels; transpose it)"));
    assertEquals(
        "distance matrix is 3 x 3 but the connectivity has 2 regions; give a 2 x 2 distance matrix"
            + " or the matching connectivity",
        p.get(1));
  }

  @Test
  void nonFiniteNegativeAndMappingProblems() {
    Anatomy a =
        Anatomy.of(TWO, MatMatrix.of(1, 2, new double[] {1, Double.NaN}))
            .withDistances(MatMatrix.of(2, 2, new double[] {0, -1, -1, 0}))
            .withRegionMapping(new int[] {0, 1, 2});
    String all = String.join("\n", a.problems());
    assertThat(
        all,
        containsString(
            "leadfield (1 x 2) has 1 NaN or infinite values, the first at row 0, column 1"));
    assertThat(all, containsString("distance matrix (2 x 2) has a negative value -1.0"));
    assertThat(
        all,
        containsString(
            "region mapping sends vertex 2 to region 2 but the connectivity has 2 regions"));
  }

  @Test
  void connectivityRejectsInconsistentShapes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Connectivity.of(
                    List.of("a", "b"),
                    MatMatrix.zeros(2, 3),
                    MatMatrix.zeros(3, 3),
                    MatMatrix.zeros(2, 2)));
    assertEquals(
        "weights is 3 x 3 but 2 x 2 (regions x regions) is expected for 2 regions", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TWO.withAreas(new double[3]));
  }

  @Test
  void copiesProtectState() {
    int[] mapping = {0, 1};
    Anatomy a = Anatomy.of(TWO, MatMatrix.zeros(1, 2)).withRegionMapping(mapping);
    mapping[0] = 9;
    a.regionMapping().orElseThrow()[1] = 9;
    assertEquals(0, a.regionMapping().orElseThrow()[0]);
    assertEquals(1, a.regionMapping().orElseThrow()[1]);
    assertTrue(a.problems().isEmpty());
  }
}
