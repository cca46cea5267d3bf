package io.beamline.transforms.nmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyntheticSourcesTest {
  @Test
  void nearestNeighboursAreSymmetricAndExcludeTheRegion() {
    double[][] centres = {{0, 0, 0}, {1, 0, 0}, {3, 0, 0}, {10, 0, 0}};
    int[][] nb = SyntheticSources.nearestNeighbours(centres, 1);
    // 0 <-> 1 nearest each other; 2's nearest is 1; 3's nearest is 2.
    assertArrayEquals(new int[] {1}, nb[0]);
    assertArrayEquals(new int[] {0, 2}, nb[1]);
    assertArrayEquals(new int[] {1, 3}, nb[2]);
    assertArrayEquals(new int[] {2}, nb[3]);
  }

  @Test
  void scaleRatioPutsThePatchAtTheTargetSnr() {
    // One channel seeing both regions with gain 1; region 0 spikes (triangle), region 1 is a sine.
    int length = 500;
    double[][] clip = new double[length][2];
    for (int t = 0; t < length; t++) {
      clip[t][0] = Math.max(0, 20 - Math.abs(t - 250));
      clip[t][1] = Math.sin(t * 0.3);
    }
    double[][] leadfield = {{1.0, 1.0}};
    double[] ratio =
        SyntheticSources.scaleRatio(clip, leadfield, new int[] {0}, new double[] {10, 20});
    // By hand: signal = shape / max (peak 1), noise = region 1, both minus their means, powers
    // over samples 200..499 (peak 250 - 50 to the end).
    double meanS = 0;
    double meanN = 0;
    for (int t = 0; t < length; t++) {
      meanS += clip[t][0] / 20.0;
      meanN += clip[t][1];
    }
    meanS /= length;
    meanN /= length;
    double ps = 0;
    double pn = 0;
    for (int t = 200; t < length; t++) {
      ps += Math.pow(clip[t][0] / 20.0 - meanS, 2);
      pn += Math.pow(clip[t][1] - meanN, 2);
    }
    assertEquals(Math.sqrt(10 * pn / ps), ratio[0], 1e-12);
    assertEquals(Math.sqrt(100 * pn / ps), ratio[1], 1e-12);
    assertTrue(ratio[1] > ratio[0]);
  }

  @Test
  void nperAndVariationsOverrideThePreset() throws Exception {
    // A line of 8 regions, 2 channels; every region has 5 clips of a bump in its own column.
    int n = 8;
    double[][] centres = new double[n][3];
    double[][] distances = new double[n][n];
    double[][] leadfield = new double[2][n];
    for (int i = 0; i < n; i++) {
      centres[i][0] = i * 10;
      leadfield[0][i] = 1 + i;
      leadfield[1][i] = n - i;
      for (int j = 0; j < n; j++) {
        distances[i][j] = Math.abs(i - j) * 10;
      }
    }
    int[] clips = new int[n];
    java.util.Arrays.fill(clips, 5);
    SyntheticSources.ClipSource source =
        (region, k) -> {
          double[][] c = new double[500][n];
          for (int t = 0; t < 500; t++) {
            for (int r = 0; r < n; r++) {
              c[t][r] = 0.01 * Math.sin(t * (r + 1) * 0.1 + k);
            }
            c[t][region] += Math.exp(-Math.pow((t - 250) / 8.0, 2));
          }
          return c;
        };
    int[][] nb = SyntheticSources.nearestNeighbours(centres, 1);
    SyntheticSources.Samples s =
        SyntheticSources.generate(
            nb,
            centres,
            distances,
            leadfield,
            clips,
            source,
            SyntheticSources.Mode.TEST,
            2,
            5,
            2,
            3L);
    // 8 centres x 5 variations x 4 SNR levels; picks below nper 2; nmm_idx uses nper 2.
    assertEquals(n * 5 * 4, s.count());
    for (int i = 0; i < s.count(); i++) {
      for (int k = 0; k < 2; k++) {
        int pick = s.randomSamples()[i][k];
        assertTrue(pick >= 0 && pick < 2, "pick " + pick);
        assertEquals((s.selectedRegion()[i][k][0] + 1) * 2 + pick + 1, s.nmmIdx()[i][k]);
      }
    }
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                SyntheticSources.generate(
                    nb,
                    centres,
                    distances,
                    leadfield,
                    clips,
                    source,
                    SyntheticSources.Mode.TEST,
                    0,
                    5,
                    2,
                    3L));
    assertTrue(e.getMessage().contains("nper and n_iter must be >= 1, got 0 and 5"));
  }
}
