package io.beamline.transforms.nmm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpikeClipsTest {

  @Test
  void dropAndDownsampleKeepsEveryFactorthSampleAfterTheDrop() {
    float[][] raw = new float[2][20];
    for (int t = 0; t < 20; t++) {
      raw[0][t] = t;
      raw[1][t] = 100 + t;
    }
    float[][] out = SpikeClips.dropAndDownsample(raw, 3, 4);
    assertArrayEquals(new float[] {3, 7, 11, 15, 19}, out[0]);
    assertArrayEquals(new float[] {103, 107, 111, 115, 119}, out[1]);
    // DeepSIF's numbers: 200 s at 2 kHz -> (400000 - 1000) / 4 = 99750 samples at 500 Hz.
    float[][] deepSif = SpikeClips.dropAndDownsample(new float[1][400_000], 1000, 4);
    assertEquals(99_750, deepSif[0].length);
    assertThrows(IllegalArgumentException.class, () -> SpikeClips.dropAndDownsample(raw, 3, 0));
  }

  @Test
  void remap998MovesTheFourRegionsAndKeeps994() {
    float[][] x = new float[998][1];
    for (int r = 0; r < 998; r++) {
      x[r][0] = r;
    }
    float[][] out = SpikeClips.remapDeepSif998(x);
    assertEquals(994, out.length);
    assertEquals(994f, out[7][0]);
    assertEquals(997f, out[325][0]);
    assertEquals(996f, out[921][0]);
    assertEquals(995f, out[949][0]);
    assertEquals(8f, out[8][0]);
    assertEquals(993f, out[993][0]);
  }

  @Test
  void findSpikesAppliesThresholdEdgesAndGapRules() {
    float[][] x = new float[2][1000];
    for (float[] row : x) {
      java.util.Arrays.fill(row, 5f); // below 8: zeroed, never a peak
    }
    x[0][0] = 20f; // first and last samples are never peaks
    x[0][999] = 20f;
    bump(x[1], 200, 12f); // too close to the start (< 249): dropped, but counts for the gap rule
    bump(x[0], 301, 12f); // 101 after the previous peak: kept
    bump(x[0], 350, 9f); // 49 after the previous peak: dropped
    x[0][450] = 7.9f; // below threshold
    x[1][480] = 8f; // exactly 8 is not below the threshold: a peak, 130 after 350: kept
    bump(x[0], 600, 12f); // kept
    bump(x[1], 600, 12f); // same time, sorts after region 0: gap 0, dropped
    x[0][747] = 10f; // flat top of three samples: the middle one is the peak
    x[0][748] = 10f;
    x[0][749] = 10f;
    bump(x[1], 900, 12f); // needs 251 samples after it: 900 + 251 >= 1000, dropped

    SpikeClips.Spikes s = SpikeClips.findSpikes(x, 8.0);
    assertArrayEquals(new int[] {301, 480, 600, 748}, s.times());
    assertArrayEquals(new int[] {0, 1, 0, 0}, s.regions());
  }

  @Test
  void findSpikesEdgeLimitsAreInclusiveWhereDeepSifsAre() {
    float[][] x = new float[1][1000];
    bump(x[0], 249, 12f); // t = 249 (MATLAB 250: 250 - 249 > 0) is kept
    bump(x[0], 748, 12f); // 748 + 251 = 999 < 1000 is kept
    assertArrayEquals(new int[] {249, 748}, SpikeClips.findSpikes(x, 8.0).times());
    float[][] y = new float[1][1000];
    bump(y[0], 248, 12f);
    bump(y[0], 749, 12f);
    assertEquals(0, SpikeClips.findSpikes(y, 8.0).count());
  }

  @Test
  void clipStartIsTheOneBasedFormulaConvertedToZeroBased() {
    assertEquals(0, SpikeClips.clipStart(0));
    assertEquals(0, SpikeClips.clipStart(498));
    assertEquals(500, SpikeClips.clipStart(499)); // DeepSIF's off-by-one: MATLAB t = 500 -> 501
    assertEquals(500, SpikeClips.clipStart(500));
    assertEquals(500, SpikeClips.clipStart(998));
    assertEquals(1000, SpikeClips.clipStart(999));
  }

  @Test
  void selectSourceSpikesRejectsClipsWithOtherRegionsInMinus200To699() {
    // Source peak 1249 -> clip start 1000 -> forbidden window 800..1699 for other regions.
    assertArrayEquals(new int[] {1249}, select(new int[] {799, 1249}, new int[] {1, 0}));
    assertArrayEquals(new int[0], select(new int[] {800, 1249}, new int[] {1, 0}));
    assertArrayEquals(new int[0], select(new int[] {1249, 1699}, new int[] {0, 2}));
    assertArrayEquals(new int[] {1249}, select(new int[] {1249, 1700}, new int[] {0, 2}));
    // Other peaks of the source region itself do not block; a clip past the end is dropped.
    assertArrayEquals(new int[] {1249, 1600}, select(new int[] {1249, 1600}, new int[] {0, 0}));
    assertArrayEquals(new int[] {1249}, select(new int[] {1249, 2499}, new int[] {0, 0}));
  }

  private static int[] select(int[] times, int[] regions) {
    return SpikeClips.selectSourceSpikes(new SpikeClips.Spikes(times, regions), 0, 2600);
  }

  @Test
  void snrScaleMatchesHandComputedPowers() {
    // One channel, leadfield [2, 1]; source +-1, other region +-0.5 (both zero mean).
    // Ps = 4 * 1 = 4, Pn = 0.25, SNR = 10 log10(16); alpha for 15 dB = sqrt(10^1.5 / 16).
    float[][] x = new float[2][1000];
    for (int t = 0; t < 1000; t++) {
      x[0][t] = t % 2 == 0 ? 1f : -1f;
      x[1][t] = t % 2 == 0 ? 0.5f : -0.5f;
    }
    double[][] lf = {{2.0, 1.0}};
    int[] spikes = {500};
    assertEquals(10 * Math.log10(16), SpikeClips.sensorSnrDb(x, lf, 0, spikes), 1e-12);
    assertEquals(
        Math.sqrt(Math.pow(10, 1.5) / 16), SpikeClips.snrScale(x, lf, 0, spikes, 15.0), 1e-12);
    // A constant offset is removed before the powers are taken.
    for (int t = 0; t < 1000; t++) {
      x[0][t] += 5f;
    }
    assertEquals(
        Math.sqrt(Math.pow(10, 1.5) / 16), SpikeClips.snrScale(x, lf, 0, spikes, 15.0), 1e-12);
  }

  @Test
  void scalingTheSourceByAlphaGivesTheTargetSnr() {
    SplittableRandom rnd = new SplittableRandom(3);
    float[][] x = new float[4][2000];
    double[][] lf = new double[3][4];
    for (int r = 0; r < 4; r++) {
      for (int t = 0; t < 2000; t++) {
        x[r][t] = (float) (rnd.nextDouble() * 4 - 1);
      }
      for (int c = 0; c < 3; c++) {
        lf[c][r] = rnd.nextDouble() - 0.5;
      }
    }
    int[] spikes = {400, 500, 1500};
    for (double target : new double[] {5.0, 15.0, 20.0}) {
      double alpha = SpikeClips.snrScale(x, lf, 2, spikes, target);
      float[][] scaled = x.clone();
      scaled[2] = new float[2000];
      for (int t = 0; t < 2000; t++) {
        scaled[2][t] = (float) (x[2][t] * alpha);
      }
      assertEquals(target, SpikeClips.sensorSnrDb(scaled, lf, 2, spikes), 1e-5);
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SpikeClips.snrScale(x, lf, 2, new int[0], 15.0));
    assertThat(e.getMessage(), containsString("at least one spike"));
  }

  @Test
  void rescaleSpikesScalesFromTheZeroBeforeThePeakToTheZeroAfterTheTrough() {
    int peak = 500;
    float[][] x = {new float[1000], new float[1000]};
    writeSpike(x[0], peak, 0f);
    float[][] out = SpikeClips.rescaleSpikes(x, 0, new int[] {peak}, 2.0);
    assertSame(x[1], out[1]);
    int base = peak - 249;
    for (int t = 0; t < 1000; t++) {
      int j = t - base;
      float expected = j >= 199 && j <= 399 ? 2f * x[0][t] : x[0][t];
      assertEquals(expected, out[0][t], 0f, "t=" + t);
    }
    // The spike shape sums to zero, so a constant offset is the mean and is restored afterwards.
    float[][] shifted = {new float[1000]};
    writeSpike(shifted[0], peak, 0.12f);
    float[] got = SpikeClips.rescaleSpikes(shifted, 0, new int[] {peak}, 3.0)[0];
    for (int t = 0; t < 1000; t++) {
      int j = t - base;
      double v = shifted[0][t] - 0.12;
      double expected = (j >= 199 && j <= 399 ? 3.0 * v : v) + 0.12;
      assertEquals(expected, got[t], 1e-5, "t=" + t);
    }
    assertThrows(
        IllegalArgumentException.class, () -> SpikeClips.rescaleSpikes(x, 0, new int[] {200}, 2.0));
  }

  @Test
  void rescaleSpikesRaisesTheZeroThresholdWhenNoSampleIsNearZero() {
    // Before the peak the (zero-mean) signal never gets within 0.1 of zero in window 49..248,
    // except one sample of magnitude 0.17: thre must grow 0.1 -> 0.15 -> 0.2 to find it.
    int peak = 500;
    float[] row = new float[1000];
    writeSpike(row, peak, 0f);
    int base = peak - 249;
    for (int j = 49; j < 200; j++) {
      row[base + j] = j % 2 == 0 ? 0.5f : -0.5f; // 151 samples: sum -0.5 at j = 49 ... 199
    }
    row[base + 120] = 0.17f; // replaces a +0.5 (j = 120 is even)
    row[base + 48] = 0.5f - 0.17f + 0.5f; // rebalance so the whole row still sums to zero
    float[] got = SpikeClips.rescaleSpikes(new float[][] {row}, 0, new int[] {peak}, 2.0)[0];
    double mean = 0;
    for (float v : row) {
      mean += v;
    }
    mean /= row.length;
    for (int j = 0; j < 1000 - base; j++) {
      int t = base + j;
      double v = row[t] - mean;
      double expected = (j >= 120 && j <= 399 ? 2.0 * v : v) + mean;
      assertEquals(expected, got[t], 1e-5, "j=" + j);
    }
  }

  @Test
  void cutClipsTakesAllRegionsFromTheClipStart() {
    float[][] x = new float[3][3000];
    for (int r = 0; r < 3; r++) {
      for (int t = 0; t < 3000; t++) {
        x[r][t] = r * 10_000 + t;
      }
    }
    float[][][] clips = SpikeClips.cutClips(x, new int[] {1249, 2499});
    assertEquals(2, clips.length);
    assertEquals(500, clips[0][2].length);
    assertEquals(21_000f, clips[0][2][0]);
    assertEquals(21_499f, clips[0][2][499]);
    assertEquals(2_500f, clips[1][0][0]); // 2499 is the last sample of its block: next block
    assertThrows(IllegalArgumentException.class, () -> SpikeClips.cutClips(x, new int[] {2999}));
  }

  @Test
  void extractRunsTheWholeRegionStep() {
    SplittableRandom rnd = new SplittableRandom(8);
    float[][] x = new float[3][3000];
    for (float[] row : x) {
      for (int t = 0; t < row.length; t++) {
        row[t] = (float) (rnd.nextDouble() * 0.5); // background below 8 mV, rising edge monotonic
      }
    }
    writeSpike(x[1], 1249, 0f);
    double[][] lf = {{1.0, 0.5, -0.2}, {0.3, 0.8, 0.1}};
    SpikeClips.SourceClips c = SpikeClips.extract(x, lf, 1, 15.0);
    assertArrayEquals(new int[] {1249}, c.spikeTimes());
    double alpha = SpikeClips.snrScale(x, lf, 1, new int[] {1249}, 15.0);
    assertEquals(alpha, c.alpha(), 0.0);
    float[][] scaled = SpikeClips.rescaleSpikes(x, 1, new int[] {1249}, alpha);
    assertEquals(1, c.clips().length);
    assertArrayEquals(java.util.Arrays.copyOfRange(scaled[1], 1000, 1500), c.clips()[0][1]);
    assertArrayEquals(java.util.Arrays.copyOfRange(x[0], 1000, 1500), c.clips()[0][0]);

    SpikeClips.SourceClips none = SpikeClips.extract(x, lf, 0, 15.0);
    assertEquals(0, none.spikeTimes().length);
    assertEquals(0, none.clips().length);
    assertTrue(Double.isNaN(none.alpha()));
  }

  /** A 3-sample peak with shoulders 2 below it (shoulders below 8 vanish). */
  private static void bump(float[] row, int t, float height) {
    row[t - 1] = height - 2;
    row[t] = height;
    row[t + 1] = height - 2;
  }

  /**
   * Integer spike around {@code peak} (window index j = t - peak + 249) that sums to zero: rises
   * 1..50 over j = 200..249, falls 49..0 over 250..299, to -1..-50 over 300..349 (trough at 349),
   * back -49..0 over 350..399; zero elsewhere; everything plus {@code offset}.
   */
  private static void writeSpike(float[] row, int peak, float offset) {
    int base = peak - 249;
    for (int j = 0; j < 500; j++) {
      int v = 0;
      if (j >= 200 && j <= 249) {
        v = j - 199;
      } else if (j >= 250 && j <= 299) {
        v = 299 - j;
      } else if (j >= 300 && j <= 349) {
        v = -(j - 299);
      } else if (j >= 350 && j <= 399) {
        v = j - 399;
      }
      row[base + j] += v;
    }
    for (int t = 0; t < row.length; t++) {
      row[t] += offset;
    }
  }
}
