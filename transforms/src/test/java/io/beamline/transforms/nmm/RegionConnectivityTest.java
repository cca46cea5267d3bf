package io.beamline.transforms.nmm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RegionConnectivityTest {

  @Test
  void delaysAreRoundedToStepsHalfToEvenLikeNumpyRint() {
    // lengths / 3 mm/ms / 0.5 ms: 0.75 -> 0.5 steps -> 0; 2.25 -> 1.5 -> 2; 30 -> 20; 3.6 -> 2.4 ->
    // 2
    double[][] l = {{0, 0.75, 2.25}, {30, 0, 3.6}, {0, 0, 0}};
    RegionConnectivity c = RegionConnectivity.of(new double[3][3], l, 3.0);
    int[][] d = c.delaySteps(0.5);
    assertArrayEquals(new int[] {0, 0, 2}, d[0]);
    assertArrayEquals(new int[] {20, 0, 2}, d[1]);
  }

  @Test
  void inputsAreCopiedAndCounted() {
    double[][] w = {{0, 2}, {0, 0}};
    RegionConnectivity c = RegionConnectivity.of(w, new double[2][2], 3.0);
    w[0][1] = 7;
    assertEquals(2.0, c.weight(0, 1));
    assertEquals(1, c.nonZeroCount());
    assertEquals(2, c.regionCount());
  }

  @Test
  void invalidInputsAreRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RegionConnectivity.of(new double[2][3], new double[2][2], 3.0));
    assertThat(e.getMessage(), containsString("weights must be 2 x 2"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RegionConnectivity.of(new double[][] {{0, -1}, {0, 0}}, new double[2][2], 3.0));
    assertThat(e.getMessage(), containsString("weights[0][1]"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RegionConnectivity.of(new double[2][2], new double[2][2], 0.0));
    assertThat(e.getMessage(), containsString("speedMmPerMs"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RegionConnectivity.of(new double[2][2], new double[3][3], 3.0));
    assertThat(e.getMessage(), containsString("tractLengthsMm has 3 rows"));
  }
}
