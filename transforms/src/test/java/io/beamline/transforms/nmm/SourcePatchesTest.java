package io.beamline.transforms.nmm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** On a 5 x 5 grid: region {@code row * 5 + col}, centre (col, row, 0), 4-neighbour adjacency. */
class SourcePatchesTest {

  private static final int[][] NBS = gridNeighbours();
  private static final double[][] CENTRES = gridCentres();

  @Test
  void neighboursAreSortedDistinctAndExcludeInnerLayers() {
    int[] layer1 = SourcePatches.neighbours(NBS, new int[] {12}, new int[] {12});
    assertArrayEquals(new int[] {7, 11, 13, 17}, layer1);
    int[] layer2 = SourcePatches.neighbours(NBS, layer1, new int[] {12, 7, 11, 13, 17});
    assertArrayEquals(new int[] {2, 6, 8, 10, 14, 16, 18, 22}, layer2);
  }

  @Test
  void selectionProbabilityFollowsAlignmentWithTheGrowingDirection() {
    // Growing towards +x from (2,2): |cos| = 1 for 10 and 14 (p = 1), 0 for 2 (p = 0),
    // 0.707 for 6 (p = 0.707).
    double[] v = {1, 0, 0};
    int kept6 = 0;
    int runs = 4000;
    for (long seed = 0; seed < runs; seed++) {
      int[] kept =
          SourcePatches.selectByDirection(
              v,
              CENTRES[12],
              new int[] {10, 14, 2, 6},
              CENTRES,
              1.0,
              0.0,
              new SplittableRandom(seed));
      List<Integer> k = Arrays.stream(kept).boxed().toList();
      assertTrue(k.contains(10) && k.contains(14));
      assertFalse(k.contains(2));
      kept6 += k.contains(6) ? 1 : 0;
    }
    assertThat(kept6 / (double) runs, allOf(greaterThan(0.68), lessThan(0.735)));
    // All candidates equally aligned: 0/0 in the rescaling, nothing kept (as in DeepSIF).
    int[] none =
        SourcePatches.selectByDirection(
            v, CENTRES[12], new int[] {10, 14}, CENTRES, 1.0, 0.5, new SplittableRandom(1));
    assertEquals(0, none.length);
  }

  @Test
  void smoothFillsHolesAndDropsDanglingRegions() {
    // A ring around 12: 12 has all 4 neighbours inside, so it is added.
    assertArrayEquals(
        new int[] {7, 6, 8, 11, 13, 16, 17, 18, 12},
        SourcePatches.smooth(NBS, new int[] {7, 6, 8, 11, 13, 16, 17, 18}));
    // {12, 13, 14, 4}: 9 is added (neighbours 4, 8, 14: two inside, > 3 - 2); then 12 and 4 have
    // exactly one neighbour in the patch and are removed; 14 now has two (9, 13) and stays.
    assertArrayEquals(new int[] {13, 14, 9}, SourcePatches.smooth(NBS, new int[] {12, 13, 14, 4}));
  }

  @Test
  void growingDirectionsAreTheHalfClosestInAngleToTheFirst() {
    // From 12: 7 at 0 degrees, 11 and 13 at 90 (stable order), 17 at 180 -> first two.
    assertArrayEquals(
        new int[] {0, 1},
        SourcePatches.growingDirections(CENTRES[12], new int[] {7, 11, 13, 17}, CENTRES));
  }

  @Test
  void growMakesDeterministicPatchesAroundTheCentre() {
    List<int[]> patches = SourcePatches.grow(NBS, CENTRES, 12, 70, 1L);
    // 2 variants x 5 repetitions x ceil(4 / 2) directions
    assertEquals(20, patches.size());
    for (int[] p : patches) {
      assertEquals(12, p[0]);
      assertEquals(p.length, Arrays.stream(p).distinct().count());
      assertThat(p.length, lessThanOrEqualTo(25));
      for (int r : p) {
        int hops = Math.abs(r / 5 - 2) + Math.abs(r % 5 - 2);
        assertThat("region " + r, hops, lessThanOrEqualTo(4));
      }
    }
    List<int[]> again = SourcePatches.grow(NBS, CENTRES, 12, 70, 1L);
    List<int[]> other = SourcePatches.grow(NBS, CENTRES, 12, 70, 2L);
    assertTrue(Arrays.deepEquals(patches.toArray(), again.toArray()));
    assertFalse(Arrays.deepEquals(patches.toArray(), other.toArray()));
    // maxSize only drops the larger patches; the random draws, so the other patches, stay.
    int[][] small = patches.stream().filter(p -> p.length <= 8).toArray(int[][]::new);
    assertThat(small.length, allOf(greaterThan(0), lessThan(20)));
    assertTrue(Arrays.deepEquals(small, SourcePatches.grow(NBS, CENTRES, 12, 8, 1L).toArray()));
    assertThrows(
        IllegalArgumentException.class, () -> SourcePatches.grow(NBS, CENTRES, 25, 70, 1L));
  }

  @Test
  void magnitudeFallsToHalfAtTheHalfDistance() {
    double[][] d = {{0, 50, 100}, {50, 0, 50}, {100, 50, 0}};
    double[] m = SourcePatches.magnitudeFalloff(d, new int[] {0, 1, 2}, 50.0);
    assertEquals(1.0, m[0], 0.0);
    assertEquals(0.5, m[1], 1e-4);
    assertEquals(0.0625, m[2], 1e-4);
  }

  @Test
  void paddedFillsWithThePadValue() {
    assertArrayEquals(
        new int[] {3, 1, 15213, 15213},
        SourcePatches.padded(new int[] {3, 1}, 4, SourcePatches.DEEPSIF_PAD));
    assertThrows(
        IllegalArgumentException.class, () -> SourcePatches.padded(new int[] {1, 2, 3}, 2, 0));
  }

  private static int[][] gridNeighbours() {
    int[][] nbs = new int[25][];
    for (int r = 0; r < 25; r++) {
      int row = r / 5;
      int col = r % 5;
      int[] tmp = new int[4];
      int n = 0;
      if (row > 0) {
        tmp[n++] = r - 5;
      }
      if (col > 0) {
        tmp[n++] = r - 1;
      }
      if (col < 4) {
        tmp[n++] = r + 1;
      }
      if (row < 4) {
        tmp[n++] = r + 5;
      }
      nbs[r] = Arrays.copyOf(tmp, n);
    }
    return nbs;
  }

  private static double[][] gridCentres() {
    double[][] c = new double[25][];
    for (int r = 0; r < 25; r++) {
      c[r] = new double[] {r % 5, r / 5, 0};
    }
    return c;
  }
}
