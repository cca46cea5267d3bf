package io.beamline.transforms.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {

  static float[] sine(double f, double amp, int rate, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (amp * Math.sin(2 * Math.PI * f * i / rate));
    }
    return x;
  }

  /** Largest deviation of {@code y} (at {@code rate}) from the ideal sine, away from the edges. */
  static double maxErrorVsSine(float[] y, double f, double amp, int rate, double edgeSeconds) {
    int edge = (int) Math.ceil(edgeSeconds * rate) + 2;
    double worst = 0;
    for (int k = edge; k < y.length - edge; k++) {
      double ideal = amp * Math.sin(2 * Math.PI * f * k / rate);
      worst = Math.max(worst, Math.abs(y[k] - ideal));
    }
    return worst;
  }

  @ParameterizedTest(name = "{0} -> 28000 Hz, {1} Hz tone")
  @CsvSource({
    "44100, 1000",
    "44100, 11000",
    "48000, 440",
    "48000, 12500",
    "16000, 1000",
    "16000, 6500",
    "22050, 3000",
    "22050, 9500"
  })
  void sineKeepsFrequencyPhaseAndAmplitude(int inRate, double f) {
    Resampler r = Resampler.of(inRate, 28_000);
    float[] y = r.resample(sine(f, 0.8, inRate, inRate));
    assertEquals(28_000, y.length);
    // Within 0.02 % of full scale: frequency, amplitude and phase all have to be right.
    double err = maxErrorVsSine(y, f, 0.8, 28_000, r.halfWidthSeconds());
    assertTrue(err < 2e-4, "max error " + err);
  }

  @ParameterizedTest(name = "{0} -> 28000 Hz, {1} Hz tone is removed")
  @CsvSource({"44100, 14500", "44100, 16000", "44100, 21000", "48000, 15000", "48000, 23000"})
  void toneAboveNewNyquistIsAttenuatedBy80Db(int inRate, double f) {
    Resampler r = Resampler.of(inRate, 28_000);
    assertTrue(f > r.stopbandEdgeHz());
    float[] y = r.resample(sine(f, 1.0, inRate, inRate));
    double err = maxErrorVsSine(y, 0, 0, 28_000, r.halfWidthSeconds());
    assertTrue(20 * Math.log10(err) < -80, "residual " + 20 * Math.log10(err) + " dB");
  }

  @Test
  void documentedBandEdgesFor44100To28000() {
    Resampler r = Resampler.of(44_100, 28_000);
    assertEquals(13_440, r.cutoffHz(), 1e-9); // 0.96 * 14000
    assertEquals(12_913, r.passbandEdgeHz(), 1);
    assertEquals(13_967, r.stopbandEdgeHz(), 1);
  }

  @Test
  void constantPassesUnchanged() {
    float[] x = new float[4410];
    java.util.Arrays.fill(x, 0.5f);
    Resampler r = Resampler.of(44_100, 28_000);
    float[] y = r.resample(x);
    assertTrue(maxErrorVsSineOffset(y, 0.5, r.halfWidthSeconds()) < 1e-6);
  }

  static double maxErrorVsSineOffset(float[] y, double c, double edgeSeconds) {
    int edge = (int) Math.ceil(edgeSeconds * 28_000) + 2;
    double worst = 0;
    for (int k = edge; k < y.length - edge; k++) {
      worst = Math.max(worst, Math.abs(y[k] - c));
    }
    return worst;
  }

  @Test
  void identityReturnsACopyOfTheInput() {
    float[] x = {0.1f, -0.2f, 0.3f};
    float[] y = Resampler.of(28_000, 28_000).resample(x);
    assertArrayEquals(x, y);
    assertNotSame(x, y);
  }

  @Test
  void outputLengthIsRoundedRatio() {
    assertEquals(635, Resampler.of(44_100, 28_000).resample(new float[1000]).length); // 634.9
    assertEquals(280, Resampler.of(44_100, 28_000).outputLength(441));
    assertEquals(5, Resampler.of(16_000, 28_000).resample(new float[3]).length); // 5.25
    assertEquals(4, Resampler.of(16_000, 28_000).outputLength(2)); // 3.5 rounds up
    assertEquals(0, Resampler.of(48_000, 28_000).resample(new float[0]).length);
    // A ratio with more than 4096 phases takes the per-sample path and agrees with the bound.
    assertEquals(28_001, Resampler.of(28_000, 28_001).resample(new float[28_000]).length);
  }

  @Test
  void largePhaseCountPathMatchesSineToo() {
    Resampler r = Resampler.of(28_001, 28_000); // L = 28000 phases: computed per sample
    float[] y = r.resample(sine(2000, 0.5, 28_001, 6000));
    assertTrue(maxErrorVsSine(y, 2000, 0.5, 28_000, r.halfWidthSeconds()) < 2e-4);
  }

  @Test
  void downmixAveragesChannels() {
    assertArrayEquals(new float[] {2f, 3f}, Resampler.downmix(new float[][] {{1f, 2f}, {3f, 4f}}));
    assertArrayEquals(new float[] {1f}, Resampler.downmix(new float[][] {{1f}}));
    assertThrows(
        IllegalArgumentException.class, () -> Resampler.downmix(new float[][] {{1f}, {1f, 2f}}));
  }

  @Test
  void besselAndValidation() {
    assertEquals(1.0, Resampler.besselI0(0), 0);
    assertEquals(1.2660658777520082, Resampler.besselI0(1), 1e-15);
    assertEquals(27.239871823604442, Resampler.besselI0(5), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Resampler.of(0, 28_000));
    assertThrows(IllegalArgumentException.class, () -> Resampler.of(1, 2, 1.5, 64, 80));
    assertThrows(IllegalArgumentException.class, () -> Resampler.of(1, 2, 0.9, 1, 80));
    assertThrows(IllegalArgumentException.class, () -> Resampler.of(1, 2, 0.9, 8, 10));
  }
}
