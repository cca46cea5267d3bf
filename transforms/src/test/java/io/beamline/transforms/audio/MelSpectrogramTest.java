package io.beamline.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beamline.transforms.audio.MelSpectrogram.MelScale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MelSpectrogramTest {

  static float[] sine(double f, double amp, int rate, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (amp * Math.sin(2 * Math.PI * f * i / rate));
    }
    return x;
  }

  @Test
  void melScalesAtHandValues() {
    assertEquals(2595 * Math.log10(2), MelSpectrogram.hzToMel(700, MelScale.HTK), 1e-9);
    assertEquals(999.9855, MelSpectrogram.hzToMel(1000, MelScale.HTK), 1e-4);
    assertEquals(7.5, MelSpectrogram.hzToMel(500, MelScale.SLANEY), 1e-12);
    assertEquals(15, MelSpectrogram.hzToMel(1000, MelScale.SLANEY), 1e-12);
    assertEquals(42, MelSpectrogram.hzToMel(6400, MelScale.SLANEY), 1e-9); // 15 + 27 steps
    for (double f : new double[] {0, 200, 999, 1000, 4321, 13000}) {
      for (MelScale s : MelScale.values()) {
        assertEquals(f, MelSpectrogram.melToHz(MelSpectrogram.hzToMel(f, s), s), 1e-6);
      }
    }
  }

  /** Slaney mel is linear below 1 kHz: 4 bands over 0-1000 Hz have edges 0, 200, ..., 1000 Hz. */
  private static MelSpectrogram.Builder linearBands() {
    // 25.6 kHz / 2048 = 12.5 Hz bins, so the edges fall on bins 0, 16, 32, 48, 64, 80.
    return MelSpectrogram.builder(25_600)
        .fftSize(2048)
        .windowLength(2048)
        .bands(4)
        .frequencyRange(0, 1000)
        .melScale(MelScale.SLANEY);
  }

  @Test
  void filterbankTrianglesAndBandEdges() {
    double[][] w = linearBands().build().filterbank();
    assertEquals(4, w.length);
    assertEquals(1025, w[0].length);
    for (int m = 0; m < 4; m++) {
      int left = 16 * m;
      int centre = left + 16;
      int right = left + 32;
      assertEquals(1.0, w[m][centre], 1e-12, "peak of band " + m);
      assertEquals(0.5, w[m][left + 8], 1e-12);
      assertEquals(0.5, w[m][centre + 8], 1e-12);
      assertEquals(0.25, w[m][left + 4], 1e-12);
      for (int k = 0; k < w[m].length; k++) {
        if (k <= left || k >= right) {
          assertEquals(0, w[m][k], 1e-12, "band " + m + " bin " + k);
        }
      }
    }
    // Between the first and last centre, neighbouring triangles sum to 1.
    for (int k = 16; k <= 64; k++) {
      double sum = 0;
      for (double[] band : w) {
        sum += band[k];
      }
      assertEquals(1, sum, 1e-12, "bin " + k);
    }
    double[] centres = linearBands().build().centreFrequencies();
    assertEquals(200, centres[0], 1e-9);
    assertEquals(800, centres[3], 1e-9);
    // Area normalisation scales each triangle by 2 / (right - left) = 2 / 400 Hz.
    double[][] a = linearBands().areaNormalised(true).build().filterbank();
    assertEquals(0.005, a[1][32], 1e-15);
  }

  @Test
  void toneOnABinHasTheHandComputedBandValue() {
    // fftSize = window = 2048, periodic Hann: a sine of amplitude a on bin k0 gives |X[k0]| =
    // a * N / 4 and |X[k0 +- 1]| = a * N / 8, nothing elsewhere.
    MelSpectrogram s = linearBands().hop(512).build();
    double a = 0.3;
    float[] x = sine(25 * 12.5, a, 25_600, 8192); // bin 25
    float[][] out = s.compute(x);
    double[][] w = s.filterbank();
    double main = Math.pow(a * 2048 / 4, 2);
    double side = Math.pow(a * 2048 / 8, 2);
    int t = 8; // centred at sample 4096, far from the edges
    for (int m = 0; m < 4; m++) {
      double expected = w[m][25] * main + (w[m][24] + w[m][26]) * side;
      assertEquals(expected, out[m][t], 1e-4 * main, "band " + m);
    }
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(doubles = {300, 1000, 3000, 8000, 12000})
  void pureToneLandsInTheNearestBand(double f) {
    MelSpectrogram s = MelSpectrogram.hawkEarsLike();
    float[][] out = s.compute(sine(f, 0.5, 28_000, 84_000));
    int t = 192;
    int best = 0;
    for (int m = 1; m < out.length; m++) {
      if (out[m][t] > out[best][t]) {
        best = m;
      }
    }
    double[] c = s.centreFrequencies();
    int nearest = 0;
    for (int m = 1; m < c.length; m++) {
      if (Math.abs(c[m] - f) < Math.abs(c[nearest] - f)) {
        nearest = m;
      }
    }
    assertTrue(Math.abs(best - nearest) <= 1, "peak band " + best + " vs nearest " + nearest);
    assertTrue(out[best][t] > out[(best + 20) % 192][t] + 40, "peak well above a distant band");
  }

  @Test
  void hawkEarsPresetShape() {
    MelSpectrogram s = MelSpectrogram.hawkEarsLike();
    assertEquals(2048, s.fftSize());
    assertEquals(218, s.hop());
    float[][] out = s.compute(new float[84_000]);
    assertEquals(192, out.length);
    for (float[] row : out) {
      assertEquals(384, row.length);
    }
    // Silence is the log floor: 10 log10(1e-10) = -100 dB.
    assertEquals(-100f, out[100][200], 1e-4);
    // The frame count is fixed even for a short input.
    assertEquals(384, s.compute(new float[1000])[0].length);
    double[] c = s.centreFrequencies();
    assertTrue(c[0] > 200 && c[191] < 13_000);
  }

  @Test
  void defaultFrameCountIsOnePlusNOverHop() {
    MelSpectrogram s = MelSpectrogram.builder(16_000).hop(256).build();
    assertEquals(1 + 16_000 / 256, s.compute(new float[16_000])[0].length);
    assertEquals(1, s.compute(new float[0])[0].length);
  }

  @Test
  void energyScalesWithAmplitude() {
    float[] x = sine(2500, 0.1, 28_000, 28_000);
    float[] x2 = sine(2500, 0.2, 28_000, 28_000);
    MelSpectrogram.Builder b =
        MelSpectrogram.builder(28_000).fftSize(2048).windowLength(1624).hop(218).bands(32);
    float[][] p1 = b.build().compute(x);
    float[][] p2 = b.build().compute(x2);
    float[][] m1 = b.power(1).build().compute(x);
    float[][] m2 = b.power(1).build().compute(x2);
    float[][] d1 = b.power(2).log(true, 1e-10).build().compute(x);
    float[][] d2 = b.power(2).log(true, 1e-10).build().compute(x2);
    int t = 60;
    int checked = 0;
    for (int m = 0; m < 32; m++) {
      if (p1[m][t] > 1e-3) {
        checked++;
        assertEquals(4.0, p2[m][t] / p1[m][t], 1e-4, "power doubles twice");
        assertEquals(2.0, m2[m][t] / m1[m][t], 1e-4, "magnitude doubles");
        assertEquals(20 * Math.log10(2), d2[m][t] - d1[m][t], 1e-3, "+6.02 dB");
      }
    }
    assertTrue(checked >= 1);
  }

  @Test
  void validation() {
    assertThrows(
        IllegalArgumentException.class, () -> MelSpectrogram.builder(28_000).fftSize(1000));
    assertThrows(
        IllegalArgumentException.class,
        () -> MelSpectrogram.builder(28_000).frequencyRange(200, 15_000).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> MelSpectrogram.builder(28_000).fftSize(512).windowLength(1024).build());
    assertThrows(IllegalArgumentException.class, () -> MelSpectrogram.builder(28_000).power(3));
  }
}
