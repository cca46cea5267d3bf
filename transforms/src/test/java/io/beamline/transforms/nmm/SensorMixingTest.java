package io.beamline.transforms.nmm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SensorMixingTest {

  /** A seeded clip {@code [time][region]}: background noise, a positive bump in {@code centre}. */
  private static double[][] clip(int time, int regions, int centre, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] c = new double[time][regions];
    for (int t = 0; t < time; t++) {
      for (int j = 0; j < regions; j++) {
        c[t][j] = 0.1 * (r.nextDouble() - 0.5);
      }
      c[t][centre] = 2.0 * Math.exp(-Math.pow((t - time / 2.0) / 10.0, 2));
    }
    return c;
  }

  private static double[][] leadfield(int channels, int regions, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] l = new double[channels][regions];
    for (double[] row : l) {
      for (int j = 0; j < regions; j++) {
        row[j] = r.nextDouble() * 2 - 1;
      }
    }
    return l;
  }

  @Test
  void patchGetsTheScaledCentreWaveformTimesItsFalloffAndTheRestKeepsTheClip() {
    double[][] c = {{1, 5, 7}, {4, 6, 8}, {2, 0, 9}};
    SensorMixing.Source s =
        new SensorMixing.Source(c, new int[] {0, 1}, new double[] {1.0, 0.5}, 3.0);
    double[][] a = SensorMixing.sourceActivity(List.of(s), 3);
    // Centre waveform 1,4,2 peaks at 4: shape 0.25,1,0.5; times scale 3; region 1 times 0.5.
    assertArrayEquals(new double[] {0.75, 0.375, 7}, a[0], 1e-12);
    assertArrayEquals(new double[] {3.0, 1.5, 8}, a[1], 1e-12);
    assertArrayEquals(new double[] {1.5, 0.75, 9}, a[2], 1e-12);
  }

  @Test
  void sourcesAreSummed() {
    double[][] c1 = {{1, 1}, {2, 1}};
    double[][] c2 = {{0, 3}, {0, 6}};
    double[][] a =
        SensorMixing.sourceActivity(
            List.of(
                new SensorMixing.Source(c1, new int[] {0}, new double[] {1}, 2),
                new SensorMixing.Source(c2, new int[] {1}, new double[] {1}, 1)),
            2);
    // Source 1: region 0 = (0.5, 1) * 2, region 1 keeps 1, 1; source 2: region 0 keeps 0, 0,
    // region 1 = (0.5, 1) * 1.
    assertArrayEquals(new double[] {1 + 0, 1 + 0.5}, a[0], 1e-12);
    assertArrayEquals(new double[] {2 + 0, 1 + 1}, a[1], 1e-12);
  }

  @Test
  void projectionIsLeadfieldTimesActivity() {
    double[][] l = {{1, 2}, {0, -1}, {3, 0}};
    double[][] a = {{1, 10}, {2, 20}};
    double[][] eeg = SensorMixing.project(l, a);
    assertArrayEquals(new double[] {21, 42}, eeg[0], 1e-12);
    assertArrayEquals(new double[] {-10, -20}, eeg[1], 1e-12);
    assertArrayEquals(new double[] {3, 6}, eeg[2], 1e-12);
  }

  @Test
  void achievedSnrIsWithinHalfADecibelOfTheTarget() {
    int regions = 20;
    double[][] lf = leadfield(16, regions, 3);
    List<SensorMixing.Source> sources =
        List.of(
            new SensorMixing.Source(
                clip(500, regions, 4, 1), new int[] {4, 5, 6}, new double[] {1, 0.7, 0.6}, 5),
            new SensorMixing.Source(
                clip(500, regions, 12, 2), new int[] {12}, new double[] {1}, 4));
    for (double snr : new double[] {5, 10, 15, 20}) {
      SensorMixing.Mixed m = SensorMixing.mix(lf, sources, snr, 99);
      assertThat(m.achievedSnrDb(), closeTo(snr, 0.5));
      // Check the reported SNR against the arrays themselves.
      double sig = 0;
      double noise = 0;
      for (int c = 0; c < lf.length; c++) {
        for (int t = 0; t < 500; t++) {
          sig += m.clean()[c][t] * m.clean()[c][t];
          double n = m.eeg()[c][t] - m.clean()[c][t];
          noise += n * n;
        }
      }
      assertEquals(10 * Math.log10(sig / noise), m.achievedSnrDb(), 1e-9);
    }
  }

  @Test
  void sameSeedSameNoiseOtherSeedOtherNoise() {
    double[][] clean = SensorMixing.project(leadfield(4, 5, 1), clip(100, 5, 2, 7));
    SensorMixing.Mixed a = SensorMixing.addNoise(clean, 10, 42);
    SensorMixing.Mixed b = SensorMixing.addNoise(clean, 10, 42);
    SensorMixing.Mixed c = SensorMixing.addNoise(clean, 10, 43);
    for (int ch = 0; ch < clean.length; ch++) {
      assertArrayEquals(a.eeg()[ch], b.eeg()[ch], 0.0);
    }
    assertFalse(Arrays.equals(a.eeg()[0], c.eeg()[0]));
    assertEquals(a.achievedSnrDb(), b.achievedSnrDb(), 0.0);
  }

  @Test
  void silentChannelGetsNoNoise() {
    double[][] clean = {{0, 0, 0}, {1, -1, 1}};
    SensorMixing.Mixed m = SensorMixing.addNoise(clean, 10, 1);
    assertArrayEquals(new double[] {0, 0, 0}, m.eeg()[0], 0.0);
  }

  @Test
  void shapeErrorsNameBothShapes() {
    double[][] lf = leadfield(3, 4, 1);
    SensorMixing.Source wide =
        new SensorMixing.Source(clip(10, 5, 0, 1), new int[] {0}, new double[] {1}, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SensorMixing.mix(lf, List.of(wide), 10, 1));
    assertThat(e.getMessage(), containsString("clip of source 0 is 10 x 5"));
    assertThat(e.getMessage(), containsString("4 region columns"));

    SensorMixing.Source ok =
        new SensorMixing.Source(clip(10, 4, 0, 1), new int[] {0}, new double[] {1}, 1);
    SensorMixing.Source shorter =
        new SensorMixing.Source(clip(8, 4, 1, 1), new int[] {1}, new double[] {1}, 1);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SensorMixing.mix(lf, List.of(ok, shorter), 10, 1));
    assertThat(
        e.getMessage(), containsString("clip of source 1 has 8 time samples but source 0 has 10"));

    SensorMixing.Source badMag =
        new SensorMixing.Source(clip(10, 4, 0, 1), new int[] {0, 1}, new double[] {1}, 1);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> SensorMixing.mix(lf, List.of(badMag), 10, 1));
    assertThat(e.getMessage(), containsString("2 patch regions but 1 magnitudes"));

    SensorMixing.Source outside =
        new SensorMixing.Source(clip(10, 4, 0, 1), new int[] {0, 4}, new double[] {1, 1}, 1);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> SensorMixing.mix(lf, List.of(outside), 10, 1));
    assertThat(e.getMessage(), containsString("patch region of source 0 must be in [0, 3], got 4"));

    e =
        assertThrows(
            IllegalArgumentException.class, () -> SensorMixing.project(lf, new double[2][5]));
    assertThat(e.getMessage(), containsString("2 x 5 (time x region) but the leadfield is 3 x 4"));

    e =
        assertThrows(
            IllegalArgumentException.class, () -> SensorMixing.mix(lf, List.of(ok), Double.NaN, 1));
    assertThat(e.getMessage(), containsString("snrDb must be finite"));

    e = assertThrows(IllegalArgumentException.class, () -> SensorMixing.mix(lf, List.of(), 10, 1));
    assertThat(e.getMessage(), containsString("at least one source"));
  }

  @Test
  void clipWithoutPositivePeakIsRejected() {
    double[][] c = {{-1, 0}, {-2, 0}};
    SensorMixing.Source s = new SensorMixing.Source(c, new int[] {0}, new double[] {1}, 1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SensorMixing.sourceActivity(List.of(s), 2));
    assertThat(e.getMessage(), containsString("peaks at -1.0 in its centre region 0"));
  }
}
